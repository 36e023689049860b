package guard

import (
	"bytes"
	"cmp"
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strings"
	"sync"

	"github.com/example/platform/internal/assembly"
)

// Finding is one resource a control fails.
type Finding struct {
	// Control is Control Tower's ID, such as CT.S3.PR.2; Rule the guard rule's name.
	Control, Rule string
	// Stack is the CloudFormation stack name; Resource the logical ID ("" when the rule names
	// none, such as a template-wide check).
	Stack, Resource string
	// Fix is the rule's own advice.
	Fix string
}

func (f Finding) String() string {
	return fmt.Sprintf("%s %s/%s (%s): %s", f.Control, f.Stack, f.Resource, f.Rule, f.Fix)
}

// Check runs every rule that applies to a template's resource types over it, with the
// cross-stack references resolved, and returns what fails, sorted. Templates that need the same
// rules (the stacks of a tier, in every region) share one cfn-guard invocation over a directory
// under workDir, and invocations run side by side, one per CPU (or t.Parallel).
func (t Tool) Check(stacks []*assembly.Stack, workDir string) ([]Finding, error) {
	resolved, err := Resolve(stacks)
	if err != nil {
		return nil, err
	}
	rules, err := t.ReadRules()
	if err != nil {
		return nil, err
	}
	groups := map[string][]string{} // rule files (joined) -> data directory's files
	files := map[string]string{}    // data file name -> stack name
	for i, s := range stacks {
		applicable := rules.For(s.ResourceTypes())
		if len(applicable) == 0 {
			continue
		}
		key := strings.Join(applicable, "\n")
		dir := filepath.Join(workDir, fmt.Sprintf("group%03d", len(groups)))
		if existing, ok := groups[key]; ok {
			dir = filepath.Dir(existing[0])
		} else if err := os.Mkdir(dir, 0o755); err != nil {
			return nil, err
		}
		doc, err := json.Marshal(map[string]any{"AWSTemplateFormatVersion": "2010-09-09", "Resources": resolved[s.Name]})
		if err != nil {
			return nil, err
		}
		name := fmt.Sprintf("%03d.json", i)
		files[name] = s.Name
		if err := os.WriteFile(filepath.Join(dir, name), doc, 0o644); err != nil {
			return nil, err
		}
		groups[key] = append(groups[key], filepath.Join(dir, name))
	}
	if len(groups) == 0 {
		return nil, fmt.Errorf("no rule in %s applies to the assembly's resource types", t.Rules)
	}
	var (
		mu       sync.Mutex
		findings []Finding
		errs     []error
		wg       sync.WaitGroup
		slots    = make(chan struct{}, cmp.Or(t.Parallel, runtime.NumCPU()))
	)
	for key, data := range groups {
		wg.Go(func() {
			slots <- struct{}{}
			defer func() { <-slots }()
			found, err := t.run(strings.Split(key, "\n"), filepath.Dir(data[0]), files)
			mu.Lock()
			defer mu.Unlock()
			findings = append(findings, found...)
			errs = append(errs, err)
		})
	}
	wg.Wait()
	sort.Slice(findings, func(i, j int) bool { return findings[i].String() < findings[j].String() })
	return findings, errors.Join(errs...)
}

// run is one cfn-guard invocation of rules over the templates in dir.
func (t Tool) run(rules []string, dir string, files map[string]string) ([]Finding, error) {
	args := []string{"validate", "--structured", "--show-summary", "none", "--output-format", "json", "--data", dir}
	for _, r := range rules {
		args = append(args, "--rules", r)
	}
	var stdout, stderr bytes.Buffer
	cmd := exec.Command(t.Binary, args...)
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	// cfn-guard exits 19 when a rule fails, 0 when none does.
	if exit := (*exec.ExitError)(nil); err != nil && !(errors.As(err, &exit) && exit.ExitCode() == 19) {
		return nil, fmt.Errorf("%s: %w: %s", t.Binary, err, strings.TrimSpace(stderr.String()))
	}
	return parse(stdout.Bytes(), files)
}

var controlID = regexp.MustCompile(`\[(CT\.[A-Z0-9]+\.PR\.\d+)\]:[^\n]*\n\s*\[FIX\]: ([^\n]*)`)

// parse reads cfn-guard's structured output: per data file, the rules it does not comply with.
func parse(out []byte, files map[string]string) ([]Finding, error) {
	var reports []struct {
		Name         string            `json:"name"`
		NotCompliant []json.RawMessage `json:"not_compliant"`
	}
	if err := json.Unmarshal(out, &reports); err != nil {
		return nil, fmt.Errorf("reading cfn-guard's report: %w", err)
	}
	seen := map[Finding]bool{}
	var findings []Finding
	for _, r := range reports {
		stack := files[filepath.Base(r.Name)]
		for _, raw := range r.NotCompliant {
			var rule struct {
				Rule struct {
					Name string `json:"name"`
				} `json:"Rule"`
			}
			_ = json.Unmarshal(raw, &rule)
			control, fix := "", ""
			if m := controlID.FindStringSubmatch(unescape(raw)); m != nil {
				control, fix = m[1], m[2]
			}
			resources := resourcesIn(raw)
			if len(resources) == 0 {
				resources = []string{""}
			}
			for _, res := range resources {
				f := Finding{Control: control, Rule: rule.Rule.Name, Stack: stack, Resource: res, Fix: fix}
				if !seen[f] {
					seen[f] = true
					findings = append(findings, f)
				}
			}
		}
	}
	sort.Slice(findings, func(i, j int) bool { return findings[i].String() < findings[j].String() })
	return findings, nil
}

// unescape is the report's text with JSON's escapes of newlines undone, for the messages.
func unescape(raw []byte) string {
	return strings.ReplaceAll(string(raw), `\n`, "\n")
}

var resourcePath = regexp.MustCompile(`"path":"/Resources/([^/"]+)`)

// resourcesIn are the logical IDs the failed checks' paths name.
func resourcesIn(raw []byte) []string {
	var compact bytes.Buffer
	if json.Compact(&compact, raw) != nil {
		return nil
	}
	set := map[string]bool{}
	for _, m := range resourcePath.FindAllStringSubmatch(compact.String(), -1) {
		set[m[1]] = true
	}
	out := make([]string, 0, len(set))
	for r := range set {
		out = append(out, r)
	}
	sort.Strings(out)
	return out
}

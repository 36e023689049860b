// Package guard holds a synthesized assembly to AWS Control Tower's proactive controls: the
// cfn-guard rules AWS publishes for them (shipped, with the cfn-guard binary, in the npm package
// @cdklabs/cdk-validator-cfnguard that package.json pins), run over every template with its
// cross-stack references resolved, and the platform's declared exceptions. It links no CDK.
package guard

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"sort"
	"strings"
)

// PackageEnv names the environment variable that points at another copy of the npm package (a
// private `npm install --prefix`); by default it is node_modules/@cdklabs/cdk-validator-cfnguard.
const PackageEnv = "CFN_GUARD_PACKAGE_DIR"

// Tool is the cfn-guard binary and the Control Tower rules of one copy of the package.
type Tool struct {
	Binary, Rules string
	// Parallel is how many cfn-guard invocations Check runs at once; 0 is one per CPU.
	Parallel int
}

// Find locates the package under repoRoot (or $CFN_GUARD_PACKAGE_DIR) and its binary for this
// machine.
func Find(repoRoot string) (Tool, error) {
	dir := os.Getenv(PackageEnv)
	if dir == "" {
		dir = filepath.Join(repoRoot, "node_modules", "@cdklabs", "cdk-validator-cfnguard")
	}
	osDir := map[string]string{"linux": "ubuntu", "darwin": "macos"}[runtime.GOOS]
	arch := map[string]string{"amd64": "x86_64", "arm64": "aarch64"}[runtime.GOARCH]
	t := Tool{
		Binary: filepath.Join(dir, "bin", osDir, arch, "cfn-guard"),
		Rules:  filepath.Join(dir, "rules", "control-tower", "cfn-guard"),
	}
	if osDir == "" || arch == "" {
		return t, fmt.Errorf("the cfn-guard package ships no binary for %s/%s", runtime.GOOS, runtime.GOARCH)
	}
	for _, p := range []string{t.Binary, t.Rules} {
		if _, err := os.Stat(p); err != nil {
			return t, fmt.Errorf("%s is missing: run `make deps` (package.json pins @cdklabs/cdk-validator-cfnguard) or set %s to a copy of the package", p, PackageEnv)
		}
	}
	return t, nil
}

var resourceType = regexp.MustCompile(`["'](AWS::[A-Za-z0-9]+::[A-Za-z0-9]+)["']`)

// Rules maps each rule file to the resource types it checks.
type Rules map[string]map[string]bool

// ReadRules reads which resource types each rule file checks.
func (t Tool) ReadRules() (Rules, error) {
	rules := Rules{}
	err := filepath.WalkDir(t.Rules, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".guard") {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		rules[path] = map[string]bool{}
		for _, m := range resourceType.FindAllStringSubmatch(string(data), -1) {
			rules[path][m[1]] = true
		}
		return nil
	})
	return rules, err
}

// For are the rule files that check a resource type in types, sorted: a rule about a type a
// template lacks cannot fail it, and leaving it out saves most of the run.
func (r Rules) For(types map[string]int) []string {
	var files []string
	for file, checks := range r {
		for typ := range types {
			if checks[typ] {
				files = append(files, file)
				break
			}
		}
	}
	sort.Strings(files)
	return files
}

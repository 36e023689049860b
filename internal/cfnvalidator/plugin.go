package cfnvalidator

import (
	"fmt"
	"os"
	"sort"
	"sync"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"
)

// Name is the name CDK's CloudFormation validator reports under: CDK reads acknowledgements of its
// rules ("CloudFormation-Validate::<rule>") and writes the report by it.
const Name = "CloudFormation Validate"

// Plugin is CDK's CloudFormation validator, run in processes of its own, as a validation plugin
// of the App (awscdk.Validations_Of(app).AddPlugins). CDK calls it once the assembly is written,
// where it would have called its own validator, and fails the synthesis on its errors the same way.
type Plugin struct {
	mu        sync.Mutex
	processes []*Process
	started   []*Process // those Start started, which Close stops
	err       error
}

// NewPlugin is a plugin that hands its work to processes (a test binary's, say); Start starts
// more.
func NewPlugin(processes ...*Process) *Plugin { return &Plugin{processes: processes} }

// Start starts validator processes until the plugin has n; each builds its engine at once, while
// the app builds its tree.
func (p *Plugin) Start(n int) {
	p.mu.Lock()
	defer p.mu.Unlock()
	for len(p.processes) < n && p.err == nil {
		var process *Process
		if process, p.err = Start(); p.err == nil {
			p.processes = append(p.processes, process)
			p.started = append(p.started, process)
		}
	}
}

// Close stops the processes Start started.
func (p *Plugin) Close() {
	p.mu.Lock()
	defer p.mu.Unlock()
	for _, process := range p.started {
		process.Close()
	}
	p.started = nil
}

func (p *Plugin) Name() *string { return jsii.String(Name) }

// RuleIds and Version are nil: CDK records them in every stack's analytics metadata, which must
// not depend on the validator's process; the report carries the version.
func (p *Plugin) RuleIds() *[]*string { return nil }
func (p *Plugin) Version() *string    { return nil }

// Validate checks the stacks CDK hands it, split between the processes by template size, and
// reports as CDK's own validator does: one violation per rule and severity, listing every
// resource that breaks it.
func (p *Plugin) Validate(context awscdk.IPolicyValidationContext) *awscdk.PolicyValidationPluginReport {
	stacks := context.StackTemplates()
	p.Start(1)
	p.mu.Lock()
	processes, err := p.processes, p.err
	p.mu.Unlock()
	if err != nil {
		panic(fmt.Sprintf("CloudFormation validator: starting its process: %v", err))
	}
	shares := split(*stacks, len(processes))
	results := make([][]*awscdk.PolicyViolation, len(shares))
	versions := make([]string, len(shares))
	errs := make([]error, len(shares))
	var wg sync.WaitGroup
	for i, share := range shares {
		wg.Add(1)
		go func() {
			defer wg.Done()
			results[i], versions[i], errs[i] = processes[i].Validate(share)
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			panic(fmt.Sprintf("CloudFormation validator: %v", err))
		}
	}
	violations := merge(results)
	report := &awscdk.PolicyValidationPluginReport{Success: jsii.Bool(true), Violations: &violations, PluginVersion: jsii.String(versions[0])}
	for _, v := range violations {
		if v.Severity != nil && (*v.Severity == "error" || *v.Severity == "fatal") {
			report.Success = jsii.Bool(false)
		}
	}
	return report
}

// split deals stacks out to n shares of about equal template size, keeping CDK's order in each.
func split(stacks []*awscdk.PolicyValidationStack, n int) [][]*awscdk.PolicyValidationStack {
	n = max(1, min(n, len(stacks)))
	order := make([]int, len(stacks))
	sizes := make([]int64, len(stacks))
	for i, s := range stacks {
		order[i] = i
		if info, err := os.Stat(*s.TemplatePath); err == nil {
			sizes[i] = info.Size()
		}
	}
	sort.SliceStable(order, func(a, b int) bool { return sizes[order[a]] > sizes[order[b]] })
	owner := make([]int, len(stacks))
	load := make([]int64, n)
	for _, i := range order {
		least := 0
		for j := range load {
			if load[j] < load[least] {
				least = j
			}
		}
		owner[i] = least
		load[least] += sizes[i]
	}
	shares := make([][]*awscdk.PolicyValidationStack, n)
	for i, s := range stacks {
		shares[owner[i]] = append(shares[owner[i]], s)
	}
	return shares
}

// merge joins the shares' reports into one, as the validator joins a report's diagnostics: one
// violation per rule and severity.
func merge(results [][]*awscdk.PolicyViolation) []*awscdk.PolicyViolation {
	var merged []*awscdk.PolicyViolation
	index := map[string]*awscdk.PolicyViolation{}
	for _, violations := range results {
		for _, v := range violations {
			key := *v.RuleName + "\x00" + deref(v.Severity)
			if existing, ok := index[key]; ok {
				joined := append(append([]*awscdk.PolicyViolatingResource(nil), *existing.ViolatingResources...), *v.ViolatingResources...)
				existing.ViolatingResources = &joined
				continue
			}
			copied := *v
			index[key] = &copied
			merged = append(merged, &copied)
		}
	}
	return merged
}

func deref(s *string) string {
	if s == nil {
		return ""
	}
	return *s
}

package cfnvalidator

import (
	"bytes"
	"crypto/sha256"
	"fmt"
	"os"
	"sort"
	"sync"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/cxapi"
	"github.com/aws/jsii-runtime-go"
)

// Name is the name CDK's CloudFormation validator reports under: CDK reads acknowledgements of its
// rules ("CloudFormation-Validate::<rule>") and writes the report by it.
const Name = "CloudFormation Validate"

// Plugin is CDK's CloudFormation validator, run in processes of its own, as a validation plugin
// of the App (awscdk.Validations_Of(app).AddPlugins). CDK calls it once the assembly is written,
// where it would have called its own validator, and fails the synthesis on its errors the same
// way. Stages whose templates are written before that (CDK Pipelines synthesizes a stage when it
// adds it) can be handed over early (Prevalidate), so their check runs while the app goes on.
type Plugin struct {
	mu        sync.Mutex
	processes []*Process
	started   []*Process // those Start started, which Close stops
	err       error
	early     map[string]*earlyCheck // by template path
	next      int                    // the process the next early check goes to
}

// earlyCheck is the check of one stage's stacks handed over before CDK asked.
type earlyCheck struct {
	done       chan struct{}
	violations []*awscdk.PolicyViolation
	err        error
	// digests are the templates as they were checked, by path: one written again since is
	// checked again.
	digests map[string][sha256.Size]byte
}

// NewPlugin is a plugin that hands its work to processes (a test binary's, say); Start starts
// more.
func NewPlugin(processes ...*Process) *Plugin {
	return &Plugin{processes: processes, early: map[string]*earlyCheck{}}
}

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

// Prevalidate hands the stacks of stage, already synthesized, to a validator process and returns
// at once; Validate uses the result for every template not written again since.
func (p *Plugin) Prevalidate(stage awscdk.Stage) {
	// The stage's assembly, cached since the pipeline synthesized it: this writes nothing.
	stacks := Stacks(stage.Synth(nil))
	check := &earlyCheck{done: make(chan struct{}), digests: map[string][sha256.Size]byte{}}
	for _, s := range stacks {
		data, err := os.ReadFile(*s.TemplatePath)
		if err != nil {
			return // left to Validate
		}
		check.digests[*s.TemplatePath] = sha256.Sum256(data)
	}
	p.Start(1)
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.err != nil || len(stacks) == 0 {
		return
	}
	process := p.processes[p.next%len(p.processes)]
	p.next++
	for _, s := range stacks {
		p.early[*s.TemplatePath] = check
	}
	go func() {
		defer close(check.done)
		check.violations, check.err = process.Validate(stacks)
	}()
}

// Stacks are the stacks of assembly, nested ones included, as CDK hands them to a plugin: each
// template with its stack's account and region, where the stack has them.
func Stacks(assembly cxapi.CloudAssembly) []*awscdk.PolicyValidationStack {
	var stacks []*awscdk.PolicyValidationStack
	for _, artifact := range *assembly.StacksRecursively() {
		env := artifact.Environment()
		stack := &awscdk.PolicyValidationStack{StackConstructPath: artifact.HierarchicalId(), TemplatePath: artifact.TemplateFullPath()}
		// CDK leaves an environment-agnostic stack's account and region to the engine's defaults.
		if account := *env.Account; account != "unknown-account" {
			stack.AccountId = jsii.String(account)
		}
		if region := *env.Region; region != "unknown-region" {
			stack.Region = jsii.String(region)
		}
		stacks = append(stacks, stack)
	}
	return stacks
}

// Validate checks the stacks CDK hands it: those checked early and unchanged since by that
// check's result, the rest split between the processes by template size. It reports as CDK's own
// validator does: one violation per rule and severity, listing every resource that breaks it.
func (p *Plugin) Validate(context awscdk.IPolicyValidationContext) *awscdk.PolicyValidationPluginReport {
	p.Start(1)
	p.mu.Lock()
	processes, err := p.processes, p.err
	early := map[*earlyCheck]bool{}
	var rest []*awscdk.PolicyValidationStack
	for _, s := range *context.StackTemplates() {
		if check := p.early[*s.TemplatePath]; check != nil && check.checked(*s.TemplatePath) {
			early[check] = true
		} else {
			rest = append(rest, s)
		}
	}
	p.mu.Unlock()
	if err != nil {
		panic(fmt.Sprintf("CloudFormation validator: starting its process: %v", err))
	}
	var results [][]*awscdk.PolicyViolation
	for check := range early {
		<-check.done
		if check.err != nil {
			panic(fmt.Sprintf("CloudFormation validator: %v", check.err))
		}
		results = append(results, check.violations)
	}
	shares := split(rest, len(processes))
	late := make([][]*awscdk.PolicyViolation, len(shares))
	errs := make([]error, len(shares))
	var wg sync.WaitGroup
	for i, share := range shares {
		wg.Add(1)
		go func() {
			defer wg.Done()
			late[i], errs[i] = processes[i].Validate(share)
		}()
	}
	wg.Wait()
	for _, err := range errs {
		if err != nil {
			panic(fmt.Sprintf("CloudFormation validator: %v", err))
		}
	}
	violations := merge(append(results, late...))
	report := &awscdk.PolicyValidationPluginReport{Success: jsii.Bool(true), Violations: &violations, PluginVersion: processes[0].version()}
	for _, v := range violations {
		if v.Severity != nil && (*v.Severity == "error" || *v.Severity == "fatal") {
			report.Success = jsii.Bool(false)
		}
	}
	return report
}

// checked reports whether the template at path is as the early check read it.
func (c *earlyCheck) checked(path string) bool {
	want, ok := c.digests[path]
	if !ok {
		return false
	}
	data, err := os.ReadFile(path)
	if err != nil {
		return false
	}
	got := sha256.Sum256(data)
	return bytes.Equal(got[:], want[:])
}

// split deals stacks out to n shares of about equal template size, keeping CDK's order in each.
func split(stacks []*awscdk.PolicyValidationStack, n int) [][]*awscdk.PolicyValidationStack {
	if len(stacks) == 0 {
		return nil
	}
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

// merge joins reports into one, as the validator joins a report's diagnostics: one violation per
// rule and severity.
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

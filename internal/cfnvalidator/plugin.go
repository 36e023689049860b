package cfnvalidator

import (
	"crypto/sha256"
	"fmt"
	"os"
	"sync"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/cxapi"
	"github.com/aws/jsii-runtime-go"
)

// Name is the name CDK's CloudFormation validator reports under: CDK reads acknowledgements of its
// rules ("CloudFormation-Validate::<rule>") and writes the report by it.
const Name = "CloudFormation Validate"

// Plugin is CDK's CloudFormation validator, run in a process of its own, as a validation plugin
// of the App (awscdk.Validations_Of(app).AddPlugins). CDK calls it once the assembly is written,
// where it would have called its own validator, and fails the synthesis on its errors the same
// way. Stages whose templates are written before that (CDK Pipelines synthesizes a stage when it
// adds it) can be handed over early (Prevalidate), so their check runs while the app goes on.
type Plugin struct {
	mu      sync.Mutex
	process *Process
	started bool // whether Start started it, and Close stops it
	err     error
	early   map[string]*earlyCheck // by template path
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

// NewPlugin is a plugin that hands its work to process, or, if nil, to the one Start starts.
//
// One process: measured on 2 cores, a second one starting beside the synthesis slowed it more
// than sharing out the templates sped their check (example.json: 10.5 s against 8.4 s).
func NewPlugin(process *Process) *Plugin {
	return &Plugin{process: process, early: map[string]*earlyCheck{}}
}

// Start starts the validator's process, if the plugin has none yet: it builds its engine at
// once, while the app builds its tree.
func (p *Plugin) Start() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.process == nil && p.err == nil {
		p.process, p.err = Start()
		p.started = p.err == nil
	}
}

// Close stops the process, if Start started it.
func (p *Plugin) Close() {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.started {
		p.process.Close()
		p.started = false
	}
}

func (p *Plugin) Name() *string { return jsii.String(Name) }

// RuleIds and Version are nil: CDK records them in every stack's analytics metadata (with the
// plugin's name), which must not depend on when the validator's process answers. So
// validation-report.json names no version for the validator, where CDK's in-process one named
// its engine's.
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
	p.Start()
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.err != nil || len(stacks) == 0 {
		return
	}
	process := p.process
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
// check's result, the rest now. It reports as CDK's own validator does: one violation per rule
// and severity, listing every resource that breaks it.
func (p *Plugin) Validate(context awscdk.IPolicyValidationContext) *awscdk.PolicyValidationPluginReport {
	p.Start()
	p.mu.Lock()
	process, err := p.process, p.err
	// An early check stands for its stacks only if none of their templates was written again:
	// its findings are one report over all of them.
	current := map[*earlyCheck]bool{}
	for _, check := range p.early {
		if _, seen := current[check]; !seen {
			current[check] = check.current()
		}
	}
	used := map[*earlyCheck]bool{}
	var early []*earlyCheck // in CDK's order of their stacks, for a report in the same order each run
	var rest []*awscdk.PolicyValidationStack
	for _, s := range *context.StackTemplates() {
		if check := p.early[*s.TemplatePath]; check != nil && current[check] {
			if !used[check] {
				used[check] = true
				early = append(early, check)
			}
		} else {
			rest = append(rest, s)
		}
	}
	p.mu.Unlock()
	if err != nil {
		panic(fmt.Sprintf("CloudFormation validator: starting its process: %v", err))
	}
	var results [][]*awscdk.PolicyViolation
	for _, check := range early {
		<-check.done
		if check.err != nil {
			panic(fmt.Sprintf("CloudFormation validator: %v", check.err))
		}
		results = append(results, check.violations)
	}
	if len(rest) > 0 {
		late, err := process.Validate(rest)
		if err != nil {
			panic(fmt.Sprintf("CloudFormation validator: %v", err))
		}
		results = append(results, late)
	}
	violations := merge(results)
	report := &awscdk.PolicyValidationPluginReport{Success: jsii.Bool(true), Violations: &violations, PluginVersion: process.version()}
	for _, v := range violations {
		if v.Severity != nil && (*v.Severity == "error" || *v.Severity == "fatal") {
			report.Success = jsii.Bool(false)
		}
	}
	return report
}

// current reports whether every template the check read is as it read it.
func (c *earlyCheck) current() bool {
	for path, want := range c.digests {
		data, err := os.ReadFile(path)
		if err != nil || sha256.Sum256(data) != want {
			return false
		}
	}
	return true
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

// Package plan is the deployment plan: from a validated config.Platform, every stack the app
// synthesizes (each environment's, the tooling account's, every account-region's baseline and
// the pipeline's) with its name, account, region, tier, protection, what it waits for, and the
// pipeline stage and actions that deploy it. It is computed once and imports no CDK: stacks/
// composes what it lists, and lib/config's validation, the docs generators and the commands
// read it instead of working out "where does this platform deploy" again.
package plan

import (
	"slices"

	"github.com/example/platform/lib/config"
)

// Plan is where everything of one platform goes.
type Plan struct {
	Platform *config.Platform
	// Baseline is the security baseline's stage: one stack per account-region, deployed first.
	Baseline Stage
	// Tooling is the tooling account's stage (the image repositories), deployed second.
	Tooling Stage
	// Environments are the environments' stages, in config order, deployed after the tooling.
	Environments []Stage
	// Pipeline is the pipeline's own stack, which deploys itself (self-mutation) before the stages.
	Pipeline Stack
	// Support are the stacks CDK Pipelines adds beside the pipeline's, one in each other region
	// a stage deploys to (an artifact bucket and key there); the pipeline's stack waits for them.
	Support []Stack
	// AccountRegions are every account and region the platform deploys to, each once, in config
	// order: each gets a baseline stack.
	AccountRegions []AccountRegion
}

// Stage is a CDK stage, which the pipeline deploys as one of its stages.
type Stage struct {
	// Name is the stage's construct ID and its pipeline stage's name.
	Name string
	// Account is the stage's default account ("" for the baseline, whose stacks each name one).
	Account string
	// Wave is the stage's place among the pipeline's deployment stages, from 0 (the baseline).
	Wave int
	// Stacks are in the order stacks/ creates them, which respects their dependencies.
	Stacks []Stack
	// Steps are the stage's actions other than its stacks' deployments.
	Steps []Step
}

// Stack is one CloudFormation stack.
type Stack struct {
	// ID is the construct ID in its stage (or in the app, for the pipeline's stack); Name is the
	// CloudFormation stack name. Never change either once deployed.
	ID, Name        string
	Account, Region string
	Tier            string
	// Environment is the environment the stack belongs to: an environment's name, the tooling
	// environment, or "" for a baseline stack (shared by every environment of its account).
	Environment string
	// Stateful stacks hold data that outlives a deployment (keys, databases, buckets, images,
	// audit records).
	Stateful bool
	// TerminationProtection is on for the stateful stacks the config protects.
	TerminationProtection bool
	// DependsOn are the stacks (in the same stage) this one deploys after, by name.
	DependsOn []Dependency
	// Actions is how many pipeline actions deploy the stack (0 for the pipeline's own).
	Actions int
}

// Dependency is one stack another waits for, and why.
type Dependency struct {
	Stack, Reason string
}

// Step is one or more pipeline actions of a stage that deploy no stack.
type Step struct {
	// Actions is how many actions the step adds to its stage.
	Actions int
	// For says what the actions are for, as a count reads: "3 for the permissions check and approval".
	For string
	// Pre steps run before the stage's stacks deploy; the others after.
	Pre bool
}

// ActionsPerStack: the pipeline deploys each stack in one action (CloudFormation's create or
// update, without a separate change-set action to prepare it), which leaves room for more regions
// and tiers.
const ActionsPerStack = 1

// MaxActionsPerStage is the most actions a CodePipeline stage may hold ("Quotas in AWS
// CodePipeline": number of actions in a stage, 1 to 50).
const MaxActionsPerStage = 50

// New plans p, which lib/config has validated.
func New(p *config.Platform) *Plan {
	result := &Plan{Platform: p}
	for i, env := range p.Environments {
		result.Environments = append(result.Environments, environmentStage(p, env, i+2))
	}
	result.AccountRegions = accountRegions(p, result.Environments)
	result.Baseline = baselineStage(p, result.AccountRegions, 0)
	result.Tooling = toolingStage(p, result.Environments, 1)
	result.Pipeline, result.Support = pipelineStacks(p, result.Stages())
	return result
}

// Stages are every stage in pipeline order: the baseline, the tooling, the environments.
func (p *Plan) Stages() []Stage {
	return append([]Stage{p.Baseline, p.Tooling}, p.Environments...)
}

// Environment is the stage of the environment named name.
func (p *Plan) Environment(name string) (Stage, bool) {
	i := slices.IndexFunc(p.Environments, func(s Stage) bool { return s.Name == name })
	if i < 0 {
		return Stage{}, false
	}
	return p.Environments[i], true
}

// Actions is how many actions the stage has in the pipeline.
func (s Stage) Actions() int {
	actions := 0
	for _, stack := range s.Stacks {
		actions += stack.Actions
	}
	for _, step := range s.Steps {
		actions += step.Actions
	}
	return actions
}

// Stack is the stage's stack of tier in region.
func (s Stage) Stack(region, tier string) (Stack, bool) {
	i := slices.IndexFunc(s.Stacks, func(st Stack) bool { return st.Region == region && st.Tier == tier })
	if i < 0 {
		return Stack{}, false
	}
	return s.Stacks[i], true
}

// OfTier are the stage's stacks of tier, in stage order.
func (s Stage) OfTier(tier string) []Stack {
	var out []Stack
	for _, st := range s.Stacks {
		if st.Tier == tier {
			out = append(out, st)
		}
	}
	return out
}

// Waits are the stacks of tier that the stage's stack named name waits for, in the plan's order:
// for the primary region's lake, the lakes it replicates into.
func (s Stage) Waits(name, tier string) []Stack {
	i := slices.IndexFunc(s.Stacks, func(st Stack) bool { return st.Name == name })
	if i < 0 {
		return nil
	}
	var out []Stack
	for _, dep := range s.Stacks[i].DependsOn {
		j := slices.IndexFunc(s.Stacks, func(st Stack) bool { return st.Name == dep.Stack })
		if j >= 0 && s.Stacks[j].Tier == tier {
			out = append(out, s.Stacks[j])
		}
	}
	return out
}

// Regions are the regions of the stage's stacks, each once, in stage order.
func (s Stage) Regions() []string {
	var out []string
	for _, st := range s.Stacks {
		if !slices.Contains(out, st.Region) {
			out = append(out, st.Region)
		}
	}
	return out
}

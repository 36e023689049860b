package test

import (
	"slices"
	"testing"

	"github.com/example/platform/lib/plan"
	"github.com/example/platform/test/testkit"
)

// planConfigs are the platforms whose assembly the plan must describe: every config, and the
// platform whose environments share an account (where account-regions are shared too).
var planConfigs = withFixtures(sharedAccountConfig)

// The plan (lib/plan) is what bootstrap, preflight, cost, the baselines and the pipeline's limits
// rely on; the assembly is what deploys. Stack for stack they are the same: names, stages,
// accounts, regions, termination protection and dependencies, with no stack in one only.
func TestPlan_TheAssemblyIsThePlanStackForStack(t *testing.T) {
	for _, file := range planConfigs {
		t.Run(file, func(t *testing.T) {
			p := testkit.Synth(t, file)
			a := assemblyOf(t, p)
			planned := map[string]bool{}
			check := func(stage string, s plan.Stack) {
				planned[s.Name] = true
				got, ok := a.byName[s.Name]
				if !ok {
					t.Errorf("the plan has %s, which the assembly does not", s.Name)
					return
				}
				if got.Stage != stage || got.Account != s.Account || got.Region != s.Region {
					t.Errorf("%s is in stage %q, %s/%s; the plan puts it in stage %q, %s/%s", s.Name, got.Stage, got.Account, got.Region, stage, s.Account, s.Region)
				}
				var want []string
				for _, dep := range s.DependsOn {
					want = append(want, dep.Stack)
				}
				slices.Sort(want)
				if !slices.Equal(got.DependsOn, want) {
					t.Errorf("%s waits for %v; the plan says %v", s.Name, got.DependsOn, want)
				}
				if s.Tier == plan.TierPipelineSupport {
					return // CDK Pipelines' own stack, which only the plan's name and place describe
				}
				protected := p.Stack(t, s.Name).TerminationProtection()
				if (protected != nil && *protected) != s.TerminationProtection {
					t.Errorf("%s: termination protection %v, the plan says %v", s.Name, protected != nil && *protected, s.TerminationProtection)
				}
			}
			for _, stage := range p.Stacks.Plan.Stages() {
				for _, s := range stage.Stacks {
					check(stage.Name, s)
				}
			}
			check("", p.Stacks.Plan.Pipeline)
			for _, s := range p.Stacks.Plan.Support {
				check("", s)
			}
			for _, s := range a.stacks {
				if !planned[s.Name] {
					t.Errorf("the assembly has %s (stage %q), which the plan does not", s.Name, s.Stage)
				}
			}
		})
	}
}

// Each stage of the plan is a stage of the pipeline, in the plan's order, deploying each of its
// stacks in one action, with as many actions as the plan counts: lib/config refuses a config
// whose stage would exceed CodePipeline's 50 with that count.
func TestPlan_ThePipelineRunsEachStageWithThePlansActions(t *testing.T) {
	for _, file := range planConfigs {
		t.Run(file, func(t *testing.T) {
			p := testkit.Synth(t, file)
			pipeline, _ := pipelineOf(t, p)
			var order, want []string
			for _, stage := range pipeline.Stages {
				order = append(order, stage.Name)
			}
			for wave, stage := range p.Stacks.Plan.Stages() {
				if stage.Wave != wave {
					t.Errorf("stage %s is wave %d, listed %d", stage.Name, stage.Wave, wave)
				}
				want = append(want, stage.Name)
				built := stageNamed(t, pipeline, stage.Name)
				if got := len(built.Actions); got != stage.Actions() || got > plan.MaxActionsPerStage {
					t.Errorf("the %s stage has %d actions; the plan counts %d (at most %d)", stage.Name, got, stage.Actions(), plan.MaxActionsPerStage)
				}
				for _, s := range stage.Stacks {
					if !hasAction(built, s.Name+".Deploy") {
						t.Errorf("the %s stage does not deploy %s", stage.Name, s.Name)
					}
				}
			}
			if got := order[len(order)-len(want):]; !slices.Equal(got, want) {
				t.Errorf("the pipeline's last stages are %v; the plan's are %v", got, want)
			}
		})
	}
}

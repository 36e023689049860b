// Package waves reads the pipeline's deployment waves out of a synthesized assembly: for each
// pipeline stage, the run orders that deploy stacks, which stack dependencies put each wave
// after the one before (what a change to the plan would have to remove to merge them), and an
// estimate of the time from a push to production. make bench writes them to bench/results.md.
package waves

import (
	"fmt"
	"slices"
	"sort"
	"strings"

	"github.com/example/platform/internal/assembly"
)

// Step is the actions of one run order of a pipeline stage, which run in parallel.
type Step struct {
	RunOrder int
	Actions  []string
	// Deploys are the stacks the step's deploy actions deploy; a step with some is a wave.
	Deploys []string
}

// Stage is one stage of the pipeline, its steps in run order.
type Stage struct {
	Name  string
	Steps []Step
}

// Waves are the stage's steps that deploy stacks.
func (s Stage) Waves() []Step {
	var waves []Step
	for _, step := range s.Steps {
		if len(step.Deploys) > 0 {
			waves = append(waves, step)
		}
	}
	return waves
}

// Pipeline reads the stages of the one CodePipeline in stacks.
func Pipeline(stacks []*assembly.Stack) ([]Stage, error) {
	for _, s := range stacks {
		if stages, ok := s.PipelineStages(); ok {
			return stagesOf(stages), nil
		}
	}
	return nil, fmt.Errorf("no AWS::CodePipeline::Pipeline in the assembly's %d stacks", len(stacks))
}

// stagesOf groups each stage's actions into steps by run order.
func stagesOf(pipeline []assembly.PipelineStage) []Stage {
	var stages []Stage
	for _, ps := range pipeline {
		byOrder := map[int]*Step{}
		for _, a := range ps.Actions {
			step := byOrder[a.RunOrder]
			if step == nil {
				step = &Step{RunOrder: a.RunOrder}
				byOrder[a.RunOrder] = step
			}
			step.Actions = append(step.Actions, a.Name)
			// CDK Pipelines names a stack's deploy action <stack name>.Deploy.
			if stack, ok := strings.CutSuffix(a.Name, ".Deploy"); ok {
				step.Deploys = append(step.Deploys, stack)
			}
		}
		stage := Stage{Name: ps.Name}
		for _, step := range byOrder {
			sort.Strings(step.Actions)
			sort.Strings(step.Deploys)
			stage.Steps = append(stage.Steps, *step)
		}
		sort.Slice(stage.Steps, func(i, j int) bool { return stage.Steps[i].RunOrder < stage.Steps[j].RunOrder })
		stages = append(stages, stage)
	}
	return stages
}

// Edge is a stack of one wave depending on a stack of the wave before.
type Edge struct{ Stack, DependsOn string }

// Holds are, for each wave of stage after its first, the dependencies that put it after the
// wave before: a change to the plan that removed them (a value read by name instead of by
// reference, a resource moved to another stack) would let the two waves deploy together.
func Holds(stage Stage, stacks []*assembly.Stack) [][]Edge {
	byName := assembly.ByName(stacks)
	waves := stage.Waves()
	holds := make([][]Edge, len(waves))
	for i := 1; i < len(waves); i++ {
		for _, name := range waves[i].Deploys {
			s := byName[name]
			if s == nil {
				continue
			}
			for _, dep := range s.DependsOn {
				if slices.Contains(waves[i-1].Deploys, dep) {
					holds[i] = append(holds[i], Edge{Stack: name, DependsOn: dep})
				}
			}
		}
	}
	return holds
}

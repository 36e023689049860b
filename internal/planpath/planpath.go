// Package planpath reads the workflows of an ARC Region switch plan (AWS::ARCRegionSwitch::Plan)
// as a template holds them and computes how long each can take at worst: its critical path. It
// needs no CDK, so the assembly's rules and the runbook generator both read plans through it.
package planpath

import (
	"fmt"
	"maps"
	"slices"
)

// Parallel is the execution block type whose steps run at the same time.
const Parallel = "Parallel"

// approvalDefaultMinutes is how long a ManualApproval step waits when its configuration gives no
// TimeoutMinutes (ExecutionApprovalConfiguration: default 60).
const approvalDefaultMinutes = 60

// Step is one step of a workflow: Minutes is its timeout, the longest ARC lets it run; a
// Parallel step has Branches instead, each a step that runs alongside the others.
type Step struct {
	Name, Type string
	Minutes    float64
	Branches   []Step
}

// Steps reads a workflow's steps (its Steps property) in the order they run.
func Steps(workflow map[string]any) ([]Step, error) {
	return readSteps(workflow["Steps"], "Steps")
}

func readSteps(raw any, path string) ([]Step, error) {
	list, ok := raw.([]any)
	if !ok || len(list) == 0 {
		return nil, fmt.Errorf("%s: no steps", path)
	}
	var steps []Step
	for i, item := range list {
		m, _ := item.(map[string]any)
		name, _ := m["Name"].(string)
		kind, _ := m["ExecutionBlockType"].(string)
		at := fmt.Sprintf("%s[%d] (%s)", path, i, name)
		config, _ := m["ExecutionBlockConfiguration"].(map[string]any)
		if len(config) != 1 {
			return nil, fmt.Errorf("%s: want exactly one execution block configuration, have %v", at, slices.Sorted(maps.Keys(config)))
		}
		var block map[string]any
		for _, v := range config {
			block, _ = v.(map[string]any)
		}
		step := Step{Name: name, Type: kind}
		switch minutes, has := block["TimeoutMinutes"].(float64); {
		case kind == Parallel:
			branches, err := readSteps(block["Steps"], at+".ParallelConfig.Steps")
			if err != nil {
				return nil, err
			}
			step.Branches = branches
		case has:
			step.Minutes = minutes
		case kind == "ManualApproval":
			step.Minutes = approvalDefaultMinutes
		default:
			return nil, fmt.Errorf("%s: a %s step without TimeoutMinutes has no bound on how long it runs", at, kind)
		}
		steps = append(steps, step)
	}
	return steps, nil
}

// CriticalPath is the longest steps can take: one after another their times add, and a
// Parallel step takes as long as its longest branch.
func CriticalPath(steps []Step) float64 {
	var total float64
	for _, s := range steps {
		total += s.minutes()
	}
	return total
}

func (s Step) minutes() float64 {
	if s.Type != Parallel {
		return s.Minutes
	}
	var longest float64
	for _, b := range s.Branches {
		longest = max(longest, b.minutes())
	}
	return longest
}

// WorkflowMinutes is the critical path of a workflow, in minutes.
func WorkflowMinutes(workflow map[string]any) (float64, error) {
	steps, err := Steps(workflow)
	if err != nil {
		return 0, err
	}
	return CriticalPath(steps), nil
}

// Find is the step named name, at the top of steps or in a Parallel step's branches.
func Find(steps []Step, name string) (Step, bool) {
	for _, s := range steps {
		if s.Name == name {
			return s, true
		}
		if found, ok := Find(s.Branches, name); ok {
			return found, true
		}
	}
	return Step{}, false
}

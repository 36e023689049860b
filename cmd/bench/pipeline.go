package main

import (
	"fmt"
	"strings"
	"time"

	"github.com/example/platform/internal/assembly"
	"github.com/example/platform/internal/waves"
)

// pipelineSection is the pipeline of example.json: each stage's steps and deployment waves, the
// estimated time from a push to production, and which dependencies hold each wave after the one
// before (what a change to the plan would remove to merge them).
func pipelineSection(stacks []*assembly.Stack) (section string, summary string) {
	stages, err := waves.Pipeline(stacks)
	check(err)
	var out strings.Builder
	total := waves.ToProduction(stages)
	fmt.Fprintf(&out, "\n## Pipeline of example.json\n\nEstimated time from a push to production: **%s**, the approval's wait left out. ", minutes(total))
	fmt.Fprintln(&out, "The estimate adds each step's slowest action under `internal/waves.Durations` (planning")
	fmt.Fprintln(&out, "figures: a deploy action 3 min, the image build 6 min, the synth 4 min); each deployment wave costs a deploy action's time.")
	fmt.Fprintln(&out, "\n| Stage | Steps | Deployment waves | Estimate |\n|---|---|---|---|")
	var perStage []string
	for _, stage := range stages {
		n := len(stage.Waves())
		fmt.Fprintf(&out, "| %s | %d | %d | %s |\n", stage.Name, len(stage.Steps), n, minutes(waves.Estimate(stage)))
		if n > 0 {
			perStage = append(perStage, fmt.Sprintf("%s %d", stage.Name, n))
		}
	}
	fmt.Fprintln(&out, "\nWhat holds each wave after the one before (a stack of the wave depending on one of the wave before).")
	fmt.Fprintln(&out, "A wave held by one dependency merges with the one before if the plan drops that dependency")
	fmt.Fprintln(&out, "(reads the value by name, or moves the resource to a stack of an earlier wave):")
	for _, stage := range stages {
		holds := waves.Holds(stage, stacks)
		for i, wave := range stage.Waves() {
			if i == 0 {
				continue
			}
			var edges []string
			for _, e := range holds[i] {
				edges = append(edges, fmt.Sprintf("%s → %s", short(e.Stack), short(e.DependsOn)))
			}
			mark := ""
			if len(holds[i]) == 1 {
				mark = " **(one dependency: a candidate to merge)**"
			}
			fmt.Fprintf(&out, "\n- %s wave %d (%s): %s%s", stage.Name, i+1, strings.Join(shortAll(wave.Deploys), ", "), strings.Join(edges, "; "), mark)
		}
	}
	fmt.Fprintln(&out)
	return out.String(), fmt.Sprintf("%s; deployment waves: %s", minutes(total), strings.Join(perStage, ", "))
}

// short drops the platform name from a stack name: acme-staging-us-east-1-app is staging-us-east-1-app.
func short(stack string) string {
	if _, rest, ok := strings.Cut(stack, "-"); ok {
		return rest
	}
	return stack
}

func shortAll(stacks []string) []string {
	out := make([]string, len(stacks))
	for i, s := range stacks {
		out[i] = short(s)
	}
	return out
}

func minutes(d time.Duration) string {
	m := int(d.Minutes())
	if m >= 60 {
		return fmt.Sprintf("%d h %02d min", m/60, m%60)
	}
	return fmt.Sprintf("%d min", m)
}

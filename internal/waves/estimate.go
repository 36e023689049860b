package waves

import (
	"strings"
	"time"
)

// Durations are what the estimate assumes each kind of pipeline action takes, the slowest action
// of a step setting the step's time. They are planning figures, not measurements: a small
// CloudFormation change set of one stack is created and executed in a few minutes, a Docker
// build with a scan and the synthesis (make synth on a CodeBuild host) take several.
var Durations = map[string]time.Duration{
	"Source":           1 * time.Minute,
	"Image":            6 * time.Minute, // docker build, push to every region, image scan
	"Synth":            4 * time.Minute, // go build and cdk synth, the validator on
	"SelfMutate":       3 * time.Minute,
	"Assets":           2 * time.Minute,
	"CheckPermissions": 1 * time.Minute,
	"Deploy":           3 * time.Minute, // one stack's change set, created and executed
	"SmokeTest":        2 * time.Minute,
	"MarkDeployed":     1 * time.Minute,
	"ProtectStacks":    1 * time.Minute,
	"other":            1 * time.Minute,
}

// Approval is left out of the estimate: it waits for a person.
const Approval = "Approve"

// durationOf is the assumed duration of the action named name in stage.
func durationOf(stage, name string) time.Duration {
	switch {
	case name == Approval:
		return 0
	case strings.HasSuffix(name, ".Deploy"):
		return Durations["Deploy"]
	case strings.HasPrefix(name, "CheckPermissions"):
		return Durations["CheckPermissions"]
	case stage == "Source":
		return Durations["Source"]
	case stage == "Assets":
		return Durations["Assets"]
	}
	if d, ok := Durations[name]; ok {
		return d
	}
	return Durations["other"]
}

// Estimate is the time a stage takes under Durations: its steps one after the other, each as
// long as its slowest action.
func Estimate(stage Stage) time.Duration {
	var total time.Duration
	for _, step := range stage.Steps {
		var slowest time.Duration
		for _, action := range step.Actions {
			slowest = max(slowest, durationOf(stage.Name, action))
		}
		total += slowest
	}
	return total
}

// ToProduction is the estimated time from a push to the last stage's end (production), the
// approval's wait left out.
func ToProduction(stages []Stage) time.Duration {
	var total time.Duration
	for _, stage := range stages {
		total += Estimate(stage)
	}
	return total
}

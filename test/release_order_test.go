package test

import (
	"testing"

	"github.com/example/platform/stacks"
	"github.com/example/platform/test/constructkit"
	"github.com/example/platform/test/testkit"
)

// deployActions stands for every CloudFormation deployment of a stage in releaseOrder.
const deployActions = "<every deployment>"

// releaseOrder is the order a release goes through each stage that has these actions: a person
// decides after the permissions check and before anything deploys, the smoke test judges what
// deployed, and only a release that passed it is tagged as a rollback candidate.
var releaseOrder = []struct{ before, after string }{
	{stacks.CheckPermissionsStep + ".Check", stacks.ConfirmAction},
	{stacks.ConfirmAction, deployActions},
	{stacks.ApproveAction, deployActions},
	{deployActions, "SmokeTest"},
	{deployActions, "MarkDeployed"},
	{"SmokeTest", "MarkDeployed"},
}

// runOrders are the run orders of the actions called name in stage (every Deploy action for
// deployActions).
func runOrders(stage pipelineStage, name string) []int {
	var orders []int
	for _, a := range stage.Actions {
		if (name == deployActions && a.ActionTypeID.Category == "Deploy") || a.Name == name {
			orders = append(orders, a.RunOrder)
		}
	}
	return orders
}

// Rule: in every stage of the synthesized pipeline of both configs, each pair of releaseOrder
// that the stage holds runs in that order (a greater RunOrder runs after a smaller one has
// succeeded; an equal one runs alongside it).
func TestRule_ReleaseStepsRunInTheOrderTheReleaseFlowNeeds(t *testing.T) {
	for _, file := range configs {
		p := testkit.Synth(t, file)
		pipeline, _ := pipelineOf(t, p)
		marked := 0
		for _, stage := range pipeline.Stages {
			if hasAction(stage, "MarkDeployed") {
				marked++
			}
			for _, pair := range releaseOrder {
				for _, before := range runOrders(stage, pair.before) {
					for _, after := range runOrders(stage, pair.after) {
						if after <= before {
							t.Errorf("%s/%s: %s (run order %d) does not run after %s (run order %d)", file, stage.Name, pair.after, after, pair.before, before)
						}
					}
				}
			}
		}
		constructkit.CheckedSomething(t, marked, "stage with MarkDeployed in "+file)
	}
}

package test

// A recovery time a plan declares is one its own steps can meet: every Region switch plan of
// every stack, both configs, takes at worst (its steps' timeouts along its critical path) no
// longer than its RecoveryTimeObjectiveMinutes, in the workflow that moves away from the primary
// and in the one that returns to it, and the Resilience Hub policy beside it promises the same
// region RTO.

import (
	"fmt"
	"strings"
	"testing"

	"github.com/example/platform/internal/planpath"
	"github.com/example/platform/test/constructkit"
)

func TestRule_PlansCanMeetTheRecoveryTimeTheyDeclare(t *testing.T) {
	eachAssembly(t, func(t *testing.T, a *deployed) {
		workflows := 0
		for _, s := range a.stacks {
			plans := resourcesOf(s, "AWS::ARCRegionSwitch::Plan").ofType("AWS::ARCRegionSwitch::Plan")
			if len(plans) == 0 {
				continue
			}
			policies := resourcesOf(s, "AWS::ResilienceHub::ResiliencyPolicy").ofType("AWS::ResilienceHub::ResiliencyPolicy")
			for id, plan := range plans {
				rto, _ := plan["RecoveryTimeObjectiveMinutes"].(float64)
				if rto <= 0 {
					t.Errorf("%s/%s declares no recovery time objective", s.Name, id)
				}
				targets := map[string]bool{}
				for _, raw := range asList(plan["Workflows"]) {
					workflow, _ := raw.(map[string]any)
					target := fmt.Sprint(workflow["WorkflowTargetAction"], " ", workflow["WorkflowTargetRegion"])
					targets[target] = true
					workflows++
					worst, err := planpath.WorkflowMinutes(workflow)
					switch {
					case err != nil:
						t.Errorf("%s/%s, %s: %v", s.Name, id, target, err)
					case worst > rto:
						t.Errorf("%s/%s, %s: its steps can take %v minutes, more than the %v it declares; run steps alongside each other or shorten their timeouts (lib/config's Plan*Minutes)",
							s.Name, id, target, worst, rto)
					}
				}
				if len(targets) != 2 {
					t.Errorf("%s/%s has workflows %v; want one to each of its two regions (the move and the return)", s.Name, id, targets)
				}
				for policyID, policy := range policies {
					body, _ := policy["Policy"].(map[string]any)
					region, _ := body["Region"].(map[string]any)
					if region["RtoInSecs"] != rto*60 {
						t.Errorf("%s: policy %s promises a region RTO of %v s, plan %s declares %v minutes", s.Name, policyID, region["RtoInSecs"], id, rto)
					}
				}
				if len(policies) != 1 {
					t.Errorf("%s: %d resiliency policies beside plan %s; want the environment's one", s.Name, len(policies), id)
				}
			}
		}
		checkedSomething(t, workflows, "Region switch plan workflow")
	})
}

// The scale-up and the approval run alongside each other, so neither waits for the other.
func TestRecovery_PlansScaleUpWhileWaitingForApproval(t *testing.T) {
	eachAssembly(t, func(t *testing.T, a *deployed) {
		checked := 0
		for _, s := range a.stacks {
			for id, plan := range resourcesOf(s, "AWS::ARCRegionSwitch::Plan").ofType("AWS::ARCRegionSwitch::Plan") {
				for _, raw := range asList(plan["Workflows"]) {
					workflow, _ := raw.(map[string]any)
					steps, err := planpath.Steps(workflow)
					if err != nil {
						t.Fatalf("%s/%s: %v", s.Name, id, err)
					}
					checked++
					if len(steps) == 0 || steps[0].Type != planpath.Parallel || len(steps[0].Branches) != 2 ||
						steps[0].Branches[0].Type != "ECSServiceScaling" || steps[0].Branches[1].Type != "ManualApproval" {
						t.Errorf("%s/%s, %v: first step %+v; want the scale-up and the approval in one parallel block", s.Name, id, workflow["WorkflowTargetRegion"], steps)
					}
				}
			}
		}
		constructkit.CheckedSomething(t, checked, "Region switch plan workflow")
	})
}

// The runbook prints, for every plan, the objective it declares next to the worst case its
// steps compute to, for each workflow.
func TestRunbook_EveryPlanShowsItsWorstCaseNextToItsObjective(t *testing.T) {
	eachAssembly(t, func(t *testing.T, a *deployed) {
		doc := renderRunbook(a, a.platform.ConfigFile)
		checked := 0
		for _, s := range a.stacks {
			for id, plan := range resourcesOf(s, "AWS::ARCRegionSwitch::Plan").ofType("AWS::ARCRegionSwitch::Plan") {
				text := markdownSection(doc, fmt.Sprintf("#### Plan `%v`", plan["Name"]))
				if text == "" {
					t.Errorf("the runbook has no section for plan %v (%s/%s)", plan["Name"], s.Name, id)
					continue
				}
				checked++
				if want := fmt.Sprintf("- recovery time: objective %v min", plan["RecoveryTimeObjectiveMinutes"]); !strings.Contains(text, want) {
					t.Errorf("plan %v: no %q in\n%s", plan["Name"], want, text)
				}
				for _, raw := range asList(plan["Workflows"]) {
					workflow, _ := raw.(map[string]any)
					worst, err := planpath.WorkflowMinutes(workflow)
					if err != nil {
						t.Fatal(err)
					}
					if want := fmt.Sprintf("%v min to activate %v", worst, workflow["WorkflowTargetRegion"]); !strings.Contains(text, want) {
						t.Errorf("plan %v: no %q in\n%s", plan["Name"], want, text)
					}
				}
			}
		}
		constructkit.CheckedSomething(t, checked, "Region switch plan")
	})
}

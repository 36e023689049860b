package runbook

import (
	"fmt"
	"io"
	"strings"

	"github.com/example/platform/internal/planpath"
)

// readStep is a workflow step as the runbook lists it: a parallel block with the steps it runs
// alongside each other.
func readStep(m map[string]any) step {
	s := step{Name: str(m["Name"]), Type: str(m["ExecutionBlockType"])}
	config, _ := m["ExecutionBlockConfiguration"].(map[string]any)
	approval, _ := config["ExecutionApprovalConfig"].(map[string]any)
	s.Minutes = num(approval["TimeoutMinutes"])
	if s.Type == planpath.Parallel {
		parallel, _ := config["ParallelConfig"].(map[string]any)
		for _, inner := range list(parallel["Steps"]) {
			im, _ := inner.(map[string]any)
			s.Inner = append(s.Inner, readStep(im))
		}
	}
	return s
}

// readRecoveryTime records the plan's declared objective and each workflow's worst case (its
// steps' timeouts along the critical path).
func readRecoveryTime(p *plan, action string, props, workflow map[string]any) {
	p.Objective = num(props["RecoveryTimeObjectiveMinutes"])
	if p.Worst == nil {
		p.Worst, p.WorstMinutes = map[string]string{}, map[string]float64{}
	}
	minutes, err := planpath.WorkflowMinutes(workflow)
	if err != nil {
		p.Worst[action] = "unbounded (" + err.Error() + ")"
		return
	}
	p.Worst[action], p.WorstMinutes[action] = trim(minutes)+" min", minutes
}

// describeStep is a step as the plan's listing shows it.
func describeStep(s step) string {
	if len(s.Inner) == 0 {
		return fmt.Sprintf("`%s` (%s)", s.Name, s.Type)
	}
	var inner []string
	for _, i := range s.Inner {
		inner = append(inner, describeStep(i))
	}
	return fmt.Sprintf("`%s` (%s: %s)", s.Name, s.Type, strings.Join(inner, " alongside "))
}

// renderRecoveryTime is the plan's line of declared objective against computed worst case.
func renderRecoveryTime(w io.Writer, p plan) {
	var worst []string
	for _, action := range p.actions() {
		worst = append(worst, fmt.Sprintf("%s to %s", p.Worst[action], action))
	}
	fmt.Fprintf(w, "- recovery time: objective %s min (RecoveryTimeObjectiveMinutes); worst case of its steps %s (each step's timeout along the critical path; the approver's time counts)\n",
		trim(p.Objective), strings.Join(worst, ", "))
}

// hasApproval finds a ManualApproval step among steps, in a parallel block too.
func hasApproval(steps []step) (step, bool) {
	for _, s := range steps {
		if s.Type == "ManualApproval" {
			return s, true
		}
		if inner, ok := hasApproval(s.Inner); ok {
			return inner, true
		}
	}
	return step{}, false
}

// renderMinimumReset gives the command that puts each region's minimum task count back to its
// template's: a plan's scale-up (or the by-hand step 1) raises it, and nothing lowers it again
// (a deployment leaves a resource whose template did not change as it is).
func renderMinimumReset(w io.Writer, env *environment) {
	fmt.Fprintln(w, "```sh")
	renderDialReset(w, env)
	for _, r := range env.Regions {
		if r.ScalableTarget == "" || r.App == nil {
			continue
		}
		fmt.Fprintf(w, "# %s: back to the template's minimum task count, %s (autoscaling then scales in as the load allows)\n", r.Name, trim(r.MinCapacity))
		fmt.Fprintf(w, "aws application-autoscaling register-scalable-target --region %s --service-namespace ecs --scalable-dimension ecs:service:DesiredCount --resource-id service/%s/%s --min-capacity %s\n",
			r.Name, lookup(r.App.Name, r.Name, r.ECSCluster), r.ServiceName, trim(r.MinCapacity))
	}
	fmt.Fprintln(w, "```")
	fmt.Fprintln(w)
}

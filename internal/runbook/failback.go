package runbook

import (
	"fmt"
	"io"
)

// renderFailBackPlans gives, for each plan, the commands that activate the primary again: the
// same plan, asked in the primary (healthy again by then), in graceful mode.
func renderFailBackPlans(w io.Writer, env *environment) {
	if len(env.Plans) == 0 {
		return
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "   ```sh")
	for _, p := range env.Plans {
		fmt.Fprintf(w, "   # back from %s with the plan %s\n", otherRegion(p.Regions, p.Primary), p.Name)
		fmt.Fprintf(w, "   PLAN=%s\n", planArn(p, p.Primary))
		fmt.Fprintf(w, "   %s\n", startExecution(p, p.Primary, "graceful"))
		if s, ok := approvalStep(p); ok {
			fmt.Fprintf(w, "   # with the approver role's credentials (the eval above, with --region %s), within %s min\n", p.Primary, trim(approvalMinutes(s)))
			fmt.Fprintf(w, "   aws arc-region-switch approve-plan-execution-step --region %s --plan-arn \"$PLAN\" --execution-id \"$EXECUTION\" --step-name %s --approval approve\n", p.Primary, s.Name)
		}
		fmt.Fprintf(w, "   aws arc-region-switch get-plan-execution --region %s --plan-arn \"$PLAN\" --execution-id \"$EXECUTION\"\n", p.Primary)
	}
	fmt.Fprintln(w, "   ```")
	fmt.Fprintln(w)
}

// renderDialReset puts back every traffic dial the by-hand steps turn to 0 (the primary's) at
// the value its template configures; lines of the fail-back's command block.
func renderDialReset(w io.Writer, env *environment) {
	primary := env.Regions[0].Name
	group := env.EndpointGroups[primary]
	if group == "" || env.Accelerator == nil {
		return
	}
	fmt.Fprintf(w, "# %s: the accelerator's traffic dial back to its configured %s %%\n", primary, trim(env.Dials[primary]))
	fmt.Fprintf(w, "aws globalaccelerator update-endpoint-group --region %s --endpoint-group-arn %s --traffic-dial-percentage %s\n",
		env.Accelerator.Region, lookup(env.Accelerator.Name, env.Accelerator.Region, group), trim(env.Dials[primary]))
}

package runbook

import (
	"fmt"
	"io"
	"slices"
	"strings"
)

// The shipped service's routes (api/internal/httpapi) the checks after a switch call: a
// readiness check that reaches the writer, a write, and a read of it.
const (
	ReadyPath = "/ready"
	ItemsPath = "/items"
)

// renderDecide says when to move the environment and where to: the two views of each region,
// how long to wait, what AWS says, and the order the edge and DNS already fail over in.
func renderDecide(w io.Writer, env *environment) {
	if len(env.Regions) < 2 {
		return
	}
	in := env.Incident
	fmt.Fprintln(w, "### When to fail over")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Decide on two views of the primary: its own region-unhealthy composite and, where there is an observer,")
	fmt.Fprintln(w, "the observer's alarm for it (raised from a region that runs none of the workload, so it still fires when")
	fmt.Fprintln(w, "the region cannot raise its own):")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "| Region-unhealthy | Observer's alarm | Meaning | Action |")
	fmt.Fprintln(w, "|---|---|---|---|")
	fmt.Fprintln(w, "| fires | fires | the region is failing its users | find the cause among the region's alarms; if it is not recovering (below), fail over |")
	fmt.Fprintln(w, "| silent or unreachable | fires | the region cannot report: lost, or its monitoring is | treat as a region loss: fail over (ungraceful) |")
	fmt.Fprintln(w, "| fires | silent | users still reach the region; one part of it is degraded | fix or roll back in place; no failover |")
	fmt.Fprintln(w, "| — | every region's fires | the edge or the observer's region is failing, not the regions | check the edge's health checks; no region failover helps |")
	fmt.Fprintln(w)
	primary := env.Regions[0]
	fmt.Fprintf(w, "For %s: `%s`", primary.Name, primary.UnhealthyAlarm)
	if a := env.ObserverAlarms[primary.Name]; a != "" {
		fmt.Fprintf(w, " and `%s` (in %s, which answers while %s does not; it fires after %s of failed checks)", a, env.ObserverRegion, primary.Name, duration(in.AlarmSeconds[a]))
	}
	if a := env.HealthAlarms[primary.Name]; a != "" {
		fmt.Fprintf(w, "; the edge's `%s` fires after %s of failed health checks", a, duration(in.AlarmSeconds[a]))
	}
	fmt.Fprintln(w, ".")
	if a := env.ObserverAlarms[primary.Name]; a != "" {
		fmt.Fprintf(w, "`aws cloudwatch describe-alarms --region %s --alarm-names %s --query 'MetricAlarms[0].[StateValue,StateUpdatedTimestamp]'`\n", env.ObserverRegion, a)
	}
	fmt.Fprintln(w)
	renderDecisionTime(w, env)
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Then ask AWS whether the region has an event: the AWS Health Dashboard (health.aws.amazon.com, your account's")
	fmt.Fprintln(w, "events) or its API. The Health API answers only at its global endpoint in us-east-1, with a passive standby in")
	fmt.Fprintln(w, "us-east-2 when us-east-1 is impaired; it needs a Business, Enterprise On-Ramp or Enterprise support plan:")
	fmt.Fprintln(w)
	fmt.Fprintf(w, "`aws health describe-events --region us-east-1 --filter eventStatusCodes=open,regions=%s --query 'events[].[service,eventTypeCode,startTime]' --output text` (with `--region us-east-2` while us-east-1 does not answer)\n", primary.Name)
	fmt.Fprintln(w)
	fmt.Fprintln(w, "### Which region to move to")
	fmt.Fprintln(w)
	target := in.Fallback
	if target == "" || target == primary.Name {
		target = env.Regions[1].Name
	}
	fmt.Fprintf(w, "Move to **%s**", target)
	if in.Fallback != "" {
		fmt.Fprintf(w, ": the edge's origin group already retries reads at %s when %s fails, so it carries the traffic first and its\n", in.Fallback, primary.Name)
		fmt.Fprint(w, "tasks are warm")
	}
	fmt.Fprintln(w, ".")
	if len(env.Regions) > 2 {
		var others []string
		for _, r := range env.Regions[1:] {
			if r.Name != target {
				others = append(others, r.Name)
			}
		}
		fmt.Fprintf(w, "If %s is unhealthy too, move to %s, whichever is healthy (its region-unhealthy alarm OK) with the\n", target, strings.Join(others, " or "))
		fmt.Fprintln(w, "least replication lag (`AuroraGlobalDBReplicationLag` of its cluster). Writes and the site's origin follow the")
		fmt.Fprintln(w, "writer wherever it is; DNS answers with the nearest healthy secondary and Global Accelerator with the nearest")
		fmt.Fprintln(w, "healthy endpoint group, so every secondary serves requests whichever one writes.")
	}
	fmt.Fprintln(w)
}

// renderFreeze stops releases before the switch: a release during it deploys to every region,
// the lost one too, and may write back what the switch changed by hand.
func renderFreeze(w io.Writer, env *environment) {
	p := env.Incident.Pipeline
	if len(env.Regions) < 2 || p == nil {
		return
	}
	fmt.Fprintln(w, "### First: freeze releases")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "A release during the incident deploys to every region at once: its stacks in the lost region fail or hang,")
	fmt.Fprintln(w, "and in the others it may roll out new task definitions while they carry the load. It does not lower the task")
	fmt.Fprintln(w, "minimums the switch raised (CloudFormation leaves a resource whose template did not change as it is), but")
	fmt.Fprintln(w, "where it changes a resource the switch set by hand, such as an endpoint group, it writes the template's")
	fmt.Fprintln(w, "values back: a traffic dial turned to 0 returns and sends traffic towards the lost region again.")
	fmt.Fprintf(w, "Close the way into the `%s` stage of the pipeline `%s` (account %s, %s), with the tooling account's\n", p.Stage, p.Name, p.Account, p.Region)
	fmt.Fprintf(w, "credentials. If %s is the failing region, the pipeline cannot release now: go on, and freeze it as soon as\n", p.Region)
	fmt.Fprintf(w, "%s answers again, before you fail back.\n", p.Region)
	fmt.Fprintln(w)
	fmt.Fprintln(w, "```sh")
	fmt.Fprintf(w, "aws codepipeline disable-stage-transition --region %s --pipeline-name %s --stage-name %s --transition-type Inbound --reason \"region failover in progress\"\n", p.Region, p.Name, p.Stage)
	fmt.Fprintln(w, "# the way in is closed (false) and whether a release is already inside the stage (it goes on: let it")
	fmt.Fprintln(w, "# finish or stop it); look again after any release, as the pipeline updates itself from its template")
	fmt.Fprintf(w, "aws codepipeline get-pipeline-state --region %s --name %s --query \"stageStates[?stageName=='%s'].[inboundTransitionState.enabled,latestExecution.status]\"\n", p.Region, p.Name, p.Stage)
	fmt.Fprintln(w, "```")
	fmt.Fprintln(w)
}

// renderVerify checks from outside that the new primary serves reads and writes through both
// ways in: CloudFront and Global Accelerator.
func renderVerify(w io.Writer, env *environment) {
	in := env.Incident
	if len(env.Regions) < 2 || (env.Edge == nil && env.Accelerator == nil) {
		return
	}
	fmt.Fprintln(w, "### After the switch: check reads and writes from outside")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "`/` names the region that answered; `/ready` checks the reader, the writer (through the global writer")
	fmt.Fprintf(w, "endpoint) and the table; `POST %s` writes through the writer and answers `201` with `Location: %s/<id>`;\n", ItemsPath, ItemsPath)
	fmt.Fprintln(w, "reading it back shows `\"foundIn\":{\"database\":true,\"table\":true}` once it has replicated to the region that answers.")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "```sh")
	if env.Edge != nil {
		if in.SiteURL != "" {
			fmt.Fprintf(w, "SITE=%s\n", in.SiteURL)
		} else {
			fmt.Fprintln(w, "# CloudFront's API is global (its control plane is in us-east-1): note this name at every drill")
			fmt.Fprintf(w, "SITE=%s://$(aws cloudfront list-distributions --query \"DistributionList.Items[?Comment=='%s'].DomainName\" --output text)\n", in.SiteScheme, in.DistributionComment)
		}
	}
	if env.Accelerator != nil {
		if in.APIURL != "" {
			fmt.Fprintf(w, "API=%s\n", in.APIURL)
		} else {
			fmt.Fprintf(w, "API=%s://$(aws globalaccelerator list-accelerators --region %s --query \"Accelerators[?Name=='%s'].DnsName\" --output text)\n", in.APIScheme, env.Accelerator.Region, in.AcceleratorName)
		}
	}
	var ways []string
	if env.Edge != nil {
		ways = append(ways, "SITE")
	}
	if env.Accelerator != nil {
		ways = append(ways, "API")
	}
	fmt.Fprintf(w, "for BASE in %s; do\n", strings.Join(dollar(ways), " "))
	fmt.Fprintln(w, "  curl -sS \"$BASE/\"; echo")
	fmt.Fprintf(w, "  curl -sS \"$BASE%s\"; echo\n", ReadyPath)
	fmt.Fprintf(w, "  curl -sS -D - -o /dev/null -X POST \"$BASE%s\" -H 'Content-Type: application/json' -d '{\"name\":\"failover-check\"}'\n", ItemsPath)
	fmt.Fprintln(w, "done")
	fmt.Fprintf(w, "curl -sS \"$%s%s/<id from the Location header>\"\n", ways[0], ItemsPath)
	if in.HealthPathPrefix != "" && env.Edge != nil {
		fmt.Fprintln(w, "# each region's own health route through the edge: 200 where the region serves")
		for _, r := range env.Regions {
			fmt.Fprintf(w, "curl -sS -o /dev/null -w '%s %%{http_code}\\n' \"$SITE%s%s\"\n", r.Name, in.HealthPathPrefix, r.Name)
		}
	}
	fmt.Fprintln(w, "```")
	fmt.Fprintln(w)
}

// renderUnfreeze opens the pipeline again once the environment is back where it belongs.
func renderUnfreeze(w io.Writer, env *environment) {
	p := env.Incident.Pipeline
	if p == nil {
		return
	}
	fmt.Fprintf(w, "4. Open the pipeline again, once steps 1–3 are done (releases may deploy towards every region again):\n")
	fmt.Fprintf(w, "   `aws codepipeline enable-stage-transition --region %s --pipeline-name %s --stage-name %s --transition-type Inbound`\n", p.Region, p.Name, p.Stage)
	fmt.Fprintln(w)
}

// renderSecondaryLoss says what a lost secondary region takes with it, and what to do.
func renderSecondaryLoss(w io.Writer, env *environment) {
	if len(env.Regions) < 2 {
		return
	}
	in := env.Incident
	fmt.Fprintln(w, "### Losing a secondary region")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Nothing moves: the writer stays where it is. The edge's health checks and Global Accelerator stop sending to")
	fmt.Fprintln(w, "the region by themselves. Do not run the plan that activates it. What it takes with it:")
	fmt.Fprintln(w)
	for _, r := range env.Regions[1:] {
		fmt.Fprintf(w, "#### If %s is lost\n\n", r.Name)
		if q, ok := in.Queues[r.Name]; ok {
			fmt.Fprintf(w, "- **Queued work**: messages in `%s` (and its dead-letter queue) stay in %s until it returns, within\n", q.Name, r.Name)
			fmt.Fprintln(w, "  their retention; no other region consumes them. The surviving regions' buses feed their own queues.")
			fmt.Fprintln(w, "  When it is back, see what failed while it was away:")
			if q.DeadLetter != "" {
				fmt.Fprintf(w, "  `aws sqs get-queue-attributes --region %s --queue-url %s --attribute-names ApproximateNumberOfMessages`\n", r.Name, lookup(q.Stack, r.Name, q.DeadLetter))
			}
		}
		if a := in.Archives[r.Name]; a != "" {
			fmt.Fprintf(w, "- **Event archive** `%s`: unreachable with the region; the events it kept can be replayed once the region is\n", a)
			fmt.Fprintln(w, "  back, within the archive's retention. Events published elsewhere meanwhile are in those regions' archives.")
		}
		if in.RotatedIn != "" && slices.Contains(in.SecretReplicas, r.Name) {
			fmt.Fprintf(w, "- **Database secret**: rotated in %s and replicated to %s. Rotation goes on; a replica that was out of\n", in.RotatedIn, r.Name)
			fmt.Fprintln(w, "  reach may miss the new version, and the service here would sign in with the old password. Before the region")
			fmt.Fprintln(w, "  takes traffic again, its replica must be `InSync`:")
			fmt.Fprintf(w, "  `aws secretsmanager describe-secret --region %s --secret-id %s --query 'ReplicationStatus'`\n", in.RotatedIn, lookup(in.SecretStack, in.RotatedIn, in.SecretID))
		}
		if len(r.BackupPlans) > 0 {
			fmt.Fprintf(w, "- **Backups**: %s's plan stops with it; its earlier recovery points have copies in %s. Copies *into*\n", r.Name, orNone(in.CopiesTo[r.Name]))
			var into []string
			for from, to := range in.CopiesTo {
				if slices.Contains(to, r.Name) {
					into = append(into, from)
				}
			}
			slices.Sort(into)
			fmt.Fprintf(w, "  %s's vault (from %s) fail, and each failed copy job alerts: expected until it returns. Restore %s's data\n", r.Name, orNone(into), r.Name)
			fmt.Fprintln(w, "  from the copies, in the region that holds them.")
		}
		var canaries []string
		for _, c := range env.Canaries {
			if c.Region == r.Name {
				canaries = append(canaries, c.Name)
			}
		}
		if len(canaries) > 0 {
			fmt.Fprintf(w, "- **Canaries**: %s runs in %s and stops with it, its alarm too.", codes(canaries), r.Name)
			if a := env.ObserverAlarms[r.Name]; a != "" {
				fmt.Fprintf(w, " The region's loss shows in `%s` (%s)", a, env.ObserverRegion)
				if h := env.HealthAlarms[r.Name]; h != "" {
					fmt.Fprintf(w, " and `%s`", h)
				}
				fmt.Fprint(w, ".")
			}
			fmt.Fprintln(w)
		}
		if regions := in.LakeReplicas[env.Primary]; slices.Contains(regions, r.Name) {
			fmt.Fprintf(w, "- **Lake**: objects replicating from %s wait and are retried until %s is back.\n", env.Primary, r.Name)
		}
		fmt.Fprintln(w)
	}
}

// renderBackupOptIn: AWS Backup backs Aurora up only where the region has opted in to it, even
// when the plan names the cluster by ARN.
func renderBackupOptIn(w io.Writer, env *environment) {
	var regions []string
	for _, r := range env.Regions {
		if len(r.BackupPlans) > 0 || len(r.Vaults) > 0 || slices.ContainsFunc(env.Regions, func(from *region) bool {
			return slices.Contains(env.Incident.CopiesTo[from.Name], r.Name)
		}) {
			regions = append(regions, r.Name)
		}
	}
	if len(regions) == 0 {
		return
	}
	fmt.Fprintln(w, "### Aurora backups need each region's opt-in")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "AWS Backup backs up a resource assigned by ARN whatever the region's service opt-in says, except Aurora: an")
	fmt.Fprintln(w, "Aurora cluster is backed up only where the region has opted in to Aurora. Check every backup region once,")
	fmt.Fprintln(w, "and after adding one (`true` is opted in):")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "```sh")
	for _, region := range regions {
		fmt.Fprintf(w, "aws backup describe-region-settings --region %s --query 'ResourceTypeOptInPreference.Aurora'\n", region)
	}
	fmt.Fprintln(w, "# where it is not true:")
	for _, region := range regions {
		fmt.Fprintf(w, "aws backup update-region-settings --region %s --resource-type-opt-in-preference Aurora=true\n", region)
	}
	fmt.Fprintln(w, "```")
	fmt.Fprintln(w)
}

func dollar(names []string) []string {
	var out []string
	for _, n := range names {
		out = append(out, "\"$"+n+"\"")
	}
	return out
}

func orNone(regions []string) string {
	if len(regions) == 0 {
		return "no other region"
	}
	return strings.Join(regions, ", ")
}

// renderPlanRegions says where the plans live and which regions answer for them, so that no
// step of a switch needs the region being left.
func renderPlanRegions(w io.Writer, env *environment) {
	home := env.Plans[0].Region
	fmt.Fprintf(w, "The plans live in the recovery stack in %s, where ARC creates and changes plans (its control plane).\n", home)
	fmt.Fprintln(w, "Finding a plan, starting it, approving its steps and following it are data-plane calls that each of the")
	fmt.Fprintln(w, "plan's regions answers, so every command below asks the region you move to, and the plan's ARN (which ends")
	fmt.Fprintln(w, "in a suffix ARC generates) is looked up there by the plan's name. The approver role's ARN is fixed.")
	fmt.Fprintf(w, "If %s itself is failing, all of this still works; what waits for it to return is changing a plan or\n", home)
	fmt.Fprint(w, "deploying the stacks that live there")
	if env.Edge != nil && env.Edge.Region == home {
		fmt.Fprint(w, " (the edge's too: CloudFront and Route 53 go on serving and failing over, as their data planes do not")
		fmt.Fprintf(w, "\ndepend on %s, but their settings cannot change)", home)
	}
	fmt.Fprintln(w, ".")
	fmt.Fprintln(w)
}

// planArn is the command that finds the plan's ARN in target, one of the plan's regions.
func planArn(p plan, target string) string {
	return fmt.Sprintf("$(aws arc-region-switch list-plans-in-region --region %s --query \"plans[?name=='%s'].arn\" --output text)", target, p.Name)
}

// approverArn is the approver role's ARN: fixed when the template names the role; otherwise
// read from the recovery stack's output (which needs that stack's region).
func approverArn(env *environment, p plan) string {
	switch {
	case p.ApproverRole != "":
		return fmt.Sprintf("arn:aws:iam::%s:role/%s", env.Account, p.ApproverRole)
	case p.ApproverOutput != "":
		return output(p.Stack, p.Region, p.ApproverOutput)
	}
	return ""
}

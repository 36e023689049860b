package test

// The runbook as the person paged reads it for their own config: docs/disaster-recovery.md's plan timeouts, an
// approval they can give as printed, the regions in the order they move to them, fail-back and
// freeze commands that are complete, and rehearsal only where there is somewhere to rehearse.

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/example/platform/lib/config"
	"github.com/example/platform/test/constructkit"
)

// flat is text with every run of whitespace, line breaks too, as one space.
func flat(text string) string { return strings.Join(strings.Fields(text), " ") }

// docs/disaster-recovery.md's table of a plan's steps gives the timeouts the plans are built with.
func TestReadme_RegionSwitchStepsCarryThePlansTimeouts(t *testing.T) {
	section := docSection(t, "docs/disaster-recovery.md", "### Region switch plans")
	upTo := regexp.MustCompile(`up to (\d+) minutes`)
	for step, want := range map[string]int{"scale-up": config.PlanScaleUpMinutes, "approve": config.PlanApprovalMinutes, "database": config.PlanDatabaseMinutes} {
		var row string
		for _, line := range strings.Split(section, "\n") {
			if strings.HasPrefix(line, "| `"+step+"` |") {
				row = line
			}
		}
		found := upTo.FindAllStringSubmatch(row, -1)
		if len(found) == 0 {
			t.Errorf("docs/disaster-recovery.md's row for %s gives no timeout; the plans give it %d minutes", step, want)
		}
		for _, m := range found {
			if m[1] != fmt.Sprint(want) {
				t.Errorf("docs/disaster-recovery.md says %s takes up to %s minutes; the plans give it %d", step, m[1], want)
			}
		}
	}
	if total := fmt.Sprintf("up to %d minutes in all", config.PlanCriticalPathMinutes()); !strings.Contains(flat(section), total) {
		t.Errorf("docs/disaster-recovery.md does not give the plans' worst case, %q", total)
	}
}

// planSection is the part of env's runbook section about the plan named name.
func planSection(doc, env, name string) string {
	return markdownSection(markdownSection(doc, "## "+env+"\n"), "#### Plan `"+name+"`")
}

// The approval can be given as printed: the execution's ID is kept from the start, the approver
// role's credentials are exported (with MFA for a user the trust asks it of), the principals the
// role trusts are named, and so is the step's timeout.
func TestRunbook_ApprovalCanBeGivenAsPrinted(t *testing.T) {
	mfaUsers := 0
	eachAssembly(t, func(t *testing.T, a *deployed) {
		doc := renderRunbook(a, a.platform.ConfigFile)
		checked := 0
		for _, s := range a.stacks {
			for _, plan := range resourcesOf(s, "AWS::ARCRegionSwitch::Plan").ofType("AWS::ARCRegionSwitch::Plan") {
				section := planSection(doc, s.Stage, str(plan["Name"]))
				if section == "" {
					t.Errorf("%s: the runbook has no section for plan %s", s.Stage, plan["Name"])
					continue
				}
				checked++
				if strings.Contains(section, "<execution ID>") {
					t.Errorf("plan %s: the runbook leaves the execution ID to be copied by hand", plan["Name"])
				}
				lines := strings.Split(section, "\n")
				for _, line := range lines {
					if strings.Contains(line, "start-plan-execution") && !(strings.HasPrefix(line, "EXECUTION=$(") && strings.Contains(line, "--query executionId --output text)")) {
						t.Errorf("plan %s: the start does not keep the execution's ID: %s", plan["Name"], line)
					}
					if strings.Contains(line, "--execution-id") && !strings.Contains(line, `--execution-id "$EXECUTION"`) {
						t.Errorf("plan %s: a command does not use the kept execution ID: %s", plan["Name"], line)
					}
					if strings.Contains(line, "sts assume-role") && !(strings.HasPrefix(line, `eval "$(aws sts assume-role`) &&
						strings.Contains(line, "export AWS_ACCESS_KEY_ID=") && strings.Contains(line, "AWS_SECRET_ACCESS_KEY=") && strings.Contains(line, "AWS_SESSION_TOKEN=")) {
						t.Errorf("plan %s: assuming the approver role does not export its credentials: %s", plan["Name"], line)
					}
				}
				step, role := approvalOf(t, s.Template.Resources, plan)
				if role == nil {
					t.Errorf("plan %s has no approval step with a role in the same stack", plan["Name"])
					continue
				}
				if want := fmt.Sprintf("at most %v min", step["TimeoutMinutes"]); !strings.Contains(flat(section), want) {
					t.Errorf("plan %s: the runbook does not say the approver has %s (the step's timeout)", plan["Name"], want)
				}
				if !strings.Contains(section, "If no one approves in time") {
					t.Errorf("plan %s: the runbook does not say what happens when the approval times out", plan["Name"])
				}
				for _, statement := range statementsOf(map[string]any{"PolicyDocument": propertiesOf(role)["AssumeRolePolicyDocument"]}) {
					mfa := strings.Contains(jsonOf(statement["Condition"]), `"aws:MultiFactorAuthPresent":"true"`)
					for _, arn := range stringsOf(statement["Principal"].(map[string]any)["AWS"]) {
						if !strings.Contains(section, "`"+arn+"`") {
							t.Errorf("plan %s: the runbook does not name %s, whom the approver role trusts", plan["Name"], arn)
						}
						if !strings.Contains(arn, ":user/") || !mfa {
							continue
						}
						mfaUsers++
						serial := fmt.Sprintf("--serial-number arn:aws:iam::%s:mfa/", strings.Split(arn, ":")[4])
						if !slices.ContainsFunc(lines, func(l string) bool {
							return strings.Contains(l, "sts assume-role") && strings.Contains(l, serial) && strings.Contains(l, "--token-code ")
						}) {
							t.Errorf("plan %s: the role trusts %s only with MFA, and the runbook assumes it without %s... --token-code", plan["Name"], arn, serial)
						}
					}
				}
			}
		}
		if hasResource(a, "AWS::ARCRegionSwitch::Plan") {
			constructkit.CheckedSomething(t, checked, "plan")
		}
	})
	constructkit.CheckedSomething(t, mfaUsers, "approver that is an IAM user with MFA")
}

// approvalOf is the plan's first manual approval step's configuration and the role it names.
func approvalOf(t *testing.T, resources map[string]map[string]any, plan map[string]any) (map[string]any, map[string]any) {
	t.Helper()
	var find func(steps []any) map[string]any
	find = func(steps []any) map[string]any {
		for _, s := range steps {
			config, _ := s.(map[string]any)["ExecutionBlockConfiguration"].(map[string]any)
			if approval, ok := config["ExecutionApprovalConfig"].(map[string]any); ok {
				return approval
			}
			if parallel, ok := config["ParallelConfig"].(map[string]any); ok {
				if approval := find(asList(parallel["Steps"])); approval != nil {
					return approval
				}
			}
		}
		return nil
	}
	for _, w := range asList(plan["Workflows"]) {
		if approval := find(asList(w.(map[string]any)["Steps"])); approval != nil {
			return approval, resources[refTo(approval["ApprovalRole"])]
		}
	}
	return nil, nil
}

var (
	recommended   = regexp.MustCompile(`Move to \*\*(\S+)\*\*`)
	planHeading   = regexp.MustCompile("(?m)^#### Plan `[^`]+` \\((\\S+) ⇄ (\\S+)\\)")
	byHandHeading = regexp.MustCompile(`(?m)^#### To (\S+)`)
	whereRow      = regexp.MustCompile(`(?m)^\| (\S+) \| secondary \|`)
)

// Secondaries are listed in the order an operator moves to them, the recommended region first,
// in every part of the runbook; each plan lists moving to its secondary before moving back.
func TestRunbook_ListsRegionsInFailoverOrder(t *testing.T) {
	eachAssembly(t, func(t *testing.T, a *deployed) {
		sections := runbookSections(renderRunbook(a, a.platform.ConfigFile))
		checked := 0
		for _, env := range a.platform.Config.Environments {
			if len(env.Regions) < 2 {
				continue
			}
			parts := sections[env.Name]
			m := recommended.FindStringSubmatch(parts["Which region to move to"])
			if m == nil {
				t.Errorf("%s: the runbook recommends no region", env.Name)
				continue
			}
			var where, plans, byHand []string
			for _, row := range whereRow.FindAllStringSubmatch(parts["What is where"], -1) {
				where = append(where, row[1])
			}
			for _, h := range planHeading.FindAllStringSubmatch(parts["Move the environment to another region"], -1) {
				plans = append(plans, h[2])
			}
			for _, h := range byHandHeading.FindAllStringSubmatch(parts["By hand, if a plan cannot run"], -1) {
				byHand = append(byHand, h[1])
			}
			checked++
			for what, order := range map[string][]string{"What is where": where, "the plans": plans, "By hand": byHand} {
				if len(order) == 0 && what == "the plans" {
					continue // an environment without plans
				}
				if len(order) == 0 || order[0] != m[1] || (what != "What is where" && !slices.Equal(order, where)) {
					t.Errorf("%s: %s lists %v; the recommended %s comes first, in the order of What is where (%v)", env.Name, what, order, m[1], where)
				}
			}
			for _, plan := range strings.Split(parts["Move the environment to another region"], "\n#### Plan ")[1:] {
				target := planHeading.FindStringSubmatch("#### Plan " + plan)[2]
				there, back := strings.Index(plan, "- activate "+target+":"), strings.Index(plan, "- activate "+env.Regions[0].Region+":")
				if there < 0 || back < 0 || there > back {
					t.Errorf("%s: the plan to %s does not list moving there before moving back", env.Name, target)
				}
			}
		}
		constructkit.CheckedSomething(t, checked, "environment with secondaries")
	})
}

var dialToZero = regexp.MustCompile(`update-endpoint-group --region (\S+) --endpoint-group-arn (\$\(aws cloudformation describe-stack-resource --region \S+ --stack-name (\S+) --logical-resource-id (\S+) [^)]*\)) --traffic-dial-percentage 0\n`)

// Fail-back gives the full commands: each plan started again towards the primary, asked in a
// region it runs in, and every dial the steps by hand turned to 0 set back to the template's.
func TestRunbook_FailBackGivesEveryCommandInFull(t *testing.T) {
	eachAssembly(t, func(t *testing.T, a *deployed) {
		doc := renderRunbook(a, a.platform.ConfigFile)
		sections := runbookSections(doc)
		plans, dials := 0, 0
		for _, env := range a.platform.Config.Environments {
			if len(env.Regions) < 2 {
				continue
			}
			primary := env.Regions[0].Region
			failBack := sections[env.Name]["Fail back"]
			for _, s := range a.stacks {
				if s.Stage != env.Name {
					continue
				}
				for _, plan := range resourcesOf(s, "AWS::ARCRegionSwitch::Plan").ofType("AWS::ARCRegionSwitch::Plan") {
					plans++
					for _, want := range []string{
						fmt.Sprintf(`list-plans-in-region --region %s --query "plans[?name=='%s'].arn"`, primary, plan["Name"]),
						fmt.Sprintf(`start-plan-execution --region %s --plan-arn "$PLAN" --target-region %s --action activate --mode graceful`, primary, primary),
					} {
						if !strings.Contains(failBack, want) {
							t.Errorf("%s: fail-back does not give the command for plan %s: %s", env.Name, plan["Name"], want)
						}
					}
				}
			}
			for _, m := range dialToZero.FindAllStringSubmatch(sections[env.Name]["By hand, if a plan cannot run"], -1) {
				dials++
				group := propertiesOf(a.byName[m[3]].Template.Resources[m[4]])
				value := group["TrafficDialPercentage"]
				if value == nil {
					value = 100 // CloudFormation's default
				}
				want := fmt.Sprintf("update-endpoint-group --region %s --endpoint-group-arn %s --traffic-dial-percentage %v\n", m[1], m[2], value)
				if !strings.Contains(failBack, want) {
					t.Errorf("%s: fail-back does not set back the dial the steps by hand turn to 0; want\n%s", env.Name, want)
				}
			}
		}
		if hasResource(a, "AWS::ARCRegionSwitch::Plan") {
			constructkit.CheckedSomething(t, plans, "plan to fail back with")
		}
		constructkit.CheckedSomething(t, dials, "traffic dial turned by hand")
	})
}

// The freeze says what a release really does (it does not lower the raised minimums), and, when
// the pipeline's region is the failing one, to freeze as soon as it answers, before fail-back.
func TestRunbook_FreezeSaysWhatAReleaseWouldDo(t *testing.T) {
	eachAssembly(t, func(t *testing.T, a *deployed) {
		sections := runbookSections(renderRunbook(a, a.platform.ConfigFile))
		checked := 0
		for _, env := range a.platform.Config.Environments {
			freeze, ok := sections[env.Name]["First: freeze releases"]
			if !ok {
				continue
			}
			checked++
			text := flat(freeze)
			if strings.Contains(text, "reset the task minimums") || !strings.Contains(text, "does not lower the task minimums") {
				t.Errorf("%s: the freeze says a release resets the raised task minimums; CloudFormation leaves them as they are", env.Name)
			}
			if want := fmt.Sprintf("If %s is the failing region", env.Regions[0].Region); a.platform.Config.Pipeline.Region == env.Regions[0].Region &&
				!(strings.Contains(text, want) && strings.Contains(text, fmt.Sprintf("as soon as %s answers again, before you fail back", env.Regions[0].Region))) {
				t.Errorf("%s: the pipeline is in the primary region, and the freeze does not say to freeze it as soon as it answers, before fail-back", env.Name)
			}
		}
		constructkit.CheckedSomething(t, checked, "freeze")
	})
}

// The runbook sends the operator to rehearse a switch only in an environment the pipeline
// deploys earlier that has Region switch plans; otherwise it says there is nowhere but the drills.
func TestRunbook_RehearsesOnlyWhereAnEarlierEnvironmentHasPlans(t *testing.T) {
	check := func(t *testing.T, a *deployed) {
		sections := runbookSections(renderRunbook(a, a.platform.ConfigFile))
		hasPlans := map[string]bool{}
		for _, s := range a.stacks {
			hasPlans[s.Stage] = hasPlans[s.Stage] || len(resourcesOf(s, "AWS::ARCRegionSwitch::Plan").ofType("AWS::ARCRegionSwitch::Plan")) > 0
		}
		checked := 0
		var earlier []string
		for _, env := range a.platform.Config.Environments {
			text := flat(sections[env.Name]["Move the environment to another region"])
			if hasPlans[env.Name] {
				checked++
				if len(earlier) > 0 && !strings.Contains(text, "Rehearse in "+strings.Join(earlier, " or ")+" first") {
					t.Errorf("%s: %v deploy earlier with plans; the runbook does not send the operator to rehearse there", env.Name, earlier)
				}
				if len(earlier) == 0 && (strings.Contains(text, "Rehearse in") || !strings.Contains(text, "nowhere to rehearse a switch but the drills")) {
					t.Errorf("%s: no earlier environment has plans, and the runbook does not say there is nowhere to rehearse but the drills", env.Name)
				}
				earlier = append(earlier, env.Name)
			}
		}
		constructkit.CheckedSomething(t, checked, "environment with plans")
	}
	eachAssembly(t, check)
	t.Run("one-region staging", func(t *testing.T) { check(t, assemblyOf(t, oneRegionStaging(t))) })
}

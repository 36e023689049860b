package test

// A region RTO counts from the failure (Resilience Hub's RTO is from the disruption), so before
// a plan's steps run the failure must first be detected: every Region switch plan of every stack,
// both configs, declares a RecoveryTimeObjectiveMinutes that holds the detection time of the
// region it moves away from (the longest, period × evaluation periods, of that region's
// region-unhealthy composite's inputs and of the observer's health alarm for it: the alarms the
// runbook's decision rule waits for) plus the workflow's worst case; the Resilience Hub policy
// beside it promises no less; and lib/config's DetectionMinutes, which config validation holds
// the RTO to, is what the templates compute.

import (
	"fmt"
	"math"
	"slices"
	"strings"
	"testing"

	"github.com/example/platform/internal/assembly"
	"github.com/example/platform/internal/planpath"
	"github.com/example/platform/lib/config"
	"github.com/example/platform/lib/monitoring"
	"github.com/example/platform/test/constructkit"
)

func TestRule_PlansDeclareARecoveryTimeThatHoldsDetectionAndTheirSteps(t *testing.T) {
	eachAssembly(t, func(t *testing.T, a *deployed) {
		workflows := 0
		for _, s := range a.stacks {
			policies := resourcesOf(s, "AWS::ResilienceHub::ResiliencyPolicy").ofType("AWS::ResilienceHub::ResiliencyPolicy")
			for id, plan := range resourcesOf(s, "AWS::ARCRegionSwitch::Plan").ofType("AWS::ARCRegionSwitch::Plan") {
				rto, _ := plan["RecoveryTimeObjectiveMinutes"].(float64)
				env := environmentOf(a.platform, s.Name)
				for _, raw := range asList(plan["Workflows"]) {
					workflow, _ := raw.(map[string]any)
					target := str(workflow["WorkflowTargetRegion"])
					worst, err := planpath.WorkflowMinutes(workflow)
					if err != nil {
						t.Errorf("%s/%s, to %s: %v", s.Name, id, target, err)
						continue
					}
					for _, left := range stringsOf(plan["Regions"]) {
						if left == target {
							continue
						}
						workflows++
						detect, alarms, err := a.detectionMinutes(plan, left)
						if err != nil {
							t.Errorf("%s/%s: %v", s.Name, id, err)
							continue
						}
						if detect+worst > rto {
							t.Errorf("%s/%s, %s to %s: detection takes up to %v min (%s) and the plan up to %v, %v in all, more than the %v min it declares; "+
								"raise the region's rtoMinutes or shorten detection (monitoring.canaryIntervalMinutes, thresholds.canaryFailedRuns)",
								s.Name, id, left, target, detect, strings.Join(alarms, ", "), worst, detect+worst, rto)
						}
						if want := float64(config.DetectionMinutes(env.Monitoring)); detect != want {
							t.Errorf("%s/%s: the templates detect %s's failure within %v min (%s); lib/config's DetectionMinutes, which validation holds the RTO to, says %v",
								s.Name, id, left, detect, strings.Join(alarms, ", "), want)
						}
						for policyID, policy := range policies {
							body, _ := policy["Policy"].(map[string]any)
							region, _ := body["Region"].(map[string]any)
							if secs, _ := region["RtoInSecs"].(float64); secs < (detect+worst)*60 {
								t.Errorf("%s: policy %s promises a region RTO of %v s, less than detection %v min + plan %v min", s.Name, policyID, secs, detect, worst)
							}
						}
					}
				}
			}
		}
		checkedSomething(t, workflows, "Region switch plan workflow")
	})
}

// detectionMinutes is how long region's failure takes at worst to fire the alarms the decision
// to fail over waits for: the inputs of its region-unhealthy composite (the plan's application
// health alarm for it) and the observer's health alarm for it, each period × evaluation periods;
// alarms names each with its minutes.
func (a *deployed) detectionMinutes(plan map[string]any, region string) (float64, []string, error) {
	composite := ""
	associated, _ := plan["AssociatedAlarms"].(map[string]any)
	for _, raw := range associated {
		m, _ := raw.(map[string]any)
		// arn:aws:cloudwatch:<region>:<account>:alarm:<name>
		if parts := strings.Split(str(m["ResourceIdentifier"]), ":"); m["AlarmType"] == "applicationHealth" && len(parts) == 7 && parts[3] == region {
			composite = parts[6]
		}
	}
	if composite == "" {
		return 0, nil, fmt.Errorf("no application health alarm for %s among %v", region, associated)
	}
	var alarms []string
	var longest float64
	add := func(s *assembly.Stack, id string) {
		minutes := alarmMinutes(propertiesOf(s.Template.Resources[id]))
		alarms = append(alarms, fmt.Sprintf("%v %v min", propertiesOf(s.Template.Resources[id])["AlarmName"], minutes))
		longest = math.Max(longest, minutes)
	}
	found := false
	for _, s := range a.stacks {
		for _, c := range resourcesOf(s, "AWS::CloudWatch::CompositeAlarm") {
			props := propertiesOf(c)
			if s.Region != region || props["AlarmName"] != composite {
				continue
			}
			found = true
			for _, m := range placeholder.FindAllStringSubmatch(templateText(props["AlarmRule"]), -1) {
				if s.Template.Resources[m[1]]["Type"] != "AWS::CloudWatch::Alarm" {
					return 0, nil, fmt.Errorf("%s's rule names %s, no alarm of its stack", composite, m[1])
				}
				add(s, m[1])
			}
		}
		observer := strings.TrimSuffix(composite, monitoring.UnhealthyAlarmName("")) + "-observer-health"
		for id, r := range resourcesOf(s, "AWS::CloudWatch::Alarm") {
			if propertiesOf(r)["AlarmName"] == observer {
				add(s, id)
			}
		}
	}
	if !found || len(alarms) == 0 {
		return 0, nil, fmt.Errorf("no composite alarm %s with inputs in %s", composite, region)
	}
	slices.Sort(alarms)
	return longest, alarms, nil
}

// alarmMinutes is how long an alarm's metric must breach before it fires: its period (a metric
// math alarm's, its longest metric's) times its evaluation periods.
func alarmMinutes(alarm map[string]any) float64 {
	period, _ := alarm["Period"].(float64)
	for _, raw := range asList(alarm["Metrics"]) {
		query, _ := raw.(map[string]any)
		p, _ := query["Period"].(float64)
		stat, _ := query["MetricStat"].(map[string]any)
		s, _ := stat["Period"].(float64)
		period = math.Max(period, math.Max(p, s))
	}
	periods, _ := alarm["EvaluationPeriods"].(float64)
	return period * periods / 60
}

// The runbook's decision rule gives the time left to decide: the declared RTO less the
// primary's detection and the plan's worst case, each read from the assembly, never negative.
func TestRunbook_DecisionTimeIsTheRTOLessDetectionAndThePlan(t *testing.T) {
	eachAssembly(t, func(t *testing.T, a *deployed) {
		sections := runbookSections(renderRunbook(a, a.platform.ConfigFile))
		checked := 0
		for _, env := range a.platform.Config.Environments {
			if len(env.Regions) < 2 {
				continue
			}
			primary := env.Regions[0].Region
			objective, detect, worst := math.Inf(1), 0.0, 0.0
			for _, s := range a.stacks {
				for id, plan := range resourcesOf(s, "AWS::ARCRegionSwitch::Plan").ofType("AWS::ARCRegionSwitch::Plan") {
					if environmentOf(a.platform, s.Name).Name != env.Name {
						continue
					}
					rto, _ := plan["RecoveryTimeObjectiveMinutes"].(float64)
					objective = math.Min(objective, rto)
					d, _, err := a.detectionMinutes(plan, primary)
					if err != nil {
						t.Fatalf("%s/%s: %v", s.Name, id, err)
					}
					detect = math.Max(detect, d)
					for _, raw := range asList(plan["Workflows"]) {
						workflow, _ := raw.(map[string]any)
						if minutes, err := planpath.WorkflowMinutes(workflow); err == nil && workflow["WorkflowTargetRegion"] != primary {
							worst = math.Max(worst, minutes)
						}
					}
				}
			}
			if math.IsInf(objective, 1) {
				continue
			}
			checked++
			text := sections[env.Name]["When to fail over"]
			for _, want := range []string{
				fmt.Sprintf("RTO, %v min", objective), fmt.Sprintf("detection up to %v min", detect), fmt.Sprintf("the plan up to %v min", worst),
				fmt.Sprintf("decide within %v min (%v − %v − %v)", math.Max(0, objective-detect-worst), objective, detect, worst),
			} {
				if !strings.Contains(text, want) {
					t.Errorf("%s: the runbook's decision rule does not say %q:\n%s", env.Name, want, text)
				}
			}
		}
		constructkit.CheckedSomething(t, checked, "environment with a failover decision")
	})
}

// docs/disaster-recovery.md states the default region RTO, what it covers (detection with default monitoring,
// time to decide, the plan's worst case), and the configuration table's default, as lib/config
// has them.
func TestReadme_RecoveryObjectivesStateTheDefaultRegionRTOAndWhatItCovers(t *testing.T) {
	defaults := config.Monitoring{CanaryIntervalMinutes: config.DefaultCanaryIntervalMinutes,
		Thresholds: config.Thresholds{CanaryFailedRuns: config.DefaultCanaryFailedRuns}}
	detect, plan, rto := config.DetectionMinutes(defaults), config.PlanCriticalPathMinutes(), config.DefaultRegionRTOMinutes
	section := docSection(t, "docs/disaster-recovery.md", "### Recovery objectives")
	for _, want := range []string{
		fmt.Sprintf("| region | %d min | %d min | counted from the failure: detection (up to %d minutes: the canaries run every %d minutes and alarm after %d failed runs), %d minutes to decide, then the plan's worst case",
			rto, config.DefaultRegionRPOMinutes, detect, config.DefaultCanaryIntervalMinutes, config.DefaultCanaryFailedRuns, rto-detect-plan),
		fmt.Sprintf("%d minutes at\nworst", plan),
		fmt.Sprintf("(%d with the defaults)", rto-detect-plan),
	} {
		if !strings.Contains(section, want) {
			t.Errorf("docs/disaster-recovery.md's recovery objectives do not say %q", want)
		}
	}
	if want := fmt.Sprintf("region %d/%d;", rto, config.DefaultRegionRPOMinutes); !strings.Contains(docSection(t, "docs/configuration.md", "# Configuration"), want) {
		t.Errorf("docs/configuration.md does not give the region objectives' default %q", want)
	}
}

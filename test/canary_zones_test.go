package test

// A healthy region rides out the loss of one availability zone (a real one, or the az-network
// drill that cuts one zone's private subnet for 10 minutes): its canary runs in those subnets,
// so some of its attempts fail, and its alarm, which feeds region-unhealthy, must not fire for
// that while it still fires for a region whose every attempt fails.

import (
	"fmt"
	"math"
	"testing"

	"github.com/example/platform/internal/assembly"
	"github.com/example/platform/lib/config"
	"github.com/example/platform/test/constructkit"
)

// lostZoneAlarmBudget is the most a lost zone may raise a region's canary alarm, per window of
// CanaryFailedRuns runs in a row: a 10-minute drill at the default 5-minute interval holds two.
const lostZoneAlarmBudget = 0.05

// Walked over every region's canary of both configs: with z zones (its subnets), an attempt
// fails, at worst, when its function runs in the lost zone or connects to the load balancer's
// node there, p = 1 - (1 - 1/z)^2; a run fails when it and each of its retries do, p^(r+1); the
// alarm fires when n runs in a row fail, p^((r+1)·n), which must stay within the budget. A
// period passes when any attempt in it did (SuccessPercent's Maximum), and a failing region's
// periods (0) breach.
func TestRule_ACanaryAlarmRidesOutOneLostZone(t *testing.T) {
	checked := 0
	eachCanaryStack(t, func(t *testing.T, a *deployed, env config.Environment, s *assembly.Stack, observer bool) {
		if observer {
			return // outside any VPC: a zone of the regions it calls is the load balancers' concern
		}
		id, canary := canaryOf(t, s)
		vpc, _ := canary["VPCConfig"].(map[string]any)
		zones := float64(len(asList(vpc["SubnetIds"])))
		schedule, _ := canary["Schedule"].(map[string]any)
		retry, _ := schedule["RetryConfig"].(map[string]any)
		retries, _ := retry["MaxRetries"].(float64)
		run, _ := canary["RunConfig"].(map[string]any)
		if timeout, _ := run["TimeoutInSeconds"].(float64); retries == 2 && timeout >= 600 {
			t.Errorf("%s/%s: two retries with a %vs timeout; Synthetics refuses more than one retry from 600 s (RetryConfigInput)", s.Name, id, timeout)
		}
		alarm := canaryAlarm(t, s, fmt.Sprint(canary["Name"]))
		runs, _ := alarm["DatapointsToAlarm"].(float64)
		threshold, _ := alarm["Threshold"].(float64)
		if alarm["Statistic"] != "Maximum" || alarm["ComparisonOperator"] != "LessThanThreshold" || threshold <= 0 || threshold > 100 ||
			alarm["EvaluationPeriods"] != runs || runs < 1 {
			t.Errorf("%s: the alarm on %s reads SuccessPercent's %v, %v %v, %v of %v periods; want the Maximum (a period passes when any attempt did) below a threshold in (0, 100], n of n",
				s.Name, id, alarm["Statistic"], alarm["ComparisonOperator"], threshold, runs, alarm["EvaluationPeriods"])
			return
		}
		attempt := 1 - math.Pow(1-1/zones, 2)
		if chance := math.Pow(attempt, (retries+1)*runs); chance > lostZoneAlarmBudget {
			t.Errorf("%s: losing one of %v zones fires the alarm on %s with a chance of %.1f %% per %v runs (%v retries each); want at most %.0f %%",
				s.Name, zones, id, 100*chance, runs, retries, 100*lostZoneAlarmBudget)
		}
		checked++
	})
	constructkit.CheckedSomething(t, checked, "region canary")
}

// canaryAlarm is the properties of the one alarm of s on the canary named name as a whole (not
// on one of its steps).
func canaryAlarm(t *testing.T, s *assembly.Stack, name string) map[string]any {
	t.Helper()
	var found []map[string]any
	for _, alarm := range resourcesOf(s, "AWS::CloudWatch::Alarm") {
		props := propertiesOf(alarm)
		dimensions := map[string]any{}
		for _, d := range asList(props["Dimensions"]) {
			dimensions[fmt.Sprint(d.(map[string]any)["Name"])] = d.(map[string]any)["Value"]
		}
		if props["Namespace"] == "CloudWatchSynthetics" && props["MetricName"] == "SuccessPercent" && dimensions["CanaryName"] == name && dimensions["StepName"] == nil {
			found = append(found, props)
		}
	}
	if len(found) != 1 {
		t.Fatalf("%s has %d alarms on the canary %s, want one", s.Name, len(found), name)
	}
	return found[0]
}

package runbook

import (
	"fmt"
	"io"
	"math"
	"slices"
	"strings"
)

// renderDecisionTime says how long the person deciding has: the region RTO counts from the
// failure, so the alarms' detection and the plan's worst case come out of it first.
func renderDecisionTime(w io.Writer, env *environment) {
	primary := env.Regions[0]
	detect, alarms := detectionMinutes(env, primary)
	objective, worst := math.Inf(1), 0.0
	for _, p := range env.Plans {
		if p.Primary != primary.Name || !slices.Contains(p.Regions, primary.Name) {
			continue
		}
		objective = math.Min(objective, p.Objective)
		for action, minutes := range p.WorstMinutes {
			if !strings.HasSuffix(action, " "+primary.Name) {
				worst = math.Max(worst, minutes)
			}
		}
	}
	if math.IsInf(objective, 1) || len(alarms) == 0 {
		fmt.Fprintln(w, "The Region target RTO in the table above counts from the failure: once both views fire and the region is not")
		fmt.Fprintln(w, "recovering, or AWS reports an event in it, do not wait longer than that target less the switch's own time.")
		return
	}
	fmt.Fprintf(w, "The Region target RTO, %s min (the plans' RecoveryTimeObjectiveMinutes), counts from the failure:\n", trim(objective))
	fmt.Fprintf(w, "detection up to %s min (the slowest of %s, each period × evaluation periods),\n", trim(detect), strings.Join(alarms, " and "))
	fmt.Fprintf(w, "the plan up to %s min (its steps' worst case, below), so decide within %s min (%s − %s − %s) of both views\n",
		trim(worst), trim(math.Max(0, objective-detect-worst)), trim(objective), trim(detect), trim(worst))
	fmt.Fprintln(w, "firing, once the region is not recovering or AWS reports an event in it.")
}

// detectionMinutes is how long r's failure takes at worst to fire the alarms the decision waits
// for: the inputs of r's region-unhealthy composite and the observer's alarm for r, each period
// × evaluation periods; alarms says which (the composite's inputs as one).
func detectionMinutes(env *environment, r *region) (float64, []string) {
	var longest float64
	var alarms []string
	if r.App != nil {
		for _, res := range r.App.Template.Resources {
			props, _ := res["Properties"].(map[string]any)
			if res["Type"] != "AWS::CloudWatch::CompositeAlarm" || str(props["AlarmName"]) != r.UnhealthyAlarm {
				continue
			}
			for _, id := range getAtts(props["AlarmRule"]) {
				input, _ := r.App.Template.Resources[id]["Properties"].(map[string]any)
				longest = math.Max(longest, alarmWindow(input))
			}
			alarms = append(alarms, fmt.Sprintf("`%s`'s inputs", r.UnhealthyAlarm))
		}
	}
	if name := env.ObserverAlarms[r.Name]; name != "" {
		for _, s := range env.Observers {
			for _, res := range s.Template.Resources {
				if props, _ := res["Properties"].(map[string]any); res["Type"] == "AWS::CloudWatch::Alarm" && str(props["AlarmName"]) == name {
					longest = math.Max(longest, alarmWindow(props))
					alarms = append(alarms, "`"+name+"`")
				}
			}
		}
	}
	return longest / 60, alarms
}

// alarmWindow is how long, in seconds, an alarm's metric must breach before it fires: its
// period (a metric math alarm's, its longest metric's) times its evaluation periods.
func alarmWindow(alarm map[string]any) float64 {
	period := num(alarm["Period"])
	for _, raw := range list(alarm["Metrics"]) {
		query, _ := raw.(map[string]any)
		stat, _ := query["MetricStat"].(map[string]any)
		period = math.Max(period, math.Max(num(query["Period"]), num(stat["Period"])))
	}
	return period * num(alarm["EvaluationPeriods"])
}

// getAtts are the logical IDs v names with Fn::GetAtt, in order.
func getAtts(v any) []string {
	var ids []string
	switch t := v.(type) {
	case map[string]any:
		if att, ok := t["Fn::GetAtt"].([]any); ok && len(att) > 0 {
			return []string{str(att[0])}
		}
		for _, inner := range t {
			ids = append(ids, getAtts(inner)...)
		}
	case []any:
		for _, inner := range t {
			ids = append(ids, getAtts(inner)...)
		}
	}
	return ids
}

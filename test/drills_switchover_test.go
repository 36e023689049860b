package test

import (
	"strings"
	"testing"
)

// A drill that switches the global database over is not stopped by what a healthy switchover
// sets off: every switchover refuses writes for a minute or two, which raises the load balancers'
// 5xx counts, and FIS stopping the experiment then leaves RDS switching over anyway. So no stop
// condition of such a drill is a composite alarm or an alarm on a 5xx metric, and its
// description names the alarms that do stop it.
func TestRule_SwitchoverDrillsAreNotStoppedByTheWritePause(t *testing.T) {
	eachAssembly(t, func(t *testing.T, a *deployed) {
		checked := 0
		for _, s := range a.stacks {
			for id, template := range resourcesOf(s, "AWS::FIS::ExperimentTemplate").ofType("AWS::FIS::ExperimentTemplate") {
				if !switchesTheDatabase(s.Template.Resources, template) {
					continue
				}
				checked++
				description, _ := template["Description"].(string)
				for _, raw := range asList(template["StopConditions"]) {
					stop, _ := raw.(map[string]any)
					alarmID := refTo(stop["Value"])
					alarm := s.Template.Resources[alarmID]
					name, _ := propertiesOf(alarm)["AlarmName"].(string)
					switch {
					case alarm == nil:
						t.Errorf("%s/%s stops on %s, not an alarm of its stack: cannot tell what sets it off", s.Name, id, jsonOf(stop["Value"]))
					case alarm["Type"] != "AWS::CloudWatch::Alarm":
						t.Errorf("%s/%s stops on %s (%v), which may combine 5xx alarms", s.Name, id, alarmID, alarm["Type"])
					case strings.Contains(strings.ToUpper(jsonOf(propertiesOf(alarm))), "5XX"):
						t.Errorf("%s/%s stops on %s, a 5xx alarm that a switchover's write pause sets off", s.Name, id, name)
					case name == "" || !strings.Contains(description, name):
						t.Errorf("%s/%s does not name its stop alarm %q in its description: %q", s.Name, id, name, description)
					}
				}
			}
		}
		checkedSomething(t, checked, "database switchover drill")
	})
}

// switchesTheDatabase reports whether an experiment template runs an SSM document of its stack
// that switches or fails over a global database.
func switchesTheDatabase(resources map[string]map[string]any, template map[string]any) bool {
	actions := jsonOf(template["Actions"])
	for id, r := range resources {
		if r["Type"] != "AWS::SSM::Document" || !strings.Contains(actions, `"`+id+`"`) {
			continue
		}
		if content := jsonOf(propertiesOf(r)["Content"]); strings.Contains(content, "SwitchoverGlobalCluster") || strings.Contains(content, "FailoverGlobalCluster") {
			return true
		}
	}
	return false
}

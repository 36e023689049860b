package test

import (
	"regexp"
	"testing"
)

// runbookNamed is how an alarm's description sends the person paged to the runbook.
var runbookNamed = regexp.MustCompile(`move traffic away as (\S+) says`)

// The alarms that send the person paged to the runbook name their own platform's: the example's
// is docs/runbook.md, any other platform's the one make docs writes for it, in docs/<platform>/
// (internal/docspath), so an operator of a fork is not sent to the example's.
func TestAlarms_NameTheirPlatformsRunbook(t *testing.T) {
	want := map[string]string{twoEnvironments: "docs/acme/runbook.md", threeRegions: "docs/globex/runbook.md"}
	eachAssembly(t, func(t *testing.T, a *deployed) {
		runbook, ok := want[a.platform.ConfigFile]
		if !ok {
			t.Skipf("no runbook path stated for %s", a.platform.ConfigFile)
		}
		named := map[string]int{}
		for _, s := range a.stacks {
			for _, alarmType := range []string{"AWS::CloudWatch::Alarm", "AWS::CloudWatch::CompositeAlarm"} {
				for id, alarm := range resourcesOf(s, alarmType) {
					description, _ := propertiesOf(alarm)["AlarmDescription"].(string)
					for _, m := range runbookNamed.FindAllStringSubmatch(description, -1) {
						if m[1] != runbook {
							t.Errorf("%s/%s sends the person paged to %s, not to %s", s.Name, id, m[1], runbook)
						}
						named[alarmType]++
					}
				}
			}
		}
		// Both kinds name it: each region's region-unhealthy composite and the observer's view of each region.
		if named["AWS::CloudWatch::CompositeAlarm"] == 0 || named["AWS::CloudWatch::Alarm"] == 0 {
			t.Errorf("alarms naming a runbook, by type: %v; want composite alarms and the observer's alarms", named)
		}
	})
}

package config_test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/example/platform/lib/config"
)

// The default region RTO counts from the failure: it holds the alarms' detection with default
// monitoring and then the plans' worst case.
func TestRecovery_DefaultRegionRTOCoversDetectionAndThePlan(t *testing.T) {
	env := mustLoad(t, "testdata/valid-minimal.json").Environments[0]
	detect := config.DetectionMinutes(env.Monitoring)
	if detect != config.DefaultCanaryIntervalMinutes*config.DefaultCanaryFailedRuns {
		t.Errorf("detection with default monitoring = %d min; want the canaries' %d × %d", detect, config.DefaultCanaryIntervalMinutes, config.DefaultCanaryFailedRuns)
	}
	if want := detect + config.PlanCriticalPathMinutes(); config.DefaultRegionRTOMinutes < want {
		t.Errorf("default region RTO %d min < detection %d + plan %d", config.DefaultRegionRTOMinutes, detect, config.PlanCriticalPathMinutes())
	}
}

// A region RTO too short for the default detection fits once the canaries detect faster: the
// fix the error message names works.
func TestRecovery_FasterCanariesLetARegionPromiseLess(t *testing.T) {
	data, err := os.ReadFile("testdata/invalid/recovery-rto-below-detection-and-plan.json")
	if err != nil {
		t.Fatal(err)
	}
	var platform map[string]any
	if err := json.Unmarshal(data, &platform); err != nil {
		t.Fatal(err)
	}
	env := platform["environments"].([]any)[0].(map[string]any)
	env["monitoring"] = map[string]any{"canaryIntervalMinutes": 1}
	data, _ = json.Marshal(platform)
	file := filepath.Join(t.TempDir(), "platform.json")
	if err := os.WriteFile(file, data, 0o644); err != nil {
		t.Fatal(err)
	}
	loaded, err := config.Load(file)
	if err != nil {
		t.Fatalf("an RTO of 20 with a canary every minute (detection %d + plan %d): %v", config.RegionHealthAlarmMinutes, config.PlanCriticalPathMinutes(), err)
	}
	if got := config.DetectionMinutes(loaded.Environments[0].Monitoring); got != config.RegionHealthAlarmMinutes {
		t.Errorf("detection with a canary every minute, failing twice = %d min; want the running-tasks alarm's %d", got, config.RegionHealthAlarmMinutes)
	}
}

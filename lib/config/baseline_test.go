package config_test

import (
	"strings"
	"testing"

	"github.com/example/platform/lib/config"
	"github.com/example/platform/lib/limits"
)

func TestBaseline_EveryPartIsOnByDefaultAndTheToolingAccountAudits(t *testing.T) {
	platform := mustLoad(t, "testdata/valid-minimal.json")
	b := platform.Baseline
	for _, s := range config.SecurityServices {
		if got := platform.SecurityServiceMode(s, "111111111111", "eu-west-1"); got != config.ServiceCreate {
			t.Errorf("%s defaults to %q; want the baseline to create it", s, got)
		}
	}
	if got := platform.AuditorPrincipals(); strings.Join(got, ",") != "333333333333" {
		t.Errorf("auditors default to %v, want the tooling account", got)
	}
	if b.RetentionDays != config.DefaultBaselineRetentionDays {
		t.Errorf("retention defaults to %d days, want %d", b.RetentionDays, config.DefaultBaselineRetentionDays)
	}
}

func TestBaseline_SwitchesTurnEachPartOff(t *testing.T) {
	data := strings.Replace(readFile(t, "testdata/valid-minimal.json"), `"environments"`,
		`"baseline": {"guardDuty": false, "securityHub": false, "config": false, "cloudTrail": false, "auditors": ["arn:aws:iam::333333333333:role/Audit"]}, "environments"`, 1)
	platform, err := config.Parse("switched.json", []byte(data))
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range config.SecurityServices {
		if got := platform.SecurityServiceMode(s, "111111111111", "us-east-1"); got != config.ServiceOff {
			t.Errorf("%s: false reads as %q, want off", s, got)
		}
	}
	if got := platform.AuditorPrincipals(); strings.Join(got, ",") != "arn:aws:iam::333333333333:role/Audit" {
		t.Errorf("auditors = %v", got)
	}
}

// Load fills every switch it defaults, so that the accessors only read: a default lives in
// applyDefaults alone, and an unloaded value is off.
func TestDefaults_LoadSetsEverySwitchAndTheAccessorsOnlyReadIt(t *testing.T) {
	platform := mustLoad(t, "testdata/valid-minimal.json")
	b, env := platform.Baseline, platform.Environments[0]
	for name, mode := range map[string]config.ServiceMode{
		"baseline.guardDuty": b.GuardDuty, "baseline.securityHub": b.SecurityHub, "baseline.config": b.Config, "baseline.cloudTrail": b.CloudTrail,
	} {
		if mode == "" {
			t.Errorf("Load left %s unset", name)
		}
	}
	for name, value := range map[string]*bool{
		"monitoring.prometheus": env.Monitoring.Prometheus, "backup.lake": env.Backup.Lake,
		"terminationProtection": env.TerminationProtection, "interRegionPeering": env.InterRegionPeering,
	} {
		if value == nil {
			t.Errorf("Load left %s unset", name)
		}
	}
	var unloaded config.Environment
	unloaded.Regions = make([]config.Region, 2)
	if unloaded.Protected() || unloaded.PeersRegions() || unloaded.Monitoring.PrometheusOn() || unloaded.Backup.LakeOn() || (config.Platform{}).SecurityServiceMode(config.GuardDuty, "", "").Runs() {
		t.Error("an accessor applies a default of its own to a value Load did not set")
	}
}

func TestLimits_LogRetentionPeriodsEndAtCloudWatchLogsLongest(t *testing.T) {
	if last := config.LogRetentionPeriods[len(config.LogRetentionPeriods)-1]; last != limits.LogsMaxRetentionDays {
		t.Errorf("LogRetentionPeriods end at %d, CloudWatch Logs' longest is %d", last, limits.LogsMaxRetentionDays)
	}
}

package config_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/example/platform/lib/config"
)

// footprintFixtures are the invalid fixtures of the footprint's combinations: each leaves out a
// part that another part of the same environment needs.
var footprintFixtures = []struct{ fixture, path, message string }{
	{"footprint-observer-without-edge", "environments[0].footprint.observer", "calls the site through the edge"},
	{"footprint-observer-without-accelerator", "environments[0].footprint.observer", "the API through the accelerator"},
	{"footprint-recovery-in-one-region", "environments[0].footprint.recovery", "between two regions"},
	{"footprint-recovery-without-observer", "environments[0].footprint.recovery", "waits for the observer's alarms"},
	{"footprint-domain-without-edge-or-accelerator", "environments[0].dns", "no record of the zone names the environment"},
	{"footprint-grafana-without-edge", "environments[0].monitoring.grafana", "lives in the edge stack"},
	{"footprint-regional-cluster-in-two-regions", "environments[0].footprint.globalDatabase", "false with 2 regions: a regional Aurora cluster serves one region"},
}

func TestFootprint_RejectsEachCombinationThatMissesWhatAPartNeeds(t *testing.T) {
	for _, c := range footprintFixtures {
		t.Run(c.fixture, func(t *testing.T) {
			problems := loadProblems(t, filepath.Join("testdata", "invalid", c.fixture+".json"))
			if len(problems) != 1 {
				t.Fatalf("want exactly one problem at %q, got %d: %+v", c.path, len(problems), problems)
			}
			if problems[0].Path != c.path || !strings.Contains(problems[0].Message, c.message) {
				t.Errorf("got %s: %s\nwant %s: ...%s...", problems[0].Path, problems[0].Message, c.path, c.message)
			}
		})
	}
}

// Without switches an environment keeps today's footprint; recovery is on only where it can be,
// so a one-region environment is valid without naming a switch.
func TestFootprint_DefaultsToTheFullPlatformAndRecoveryWhereItCanBe(t *testing.T) {
	p, err := config.Load("testdata/valid-minimal.json")
	if err != nil {
		t.Fatal(err)
	}
	for _, env := range p.Environments {
		if !env.HasEdge() || !env.HasAccelerator() || !env.HasObserver() || !env.HasDrills() || !env.HasGlobalDatabase() {
			t.Errorf("%s: edge %v, accelerator %v, observer %v, drills %v, global database %v; want all on by default",
				env.Name, env.HasEdge(), env.HasAccelerator(), env.HasObserver(), env.HasDrills(), env.HasGlobalDatabase())
		}
		if want := len(env.Regions) > 1; env.HasRecovery() != want {
			t.Errorf("%s (%d regions): recovery %v by default, want %v", env.Name, len(env.Regions), env.HasRecovery(), want)
		}
		if env.ObserverRegion == "" {
			t.Errorf("%s: no default observer region", env.Name)
		}
	}
}

// The shipped config/minimal.json leaves every optional part out, the global database too; an
// environment without the observer needs no observer region.
func TestExample_MinimalConfigLeavesEveryOptionalPartOut(t *testing.T) {
	p, err := config.Load("../../config/minimal.json")
	if err != nil {
		t.Fatal(err)
	}
	env := p.Environments[0]
	if env.HasEdge() || env.HasAccelerator() || env.HasObserver() || env.HasRecovery() || env.HasDrills() || env.HasGlobalDatabase() {
		t.Errorf("minimal.json's %s keeps an optional part: %+v", env.Name, env.Footprint)
	}
	if env.ObserverRegion != "" {
		t.Errorf("observer region %q defaulted for an environment without the observer", env.ObserverRegion)
	}
	if env.Monitoring.PrometheusOn() || env.Monitoring.GrafanaOn() || env.Monitoring.OpenSearchOn() {
		t.Errorf("minimal.json keeps a monitoring extra: %+v", env.Monitoring)
	}
}

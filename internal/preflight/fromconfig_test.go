package preflight

import (
	"fmt"
	"testing"

	"github.com/example/platform/lib/config"
	"github.com/example/platform/lib/plan"
)

func TestFromPlan_ChecksEveryAccountRegionAndWhatTheConfigTurnsOn(t *testing.T) {
	platform, err := config.Load("../../test/testdata/three-regions.json")
	if err != nil {
		t.Fatal(err)
	}
	p := plan.New(platform)
	in := FromPlan(p, &Assembly{})
	if len(in.Targets) != len(p.AccountRegions) {
		t.Errorf("%d targets, want the plan's %d account-regions", len(in.Targets), len(p.AccountRegions))
	}
	if got := fmt.Sprint(in.Grafana); got != "[{444444444444 us-east-1}]" {
		t.Errorf("Identity Center checked in %s; want where the Grafana workspace is (the edge stack's region)", got)
	}
	if in.ImageScan != in.Pipeline || in.Pipeline.Account != "333333333333" {
		t.Errorf("image scanning checked in %v; want the pipeline's account and region %v", in.ImageScan, in.Pipeline)
	}
	if in.Modes(GuardDuty, "444444444444", "us-east-1") != Create {
		t.Error("GuardDuty is on by default: the baseline creates it")
	}
	platform.Baseline.GuardDuty = config.ServiceOff
	if FromPlan(p, &Assembly{}).Modes(GuardDuty, "444444444444", "us-east-1") != Off {
		t.Error("GuardDuty switched off: the baseline leaves it out")
	}
	platform.Baseline.Accounts = map[string]config.AccountBaseline{"444444444444": {GuardDuty: config.ServiceExisting}}
	if FromPlan(p, &Assembly{}).Modes(GuardDuty, "444444444444", "us-east-1") != Existing {
		t.Error("GuardDuty adopted in the account: the preflight expects it running")
	}
}

func TestFromPlan_NamesEachStacksEnvironmentAsTheConfigDoes(t *testing.T) {
	platform, err := config.Load("../../test/testdata/three-regions.json")
	if err != nil {
		t.Fatal(err)
	}
	p := plan.New(platform)
	in := FromPlan(p, &Assembly{})
	last := len(platform.Environments) - 1
	for _, s := range p.Environments[len(p.Environments)-1].Stacks {
		if s.Environment != platform.Environments[last].Name {
			continue
		}
		if got, want := in.environmentOf(s.Name), fmt.Sprintf("environments[%d] (%s)", last, s.Environment); got != want {
			t.Errorf("stack %s: %s, want %s", s.Name, got, want)
		}
		return
	}
	t.Fatal("no stack of the last environment in the plan")
}

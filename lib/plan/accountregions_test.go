package plan_test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/example/platform/lib/config"
	"github.com/example/platform/lib/plan"
)

func describe(regions []plan.AccountRegion) []string {
	var out []string
	for _, r := range regions {
		home := ""
		if r.Home {
			home = " home"
		}
		tooling := ""
		if r.Tooling {
			tooling = " tooling"
		}
		out = append(out, fmt.Sprintf("%s/%s%s%s [%s]", r.Account, r.Region, home, tooling, strings.Join(r.Environments, ",")))
	}
	return out
}

// Every region of every environment, us-east-1 and us-west-2 of every environment account (the
// edge and the accelerator), and the tooling account's pipeline region and every region the
// pipeline deploys to; the first of each account is its home.
func TestPlan_AccountRegionsOfTwoEnvironmentsAreEveryAccountAndRegionOnce(t *testing.T) {
	platform := mustLoad(t, "testdata/two-environments.json")
	want := []string{
		"111111111111/us-east-1 home [staging]", "111111111111/eu-west-1 [staging]", "111111111111/us-west-2 [staging]",
		"222222222222/us-east-1 home [prod]", "222222222222/eu-west-1 [prod]", "222222222222/us-west-2 [prod]",
		"333333333333/us-east-1 home tooling []", "333333333333/eu-west-1 tooling []", "333333333333/us-west-2 tooling []",
	}
	if got := describe(plan.New(platform).AccountRegions); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("account-regions:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if got := plan.New(platform).Baseline.Actions(); got != 9+1+2 {
		t.Errorf("the baseline stage has %d actions, want 12 (9 stacks, protection, the permissions check and its confirmation)", got)
	}
}

// Two environments in one account share its account-regions; the account's home is its first
// environment's primary region, whatever the second lists first. A tooling account that is also
// an environment's gets nothing twice either.
func TestPlan_EnvironmentsSharingAnAccountShareItsAccountRegions(t *testing.T) {
	data := readFile(t, "../config/testdata/valid-minimal.json")
	data = strings.Replace(data, `"222222222222"`, `"111111111111"`, 1)
	data = strings.Replace(data, `"account": "333333333333"`, `"account": "111111111111"`, 1)
	data = strings.Replace(data, `"region": "us-east-1",
          "cidr": "10.2.0.0/16"`, `"region": "ap-southeast-2",
          "cidr": "10.2.0.0/16"`, 1)
	platform, err := config.Parse("shared.json", []byte(data))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{
		"111111111111/us-east-1 home tooling [staging,prod]", "111111111111/eu-west-1 tooling [staging,prod]",
		"111111111111/us-west-2 tooling [staging,prod]", "111111111111/ap-southeast-2 tooling [staging,prod]",
	}
	if got := describe(plan.New(platform).AccountRegions); strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("account-regions:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if home := plan.New(platform).HomeRegion("111111111111"); home != "us-east-1" {
		t.Errorf("home region = %q, want us-east-1 (staging's primary)", home)
	}
}

// The tooling account alone has its home in the pipeline's region, even when an environment
// runs elsewhere first.
func TestPlan_ToolingAccountsHomeIsThePipelinesRegion(t *testing.T) {
	data := strings.Replace(readFile(t, "../config/testdata/valid-minimal.json"), `"region": "us-east-1",
    "source"`, `"region": "eu-west-2",
    "source"`, 1)
	platform, err := config.Parse("tooling-eu.json", []byte(data))
	if err != nil {
		t.Fatal(err)
	}
	if home := plan.New(platform).HomeRegion("333333333333"); home != "eu-west-2" {
		t.Errorf("tooling home region = %q, want eu-west-2 (the pipeline's)", home)
	}
}

// An environment is watched from us-west-2 unless it runs there, then from us-east-1: regions
// its account already uses, so the default adds no account-region. An observer region the
// config names is an account-region of the platform like any other: it gets a baseline, and the
// tooling account's pipeline deploys there.
func TestPlan_TheObserverRegionIsAnAccountRegionOfThePlatform(t *testing.T) {
	fixture := mustLoad(t, "testdata/two-environments.json")
	for _, env := range fixture.Environments {
		if env.ObserverRegion != config.AcceleratorRegion {
			t.Errorf("two-environments.json's %s is watched from %q, want %s (the default)", env.Name, env.ObserverRegion, config.AcceleratorRegion)
		}
	}
	data := strings.Replace(readFile(t, "../config/testdata/valid-minimal.json"), `"region": "us-east-1",
          "cidr": "10.0.0.0/16"`, `"region": "us-west-2",
          "cidr": "10.0.0.0/16"`, 1)
	platform, err := config.Parse("west.json", []byte(data))
	if err != nil {
		t.Fatal(err)
	}
	if got := platform.Environments[0].ObserverRegion; got != config.EdgeRegion {
		t.Errorf("an environment in us-west-2 is watched from %q, want %s", got, config.EdgeRegion)
	}
	data = strings.Replace(readFile(t, "../config/testdata/valid-minimal.json"), `"name": "prod",`, `"name": "prod",
      "observerRegion": "ca-central-1",`, 1)
	platform, err = config.Parse("observer.json", []byte(data))
	if err != nil {
		t.Fatal(err)
	}
	got := strings.Join(describe(plan.New(platform).AccountRegions), "\n")
	for _, want := range []string{"222222222222/ca-central-1 [prod]", "333333333333/ca-central-1 tooling []"} {
		if !strings.Contains(got, want) {
			t.Errorf("account-regions:\n%s\nwant among them %s", got, want)
		}
	}
}

// The regions lib/config lets a baseline override name (Platform.AccountRegions) are the
// account-regions the plan gives a baseline stack, whatever the footprint.
func TestAccountRegions_AreTheRegionsConfigLetsTheBaselineOverride(t *testing.T) {
	for _, file := range []string{"../config/testdata/valid-minimal.json", "../config/testdata/valid-six-regions.json", "testdata/eu-no-edge.json"} {
		platform := mustLoad(t, file)
		planned := map[string][]string{}
		for _, ar := range plan.New(platform).AccountRegions {
			planned[ar.Account] = append(planned[ar.Account], ar.Region)
		}
		for _, account := range platform.Accounts() {
			got, want := platform.AccountRegions(account), planned[account]
			slices.Sort(got)
			slices.Sort(want)
			if !slices.Equal(got, want) {
				t.Errorf("%s: config says account %s uses %v, the plan deploys baselines to %v", file, account, got, want)
			}
		}
		if len(planned) != len(platform.Accounts()) {
			t.Errorf("%s: the plan has baselines in %d accounts, config knows %v", file, len(planned), platform.Accounts())
		}
	}
}

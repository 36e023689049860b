package config_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/example/platform/lib/config"
)

// withBaseline is valid-minimal.json (staging in 111111111111, prod in 222222222222, tooling in
// 333333333333) with baseline set to the JSON object body.
func withBaseline(t *testing.T, key, body string) (*config.Platform, error) {
	t.Helper()
	data := strings.Replace(readFile(t, "testdata/valid-minimal.json"), `"environments"`, `"`+key+`": `+body+`, "environments"`, 1)
	return config.Parse("adopting.json", []byte(data))
}

// An account-region takes the platform's mode, then its account's, then its own.
func TestServiceModes_AnAccountRegionTakesThePlatformsThenItsAccountsThenItsOwn(t *testing.T) {
	platform, err := withBaseline(t, "baseline", `{"guardDuty": "existing", "config": false, "securityHubStandards": "organization",
		"accounts": {"111111111111": {"guardDuty": "create", "securityHub": "existing", "cloudTrail": "existing",
			"regions": {"eu-west-1": {"guardDuty": "off", "config": "existing", "securityHubStandards": "ours"}}}}}`)
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		service         config.SecurityService
		account, region string
		want            config.ServiceMode
	}{
		{config.GuardDuty, "222222222222", "us-east-1", config.ServiceExisting},
		{config.GuardDuty, "111111111111", "us-east-1", config.ServiceCreate},
		{config.GuardDuty, "111111111111", "eu-west-1", config.ServiceOff},
		{config.ConfigRecorder, "333333333333", "us-east-1", config.ServiceOff},
		{config.ConfigRecorder, "111111111111", "eu-west-1", config.ServiceExisting},
		{config.SecurityHub, "222222222222", "us-east-1", config.ServiceCreate},
		{config.SecurityHub, "111111111111", "us-west-2", config.ServiceExisting},
		{config.CloudTrail, "111111111111", "eu-west-1", config.ServiceExisting},
		{config.CloudTrail, "222222222222", "eu-west-1", config.ServiceCreate},
	} {
		if got := platform.SecurityServiceMode(c.service, c.account, c.region); got != c.want {
			t.Errorf("%s in %s %s = %q, want %q", c.service, c.account, c.region, got, c.want)
		}
	}
	for _, c := range []struct {
		account, region string
		want            bool
	}{
		{"222222222222", "us-east-1", true},  // the baseline creates the hub: its standards are ours
		{"111111111111", "us-east-1", false}, // existing hub, the organization's standards
		{"111111111111", "eu-west-1", true},  // existing hub, the region says ours
	} {
		if got := platform.OwnsSecurityHubStandards(c.account, c.region); got != c.want {
			t.Errorf("OwnsSecurityHubStandards(%s, %s) = %v, want %v", c.account, c.region, got, c.want)
		}
	}
}

// Each mistake in the modes is reported with its field, the value and what to write instead.
func TestServiceModes_RefuseUnknownAccountsRegionsAndModes(t *testing.T) {
	_, err := withBaseline(t, "baseline", `{"guardDuty": "maybe", "cloudTrail": 1,
		"accounts": {"444444444444": {"config": "off"},
			"111111111111": {"securityHubStandards": "theirs", "regions": {"ap-south-1": {"config": "off"}, "eu-west-1": {"securityHub": "yes"}}}}}`)
	var cfgErr *config.Error
	if !errors.As(err, &cfgErr) {
		t.Fatalf("want a *config.Error, got %v", err)
	}
	want := map[string]string{
		"baseline.guardDuty":                                           `"maybe" is not a mode; want "create"`,
		"baseline.cloudTrail":                                          `1: expected "create", "existing" or "off"`,
		"baseline.accounts.444444444444":                               `"444444444444" is not an account of the platform`,
		"baseline.accounts.111111111111.securityHubStandards":          `"theirs" is not valid; want "ours"`,
		"baseline.accounts.111111111111.regions.ap-south-1":            `"ap-south-1" is not a region the platform uses in account 111111111111; name one of us-east-1, eu-west-1, us-west-2`,
		"baseline.accounts.111111111111.regions.eu-west-1.securityHub": `"yes" is not a mode`,
	}
	for _, p := range cfgErr.Problems {
		if prefix, ok := want[p.Path]; ok && strings.HasPrefix(p.Message, prefix) {
			delete(want, p.Path)
		}
	}
	for path, message := range want {
		t.Errorf("no problem at %s saying %s; got %v", path, message, err)
	}
	if len(cfgErr.Problems) != 6 {
		t.Errorf("want exactly 6 problems, got %v", err)
	}
}

// The regions an account's overrides may name are the regions its baseline stacks go to.
func TestServiceModes_AnAccountsRegionsAreItsEnvironmentsAndThePipelines(t *testing.T) {
	platform := mustLoad(t, "testdata/valid-minimal.json")
	for account, want := range map[string]string{
		"111111111111": "us-east-1 eu-west-1 us-west-2",
		"222222222222": "us-east-1 us-west-2",
		"333333333333": "us-east-1 eu-west-1 us-west-2",
		"444444444444": "",
	} {
		if got := strings.Join(platform.AccountRegions(account), " "); got != want {
			t.Errorf("AccountRegions(%s) = %q, want %q", account, got, want)
		}
	}
}

// withTagKeys is the minimal config with a cost centre and the tag keys in keys.
func withTagKeys(t *testing.T, keys string) (*config.Platform, error) {
	t.Helper()
	return withBaseline(t, "tags", `{"keys": `+keys+`}, "costCentre": "cc-1"`)
}

func TestTagKeys_DefaultToTodaysAndFollowTheConfig(t *testing.T) {
	keys := mustLoad(t, "testdata/valid-minimal.json").Tags.Keys
	if keys != (config.TagKeys{Platform: "platform", Environment: "environment", Owner: "owner", CostCentre: "cost-centre"}) {
		t.Errorf("tag keys default to %+v", keys)
	}
	platform, err := withTagKeys(t, `{"environment": "Environment", "costCentre": "CostCenter"}`)
	if err != nil {
		t.Fatal(err)
	}
	if k := platform.Tags.Keys; k.Environment != "Environment" || k.CostCentre != "CostCenter" || k.Owner != "owner" {
		t.Errorf("tag keys = %+v", k)
	}
}

func TestTagKeys_RefuseWhatAWSRefuses(t *testing.T) {
	_, err := withTagKeys(t, `{"platform": "aws:platform", "environment": "env#name", "owner": "`+strings.Repeat("o", 129)+`", "costCentre": "RDS:cost"}`)
	var cfgErr *config.Error
	if !errors.As(err, &cfgErr) {
		t.Fatalf("want a *config.Error, got %v", err)
	}
	want := map[string]string{
		"tags.keys.platform":    "starts with aws:",
		"tags.keys.environment": "is not a tag key",
		"tags.keys.owner":       "is not a tag key",
		"tags.keys.costCentre":  "starts with rds:",
	}
	for _, p := range cfgErr.Problems {
		if w, ok := want[p.Path]; ok && strings.Contains(p.Message, w) {
			delete(want, p.Path)
		}
	}
	if len(want) > 0 || len(cfgErr.Problems) != 4 {
		t.Errorf("missing %v; got %v", want, err)
	}
	_, err = withTagKeys(t, `{"owner": "Platform", "platform": "platform"}`)
	if err == nil || !strings.Contains(err.Error(), "tags.keys.owner: \"Platform\" is also tags.keys.platform") {
		t.Errorf("two keys that differ only in case: %v", err)
	}
}

// A cost-centre key named for a tag policy needs a value to tag: without costCentre no resource
// would carry it, and the policy would refuse every create. The default key needs none.
func TestTagKeys_ACostCentreKeyNeedsACostCentre(t *testing.T) {
	_, err := withBaseline(t, "tags", `{"keys": {"costCentre": "CostCenter"}}`)
	if err == nil || !strings.Contains(err.Error(), `tags.keys.costCentre: "CostCenter" names the cost-centre tag, but costCentre is not set`) {
		t.Errorf("a cost-centre key without a cost centre: %v", err)
	}
	if _, err := withBaseline(t, "tags", `{"keys": {"owner": "Owner"}}`); err != nil {
		t.Errorf("the default cost-centre key without a cost centre: %v", err)
	}
}

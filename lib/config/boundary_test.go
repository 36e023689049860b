package config_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/example/platform/lib/config"
)

// withBoundary is the minimal valid config with boundary (a JSON object) as its permissionsBoundary.
func withBoundary(t *testing.T, boundary string) (*config.Platform, error) {
	t.Helper()
	data := readFile(t, "testdata/valid-minimal.json")
	data = strings.Replace(data, `"owner": "platform-team",`, `"owner": "platform-team", "permissionsBoundary": `+boundary+`,`, 1)
	return config.Parse("boundary.json", []byte(data))
}

// The platform-wide boundary applies to every account but those given their own.
func TestPermissionsBoundary_AccountsOverrideThePlatformsPolicy(t *testing.T) {
	p, err := withBoundary(t, `{"policyName": "OrgBoundary", "accounts": [{"account": "222222222222", "policyName": "Prod_Boundary+v2"}]}`)
	if err != nil {
		t.Fatal(err)
	}
	for account, want := range map[string]string{"111111111111": "OrgBoundary", "222222222222": "Prod_Boundary+v2", "333333333333": "OrgBoundary"} {
		if got := p.BoundaryFor(account); got != want {
			t.Errorf("BoundaryFor(%s) = %q, want %q", account, got, want)
		}
	}
	none, err := config.Parse("none.json", []byte(readFile(t, "testdata/valid-minimal.json")))
	if err != nil {
		t.Fatal(err)
	}
	if got := none.BoundaryFor("111111111111"); got != "" {
		t.Errorf("without permissionsBoundary BoundaryFor = %q, want none", got)
	}
}

// A policy ARN, a name IAM refuses, or an account the platform does not use is reported with its
// field and what to write instead.
func TestPermissionsBoundary_RejectsNamesIAMRefusesAndUnknownAccounts(t *testing.T) {
	cases := []struct{ boundary, path, message string }{
		{`{"policyName": "arn:aws:iam::111111111111:policy/OrgBoundary"}`, "permissionsBoundary.policyName", "the name (not the ARN)"},
		{`{"policyName": "` + strings.Repeat("b", 129) + `"}`, "permissionsBoundary.policyName", "1-128 letters"},
		{`{"accounts": [{"account": "111111111111", "policyName": "OrgBoundary"}]}`, "permissionsBoundary.policyName", "required"},
		{`{"policyName": "Org", "accounts": [{"account": "111111111111", "policyName": "has space"}]}`, "permissionsBoundary.accounts[0].policyName", `"has space" is not valid`},
		{`{"policyName": "Org", "accounts": [{"account": "999999999999", "policyName": "Other"}]}`, "permissionsBoundary.accounts[0].account", "not an account of the platform"},
		{`{"policyName": "Org", "accounts": [{"account": "111111111111", "policyName": "A"}, {"account": "111111111111", "policyName": "B"}]}`, "permissionsBoundary.accounts[1].account", "name each account once"},
	}
	for _, c := range cases {
		_, err := withBoundary(t, c.boundary)
		var cfgErr *config.Error
		if !errors.As(err, &cfgErr) {
			t.Errorf("%s: want a config error, got %v", c.boundary, err)
			continue
		}
		if len(cfgErr.Problems) != 1 || cfgErr.Problems[0].Path != c.path || !strings.Contains(cfgErr.Problems[0].Message, c.message) {
			t.Errorf("%s: got %+v, want one problem at %s saying ...%s...", c.boundary, cfgErr.Problems, c.path, c.message)
		}
	}
}

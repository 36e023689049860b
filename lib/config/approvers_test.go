package config_test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/example/platform/lib/config"
)

// withApprovers writes valid-minimal.json with its pipeline's approvers replaced by pipeline
// (a JSON fragment: the approvers field and any other) and returns the file.
func withApprovers(t *testing.T, fragment string) string {
	t.Helper()
	data, err := os.ReadFile("testdata/valid-minimal.json")
	if err != nil {
		t.Fatal(err)
	}
	text := strings.Replace(string(data), `"approvers": [
      "arn:aws:iam::333333333333:role/ReleaseManagers"
    ],`, fragment, 1)
	if text == string(data) {
		t.Fatal("valid-minimal.json no longer names its approvers as this test expects")
	}
	file := filepath.Join(t.TempDir(), "platform.json")
	if err := os.WriteFile(file, []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	return file
}

// Named people approve: the deployment approver and every environment's recovery approver trust
// exactly pipeline.approvers, and the config need not say allowAccountApprovers for them.
func TestConfig_ApproversAreThePeopleTheConfigNames(t *testing.T) {
	platform := mustLoad(t, "testdata/valid-minimal.json")
	want := []string{"arn:aws:iam::333333333333:role/ReleaseManagers"}
	if got := platform.Pipeline.ApproverPrincipals(); !slices.Equal(got, want) {
		t.Errorf("deployment approvers %v, want %v", got, want)
	}
	for _, env := range platform.Environments {
		if got := platform.RecoveryApproverPrincipals(env); !slices.Equal(got, want) {
			t.Errorf("%s's recovery approvers %v, want %v", env.Name, got, want)
		}
	}
	if platform.Pipeline.AllowAccountApprovers != config.DefaultAllowAccountApprovers || config.DefaultAllowAccountApprovers {
		t.Errorf("allowAccountApprovers defaults to %v, want false", platform.Pipeline.AllowAccountApprovers)
	}
}

// Whole accounts approve only when the config says so: then an account may be listed, and with no
// approvers the tooling account approves deployments and each environment's account its plans.
func TestConfig_AccountApproversNeedTheExplicitOptIn(t *testing.T) {
	listed := mustLoad(t, withApprovers(t, `"allowAccountApprovers": true, "approvers": ["333333333333", "arn:aws:iam::333333333333:user/dale"],`))
	if got := listed.Pipeline.ApproverPrincipals(); !slices.Equal(got, []string{"333333333333", "arn:aws:iam::333333333333:user/dale"}) {
		t.Errorf("deployment approvers %v, want the account and the user listed", got)
	}
	defaulted := mustLoad(t, withApprovers(t, `"allowAccountApprovers": true,`))
	if got := defaulted.Pipeline.ApproverPrincipals(); !slices.Equal(got, []string{"333333333333"}) {
		t.Errorf("deployment approvers %v, want the tooling account", got)
	}
	for _, env := range defaulted.Environments {
		if got := defaulted.RecoveryApproverPrincipals(env); !slices.Equal(got, []string{env.Account}) {
			t.Errorf("%s's recovery approvers %v, want its account %s", env.Name, got, env.Account)
		}
	}
}

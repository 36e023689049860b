package test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/example/platform/internal/bootstrap"
	"github.com/example/platform/lib/limits"
	"github.com/example/platform/lib/plan"
	"github.com/example/platform/test/constructkit"
	"github.com/example/platform/test/testkit"
)

// bootstrapOf is make bootstrap's preparation of config file's accounts, from its assembly.
func bootstrapOf(t *testing.T, file string) (*deployed, *bootstrap.Bootstrap) {
	t.Helper()
	p := testkit.Synth(t, file)
	a := assemblyOf(t, p)
	b, err := bootstrap.New(plan.New(p.Config), a.stacks)
	if err != nil {
		t.Fatalf("%s: %v", file, err)
	}
	return a, b
}

// make bootstrap prepares every account-region a stack of the assembly deploys to, and no other;
// every resource type of every account's stacks is in the action table (bootstrap.New fails
// otherwise) and the account's execution policies allow each action the type needs.
func TestRule_BootstrapCoversEveryAccountRegionAndResourceType(t *testing.T) {
	files := withFixtures(boundaryFixture, sharedAccountConfig)
	if existing, ok := organizationConfig(t); ok && checkConfig == "" {
		files = append(files, existing)
	}
	for _, file := range files {
		a, b := bootstrapOf(t, file)
		t.Run(file, func(t *testing.T) {
			var prepared []string
			for _, account := range b.Accounts {
				for _, region := range account.Regions {
					prepared = append(prepared, account.ID+"/"+region)
				}
			}
			var used []string
			for _, s := range a.stacks {
				if place := s.Account + "/" + s.Region; !slices.Contains(used, place) {
					used = append(used, place)
				}
				i := slices.IndexFunc(b.Accounts, func(acc bootstrap.Account) bool { return acc.ID == s.Account })
				if i < 0 {
					t.Errorf("%s is in account %s, which make bootstrap does not prepare", s.Name, s.Account)
					continue
				}
				allowed := allowedActions(b.Accounts[i])
				for resourceType := range s.ResourceTypes() {
					needed, _ := bootstrap.ActionsFor(resourceType)
					for _, action := range needed {
						if !allowed(action) {
							t.Errorf("%s: %s needs %s, which account %s's execution policies do not allow", s.Name, resourceType, action, s.Account)
						}
					}
				}
			}
			slices.Sort(prepared)
			slices.Sort(used)
			if !slices.Equal(prepared, used) {
				t.Errorf("make bootstrap prepares %v, the stacks deploy to %v", prepared, used)
			}
		})
	}
}

// allowedActions reports whether an action is in the account's policies, or covered by one of
// their wildcards.
func allowedActions(account bootstrap.Account) func(string) bool {
	var all []string
	for _, p := range account.Policies {
		all = append(all, p.Actions...)
		for _, s := range p.Extra {
			if action, ok := s["Action"].(string); ok && s["Effect"] == "Allow" {
				all = append(all, action)
			}
		}
	}
	return func(action string) bool {
		return slices.ContainsFunc(all, func(a string) bool {
			prefix, wild := strings.CutSuffix(a, "*")
			return a == action || wild && strings.HasPrefix(action, prefix)
		})
	}
}

// Each execution policy fits IAM's managed-policy size, the role takes them all, no action is *
// or a whole service, and an account's commands pass its boundary and policies to cdk bootstrap.
func TestRule_ExecutionPoliciesFitIAMAndHaveNoStarAction(t *testing.T) {
	for _, file := range withFixtures(boundaryFixture) {
		_, b := bootstrapOf(t, file)
		cfg := testkit.Synth(t, file).Config
		for _, account := range b.Accounts {
			if len(account.Policies) == 0 || len(account.Policies) > limits.IAMManagedPoliciesPerRole {
				t.Errorf("%s: account %s has %d execution policies, want 1 to %d", file, account.ID, len(account.Policies), limits.IAMManagedPoliciesPerRole)
			}
			for _, p := range account.Policies {
				if p.Size() > limits.IAMManagedPolicyChars {
					t.Errorf("%s: %s of account %s is %d characters, over IAM's %d", file, p.Name, account.ID, p.Size(), limits.IAMManagedPolicyChars)
				}
				for _, action := range p.Actions {
					if !bootstrap.ValidAction(action) {
						t.Errorf("%s: %s allows %q", file, p.Name, action)
					}
				}
				t.Logf("%s: account %s: %s: %d actions, %d characters", file, account.ID, p.Name, len(p.Actions), p.Size())
			}
			commands := strings.Join(b.Commands(account, "cdk.out/bootstrap", ""), "\n")
			if boundary := cfg.BoundaryFor(account.ID); boundary != "" && !strings.Contains(commands, "--custom-permissions-boundary "+boundary) {
				t.Errorf("%s: account %s's cdk bootstrap does not pass its boundary %s:\n%s", file, account.ID, boundary, commands)
			}
		}
	}
}

const (
	bootstrapRegionsBegin = "<!-- The table below is generated from config/example.json's plan by test/bootstrap_test.go: UPDATE_GOLDEN=1 go test ./test -run TestDocs_BootstrapRegionsAreThePlans -->"
	bootstrapRegionsEnd   = "<!-- end of the generated bootstrap regions -->"
)

// docs/deploying.md's table of the regions to bootstrap and govern is the example's plan.
func TestDocs_BootstrapRegionsAreThePlans(t *testing.T) {
	file := filepath.Join(constructkit.RepoRoot(t), "docs", "deploying.md")
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	want := bootstrap.RegionsTable(plan.New(testkit.LoadConfig(t, exampleConfigs[0])))
	before, rest, ok1 := strings.Cut(string(data), bootstrapRegionsBegin+"\n")
	got, after, ok2 := strings.Cut(rest, bootstrapRegionsEnd)
	if !ok1 || !ok2 {
		t.Fatalf("docs/deploying.md has no generated table between %q and %q", bootstrapRegionsBegin, bootstrapRegionsEnd)
	}
	if got == want {
		return
	}
	if os.Getenv("UPDATE_GOLDEN") == "1" {
		if err := os.WriteFile(file, []byte(before+bootstrapRegionsBegin+"\n"+want+bootstrapRegionsEnd+after), 0o644); err != nil {
			t.Fatal(err)
		}
		t.Log("rewrote docs/deploying.md's bootstrap regions")
		return
	}
	t.Errorf("docs/deploying.md's bootstrap regions are not the example's plan: run UPDATE_GOLDEN=1 go test ./test -run TestDocs_BootstrapRegionsAreThePlans. It should read:\n%s", want)
}

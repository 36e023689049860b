package plan_test

import (
	"os"
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/example/platform/lib/config"
	"github.com/example/platform/lib/plan"
)

func mustLoad(t *testing.T, path string) *config.Platform {
	t.Helper()
	platform, err := config.Load(path)
	if err != nil {
		t.Fatalf("%s must be valid: %v", path, err)
	}
	return platform
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

// stageActions plans p with env in place of its namesake and counts env's stage.
func stageActions(t *testing.T, p *config.Platform, env config.Environment) int {
	t.Helper()
	changed := *p
	changed.Environments = []config.Environment{env}
	stage, ok := plan.New(&changed).Environment(env.Name)
	if !ok {
		t.Fatalf("no stage for %s", env.Name)
	}
	return stage.Actions()
}

// Six regions of a gated, protected environment is the largest stage that fits CodePipeline's
// 50 actions; more are rejected (testdata/invalid/too-many-regions.json).
func TestPlan_SixRegionsOfAGatedProtectedEnvironmentFitOneStage(t *testing.T) {
	platform := mustLoad(t, "../config/testdata/valid-six-regions.json")
	env := platform.Environments[0]
	if len(env.Regions) != 6 || !env.NeedsApproval() || !env.Protected() {
		t.Fatalf("the fixture must be gated and protected with six regions: %+v", env)
	}
	if got := stageActions(t, platform, env); got != 46 {
		t.Errorf("six regions need %d actions, want 46 (36 for the regions, 4 for the edge, the accelerator, the observer and the recovery stack, 6 for checks, approval, protection, smoke test and release tag)", got)
	}
	env.Regions = append(env.Regions, config.Region{Region: "sa-east-1"})
	if got := stageActions(t, platform, env); got <= plan.MaxActionsPerStage {
		t.Errorf("seven regions of a gated, protected environment need %d actions, which fits %d: the limit in docs/delivery.md's Scale is wrong", got, plan.MaxActionsPerStage)
	}
}

// The plan is what stacks/, lib/config and the docs tools share without the CDK: nothing it
// links may be the CDK or jsii, which would make every reader of the plan start a jsii runtime.
func TestPlan_ImportsNoCDK(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "github.com/example/platform/lib/plan").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	deps := strings.Fields(string(out))
	if !slices.Contains(deps, "github.com/example/platform/lib/config") {
		t.Fatalf("go list -deps lib/plan = %v, without lib/config: the check saw nothing", deps)
	}
	for _, dep := range deps {
		if strings.HasPrefix(dep, "github.com/aws/") {
			t.Errorf("lib/plan links %s; it must stay free of the CDK", dep)
		}
	}
}

// Every account-region the plan deploys a stack to has a baseline stack, whatever put the stack
// there (an environment's region, the edge, the accelerator, the observer, the recovery stack,
// the tooling account's repositories, the pipeline and its support stacks).
func TestPlan_EveryStackIsInAnAccountRegionWithABaseline(t *testing.T) {
	for _, file := range []string{"testdata/two-environments.json", "testdata/three-regions.json"} {
		planned := plan.New(mustLoad(t, file))
		baselines := map[string]bool{}
		for _, s := range planned.Baseline.Stacks {
			baselines[s.Account+"/"+s.Region] = true
		}
		all := append([]plan.Stack{planned.Pipeline}, planned.Support...)
		for _, stage := range planned.Stages() {
			all = append(all, stage.Stacks...)
		}
		for _, s := range all {
			if !baselines[s.Account+"/"+s.Region] {
				t.Errorf("%s: %s is in %s/%s, which has no baseline", file, s.Name, s.Account, s.Region)
			}
		}
		if len(all) < 10 {
			t.Fatalf("%s: only %d stacks planned", file, len(all))
		}
	}
}

// Each region of an environment has one stack per regional tier, and the environment one stack
// per once-per-environment tier, each in its region; every dependency names a stack of the
// stage planned before it, so stacks/ can build the stage in the plan's order.
func TestPlan_EnvironmentsHaveEveryTierOnceInDependencyOrder(t *testing.T) {
	p := mustLoad(t, "testdata/three-regions.json")
	for _, stage := range plan.New(p).Environments {
		env := p.Environments[stage.Wave-2]
		for _, r := range env.Regions {
			for _, tier := range plan.RegionalTiers() {
				if _, ok := stage.Stack(r.Region, tier); !ok {
					t.Errorf("%s has no %s stack in %s", stage.Name, tier, r.Region)
				}
			}
		}
		want := map[string]string{plan.TierEdge: plan.EdgeRegion, plan.TierAccelerator: plan.AcceleratorRegion, plan.TierDR: env.ObserverRegion, plan.TierRecovery: plan.RecoveryRegion}
		for _, tier := range plan.EnvironmentTiers() {
			if got := stage.OfTier(tier); len(got) != 1 || got[0].Region != want[tier] {
				t.Errorf("%s's %s stacks are %+v, want one in %s", stage.Name, tier, got, want[tier])
			}
		}
		if got, want := len(stage.Stacks), len(env.Regions)*len(plan.RegionalTiers())+len(plan.EnvironmentTiers()); got != want {
			t.Errorf("%s has %d stacks, want %d", stage.Name, got, want)
		}
		built := map[string]bool{}
		for _, s := range stage.Stacks {
			for _, dep := range s.DependsOn {
				if !built[dep.Stack] {
					t.Errorf("%s waits for %s, which is not planned before it", s.Name, dep.Stack)
				}
			}
			built[s.Name] = true
		}
	}
}

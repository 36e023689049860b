package plan_test

import (
	"os"
	"os/exec"
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
		t.Errorf("seven regions of a gated, protected environment need %d actions, which fits %d: the limit in the README's Scale is wrong", got, plan.MaxActionsPerStage)
	}
}

// The plan is what stacks/, lib/config and the docs tools share without the CDK: nothing it
// links may be the CDK or jsii, which would make every reader of the plan start a jsii runtime.
func TestPlan_ImportsNoCDK(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", "github.com/example/platform/lib/plan").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, out)
	}
	for _, dep := range strings.Fields(string(out)) {
		if strings.HasPrefix(dep, "github.com/aws/") {
			t.Errorf("lib/plan links %s; it must stay free of the CDK", dep)
		}
	}
}

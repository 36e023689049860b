package plan_test

import (
	"fmt"
	"testing"

	"github.com/example/platform/lib/config"
	"github.com/example/platform/lib/plan"
)

// MaxRegions is the largest region count whose stage fits CodePipeline's 50 actions, for each
// way an environment can be gated and protected: 7 ungated (the first environment by default)
// and 6 gated (every later one).
func TestPlan_MaxRegionsIsTheLargestStageThatFits(t *testing.T) {
	platform := mustLoad(t, "../config/testdata/valid-six-regions.json")
	yes, no := true, false
	for _, c := range []struct {
		gated, protected *bool
		want             int
	}{{&no, &yes, 7}, {&yes, &yes, 6}, {&no, &no, 7}, {&yes, &no, 6}} {
		env := platform.Environments[0]
		env.ManualApproval, env.TerminationProtection = c.gated, c.protected
		name := fmt.Sprintf("gated %t, protected %t", *c.gated, *c.protected)
		limit := plan.MaxRegions(platform, env)
		if limit != c.want {
			t.Errorf("%s: MaxRegions is %d, want %d", name, limit, c.want)
		}
		env.Regions = make([]config.Region, limit)
		for i := range env.Regions {
			env.Regions[i].Region = fmt.Sprintf("xx-region-%d", i)
		}
		if got := stageActions(t, platform, env); got > plan.MaxActionsPerStage {
			t.Errorf("%s: %d regions need %d actions, more than %d", name, limit, got, plan.MaxActionsPerStage)
		}
		env.Regions = append(env.Regions, config.Region{Region: "xx-region-last"})
		if got := stageActions(t, platform, env); got <= plan.MaxActionsPerStage {
			t.Errorf("%s: %d regions need only %d actions: MaxRegions is too low", name, limit+1, got)
		}
	}
}

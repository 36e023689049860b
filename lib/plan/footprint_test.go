package plan_test

import (
	"slices"
	"testing"

	"github.com/example/platform/lib/plan"
)

// The shipped config/minimal.json's one environment is its regional stacks and nothing else: at
// most 6.
func TestExample_MinimalEnvironmentHasAtMostSixStacks(t *testing.T) {
	planned := plan.New(mustLoad(t, "../../config/minimal.json"))
	stage := planned.Environments[0]
	if len(stage.Stacks) > 6 {
		t.Errorf("%s has %d stacks, want at most 6", stage.Name, len(stage.Stacks))
	}
	for _, tier := range plan.EnvironmentTiers() {
		if got := stage.OfTier(tier); len(got) > 0 {
			t.Errorf("%s has a %s stack, which its footprint leaves out", stage.Name, tier)
		}
	}
	// Its 6 stacks and the smoke test and release tag (no approval, no protection).
	if got, want := stage.Actions(), 6*plan.ActionsPerStack+plan.SmokeTestActions+plan.ReleaseActions; got != want {
		t.Errorf("%s's stage has %d actions, want %d", stage.Name, got, want)
	}
	if got := planned.AccountRegions; len(got) != 1 {
		t.Errorf("minimal.json's account-regions are %v, want its one region", describe(got))
	}
}

// Leaving out the edge takes us-east-1 out of the baselines and the pipeline's support stacks
// when nothing else deploys there; the accelerator kept keeps us-west-2.
func TestFootprint_WithoutTheEdgeUSEast1IsNoAccountRegion(t *testing.T) {
	planned := plan.New(mustLoad(t, "testdata/eu-no-edge.json"))
	var regions []string
	for _, ar := range planned.AccountRegions {
		regions = append(regions, ar.Region)
	}
	if slices.Contains(regions, plan.EdgeRegion) {
		t.Errorf("account-regions %v include %s, which only the edge needed", describe(planned.AccountRegions), plan.EdgeRegion)
	}
	if !slices.Contains(regions, plan.AcceleratorRegion) {
		t.Errorf("account-regions %v lack %s, where the accelerator deploys", describe(planned.AccountRegions), plan.AcceleratorRegion)
	}
	if got, want := len(planned.Baseline.Stacks), len(planned.AccountRegions); got != want {
		t.Errorf("%d baseline stacks for %d account-regions", got, want)
	}
	for _, s := range planned.Support {
		if s.Region == plan.EdgeRegion {
			t.Errorf("the pipeline keeps a support stack in %s, where no stage deploys", s.Region)
		}
	}
}

// The loader's region limit counts only the once-per-environment stacks the environment has:
// without them only the smoke test and the release tag share the stage with the regions.
func TestFootprint_TheRegionLimitCountsOnlyTheStacksTheEnvironmentHas(t *testing.T) {
	minimal := mustLoad(t, "testdata/one-region-minimal.json")
	perRegion := len(plan.RegionalTiers()) * plan.ActionsPerStack
	want := (plan.MaxActionsPerStage - plan.SmokeTestActions - plan.ReleaseActions) / perRegion
	if got := plan.MaxRegions(minimal, minimal.Environments[0]); got != want {
		t.Errorf("one-region-minimal.json's environment may list %d regions, want %d", got, want)
	}
}

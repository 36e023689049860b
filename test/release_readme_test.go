package test

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/example/platform/lib/plan"
	"github.com/example/platform/test/constructkit"
	"github.com/example/platform/test/testkit"
)

const (
	stageActionsBegin = "<!-- The table below is generated from the synthesized pipelines by test/release_readme_test.go: UPDATE_GOLDEN=1 go test ./test -run TestRelease_READMECountsEachStagesActionsAsThePipelineHasThem -->"
	stageActionsEnd   = "<!-- end of the generated stage actions -->"
)

// stageActionsMarkdown is docs/delivery.md's table of each stage's actions in both configs' pipelines:
// how many, how many deploy a stack, and the others in the order they run.
func stageActionsMarkdown(t *testing.T) string {
	var b strings.Builder
	b.WriteString("| Config | Stage | Actions | Stack deployments | The other actions, in run order |\n|---|---|---|---|---|\n")
	for _, file := range exampleConfigs {
		p := testkit.Synth(t, file)
		pipeline, _ := pipelineOf(t, p)
		for _, stage := range pipeline.Stages {
			actions := slices.Clone(stage.Actions)
			slices.SortStableFunc(actions, func(a, b pipelineAction) int {
				if a.RunOrder != b.RunOrder {
					return a.RunOrder - b.RunOrder
				}
				return strings.Compare(a.Name, b.Name)
			})
			deploys := 0
			var others []string
			for _, a := range actions {
				if a.ActionTypeID.Category == "Deploy" {
					deploys++
				} else {
					others = append(others, "`"+a.Name+"`")
				}
			}
			fmt.Fprintf(&b, "| %s | %s | %d | %d | %s |\n", filepath.Base(file), stage.Name, len(stage.Actions), deploys, strings.Join(others, ", "))
		}
	}
	return b.String()
}

// docs/delivery.md's figures about the pipeline's stages are the synthesized pipelines': its table of
// each stage's actions is generated from them, and fails this test when stale.
func TestRelease_READMECountsEachStagesActionsAsThePipelineHasThem(t *testing.T) {
	want := stageActionsMarkdown(t)
	file := filepath.Join(constructkit.RepoRoot(t), "docs", "delivery.md")
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	before, rest, ok1 := strings.Cut(string(data), stageActionsBegin+"\n")
	got, after, ok2 := strings.Cut(rest, stageActionsEnd)
	if !ok1 || !ok2 {
		t.Fatalf("docs/delivery.md has no generated table of stage actions between %q and %q", stageActionsBegin, stageActionsEnd)
	}
	if got == want {
		return
	}
	if os.Getenv("UPDATE_GOLDEN") == "1" {
		if err := os.WriteFile(file, []byte(before+stageActionsBegin+"\n"+want+stageActionsEnd+after), 0o644); err != nil {
			t.Fatal(err)
		}
		t.Log("rewrote docs/delivery.md's table of stage actions")
		return
	}
	t.Errorf("docs/delivery.md's table of stage actions is not the pipelines': run UPDATE_GOLDEN=1 go test ./test -run TestRelease_READMECountsEachStagesActionsAsThePipelineHasThem. It should read:\n%s", want)
}

// docs/delivery.md's "Scale" states the per-stage count of lib/plan (which
// TestPlan_ThePipelineRunsEachStageWithThePlansActions pins to the synthesized stages): each figure
// must be the formula's. The region limit that follows is generated (TestDocs_RegionLimitIsThePlans).
func TestRelease_READMEScaleFiguresAreTheConfigsFormula(t *testing.T) {
	scale := strings.Join(strings.Fields(docSection(t, "docs/delivery.md", "### Scale")), " ")
	perRegion := len(plan.RegionalTiers()) * plan.ActionsPerStack
	for _, c := range []struct {
		pattern string
		want    int
	}{
		{`holds at most (\d+) actions`, plan.MaxActionsPerStage},
		{`one stage: (\d+) actions per region`, perRegion},
		{`actions per region \((\d+) stacks`, len(plan.RegionalTiers())},
		{`, (\d+) for the edge`, len(plan.EnvironmentTiers()) * plan.ActionsPerStack},
		{`the (\d+) actions of the approval`, plan.ApprovalActions},
	} {
		m := regexp.MustCompile(c.pattern).FindStringSubmatch(scale)
		if m == nil {
			t.Errorf("docs/delivery.md's Scale no longer states %s: update this test with what it says", c.pattern)
			continue
		}
		if got, _ := strconv.Atoi(m[1]); got != c.want {
			t.Errorf("docs/delivery.md's Scale says %q, but lib/plan counts %d", m[0], c.want)
		}
	}
}

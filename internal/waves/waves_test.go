package waves

import (
	"reflect"
	"testing"
	"time"

	"github.com/example/platform/internal/assembly"
)

func action(name string, order int) map[string]any {
	return map[string]any{"Name": name, "RunOrder": float64(order)}
}

func fixture() []*assembly.Stack {
	pipeline := &assembly.Stack{Name: "p", Template: assembly.Template{Resources: map[string]map[string]any{
		"Pipeline": {"Type": "AWS::CodePipeline::Pipeline", "Properties": map[string]any{"Stages": []any{
			map[string]any{"Name": "Source", "Actions": []any{action("repo", 1)}},
			map[string]any{"Name": "prod", "Actions": []any{
				action("Approve", 1), action("keys.Deploy", 2), action("network.Deploy", 3),
				action("events.Deploy", 3), action("app.Deploy", 4), action("SmokeTest", 5),
			}},
		}}},
	}}}
	return []*assembly.Stack{
		pipeline,
		{Name: "keys"},
		{Name: "network", DependsOn: []string{"keys"}},
		{Name: "events"},
		{Name: "app", DependsOn: []string{"network", "keys"}},
	}
}

// The waves of a stage are its run orders that deploy stacks, in order, with the stacks each deploys.
func TestPipeline_ReadsEachStagesDeployWaves(t *testing.T) {
	stages, err := Pipeline(fixture())
	if err != nil {
		t.Fatal(err)
	}
	if len(stages) != 2 || stages[1].Name != "prod" {
		t.Fatalf("stages = %+v", stages)
	}
	var got [][]string
	for _, w := range stages[1].Waves() {
		got = append(got, w.Deploys)
	}
	if want := [][]string{{"keys"}, {"events", "network"}, {"app"}}; !reflect.DeepEqual(got, want) {
		t.Errorf("waves = %v, want %v", got, want)
	}
}

// What holds a wave after the one before is its stacks' dependencies on that wave, no others;
// events depends on nothing, so it could deploy with keys.
func TestHolds_NamesTheDependenciesOnThePreviousWave(t *testing.T) {
	stacks := fixture()
	stages, _ := Pipeline(stacks)
	holds := Holds(stages[1], stacks)
	want := [][]Edge{nil, {{"network", "keys"}}, {{"app", "network"}}}
	if !reflect.DeepEqual(holds, want) {
		t.Errorf("holds = %v, want %v", holds, want)
	}
}

// The estimate adds each step's slowest action and leaves the approval's wait out.
func TestEstimate_AddsEachStepsSlowestActionWithoutTheApproval(t *testing.T) {
	stages, _ := Pipeline(fixture())
	want := Durations["Source"] + 3*Durations["Deploy"] + Durations["SmokeTest"]
	if got := ToProduction(stages); got != want {
		t.Errorf("estimate = %v, want %v", got, want)
	}
	if Estimate(Stage{Steps: []Step{{Actions: []string{Approval}}}}) != 0*time.Minute {
		t.Error("the approval's wait is counted")
	}
}

func TestPipeline_SaysWhenThereIsNone(t *testing.T) {
	if _, err := Pipeline([]*assembly.Stack{{Name: "x"}}); err == nil {
		t.Error("no error for an assembly without a pipeline")
	}
}

package planpath_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/example/platform/internal/planpath"
)

func workflow(t *testing.T, steps string) map[string]any {
	t.Helper()
	var w map[string]any
	if err := json.Unmarshal([]byte(`{"Steps":`+steps+`}`), &w); err != nil {
		t.Fatal(err)
	}
	return w
}

const (
	scaleUp  = `{"Name":"scale-up","ExecutionBlockType":"ECSServiceScaling","ExecutionBlockConfiguration":{"EcsCapacityIncreaseConfig":{"TimeoutMinutes":20}}}`
	approve  = `{"Name":"approve","ExecutionBlockType":"ManualApproval","ExecutionBlockConfiguration":{"ExecutionApprovalConfig":{"ApprovalRole":"r","TimeoutMinutes":60}}}`
	database = `{"Name":"database","ExecutionBlockType":"AuroraGlobalDatabase","ExecutionBlockConfiguration":{"GlobalAuroraConfig":{"TimeoutMinutes":30}}}`
)

func TestWorkflowMinutes_AddsStepsThatRunOneAfterAnother(t *testing.T) {
	minutes, err := planpath.WorkflowMinutes(workflow(t, "["+scaleUp+","+approve+","+database+"]"))
	if err != nil || minutes != 110 {
		t.Errorf("= %v, %v; want 20 + 60 + 30 = 110", minutes, err)
	}
}

func TestWorkflowMinutes_ParallelBlockTakesItsLongestBranch(t *testing.T) {
	parallel := `{"Name":"prepare","ExecutionBlockType":"Parallel","ExecutionBlockConfiguration":{"ParallelConfig":{"Steps":[` + scaleUp + "," + approve + `]}}}`
	minutes, err := planpath.WorkflowMinutes(workflow(t, "["+parallel+","+database+"]"))
	if err != nil || minutes != 90 {
		t.Errorf("= %v, %v; want max(20, 60) + 30 = 90", minutes, err)
	}
	steps, _ := planpath.Steps(workflow(t, "["+parallel+","+database+"]"))
	if s, ok := planpath.Find(steps, "approve"); !ok || s.Type != "ManualApproval" {
		t.Errorf("Find(approve) = %v, %v; want the approval inside the parallel block", s, ok)
	}
}

func TestWorkflowMinutes_ApprovalWithoutTimeoutWaitsARCsDefaultHour(t *testing.T) {
	untimed := `{"Name":"approve","ExecutionBlockType":"ManualApproval","ExecutionBlockConfiguration":{"ExecutionApprovalConfig":{"ApprovalRole":"r"}}}`
	if minutes, err := planpath.WorkflowMinutes(workflow(t, "["+untimed+"]")); err != nil || minutes != 60 {
		t.Errorf("= %v, %v; want 60", minutes, err)
	}
}

func TestWorkflowMinutes_RefusesAStepWithoutABound(t *testing.T) {
	untimed := `{"Name":"database","ExecutionBlockType":"AuroraGlobalDatabase","ExecutionBlockConfiguration":{"GlobalAuroraConfig":{}}}`
	if _, err := planpath.WorkflowMinutes(workflow(t, "["+untimed+"]")); err == nil || !strings.Contains(err.Error(), "database") {
		t.Errorf("err = %v; want one naming the step without a timeout", err)
	}
	if _, err := planpath.WorkflowMinutes(workflow(t, "[]")); err == nil {
		t.Error("a workflow without steps has a critical path")
	}
}

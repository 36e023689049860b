package test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/example/platform/internal/cost"
	"github.com/example/platform/test/constructkit"
	"github.com/example/platform/test/testkit"
)

const (
	costTableBegin = "<!-- The tables below are generated from config/example.json's assembly by test/cost_test.go: UPDATE_GOLDEN=1 go test ./test -run TestDocs_CostTableIsTheExamplesEstimate -->"
	costTableEnd   = "<!-- end of the generated cost tables -->"
)

// estimateOf is the default estimate (internal/cost's prices and usage) of configFile's assembly.
func estimateOf(t *testing.T, configFile string) *cost.Estimate {
	t.Helper()
	prices, err := cost.Prices()
	if err != nil {
		t.Fatal(err)
	}
	usage, err := cost.DefaultUsage()
	if err != nil {
		t.Fatal(err)
	}
	p := testkit.Synth(t, configFile)
	est, err := cost.Of(p.Outdir, prices, usage)
	if err != nil {
		t.Fatalf("%s: %v", configFile, err)
	}
	var order []string
	for _, env := range p.Config.Environments {
		order = append(order, env.Name)
	}
	est.Order(order)
	return est
}

// Every resource type of every assembly is priced, or free or usage-only with a reason, so a
// new tier cannot slip into make cost's total unpriced: over the fixtures and the shipped configs
// (make check: its config).
func TestRule_EveryResourceTypeIsPricedFreeOrUsageOnly(t *testing.T) {
	for _, file := range withFixtures("test/testdata/shared-account.json", "test/testdata/one-region-minimal.json") {
		est := estimateOf(t, file)
		checkedSomething(t, len(est.Environments), "environment")
		for _, env := range est.Environments {
			if env.MonthlyUSD <= 0 {
				t.Errorf("%s: %s costs %s: the estimate priced nothing", file, env.Name, cost.USD(env.MonthlyUSD))
			}
		}
	}
}

// docs/cost.md's tables are config/example.json's estimate.
func TestDocs_CostTableIsTheExamplesEstimate(t *testing.T) {
	file := filepath.Join(constructkit.RepoRoot(t), "docs", "cost.md")
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	want := cost.Markdown(estimateOf(t, "config/example.json"), 5)
	before, rest, ok1 := strings.Cut(string(data), costTableBegin+"\n")
	got, after, ok2 := strings.Cut(rest, costTableEnd)
	if !ok1 || !ok2 {
		t.Fatalf("docs/cost.md has no generated tables between %q and %q", costTableBegin, costTableEnd)
	}
	if got == want {
		return
	}
	if os.Getenv("UPDATE_GOLDEN") == "1" {
		if err := os.WriteFile(file, []byte(before+costTableBegin+"\n"+want+costTableEnd+after), 0o644); err != nil {
			t.Fatal(err)
		}
		t.Log("rewrote docs/cost.md's tables")
		return
	}
	t.Errorf("docs/cost.md's tables are not config/example.json's estimate: run UPDATE_GOLDEN=1 go test ./test -run TestDocs_CostTableIsTheExamplesEstimate. They should read:\n%s", want)
}

// The shipped configs set each environment's budget at or above its estimate: a budget below it
// would alert every month (make cost says so, and suggests a limit).
func TestCost_ShippedConfigsBudgetsCoverTheirEstimates(t *testing.T) {
	for _, file := range append(exampleConfigs, "config/minimal.json") {
		for _, env := range estimateOf(t, file).Environments {
			if env.Name == cost.ToolingStage || env.Name == "baseline" {
				continue
			}
			if env.BudgetUSD < env.MonthlyUSD {
				t.Errorf("%s: %s's budget %s is below its estimate %s: set its budget.monthlyUsd to %d", file, env.Name, cost.USD(env.BudgetUSD), cost.USD(env.MonthlyUSD), cost.SuggestedBudgetUSD(env.MonthlyUSD))
			}
		}
	}
}

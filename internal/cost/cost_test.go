package cost_test

import (
	"encoding/json"
	"math"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/example/platform/internal/assembly"
	"github.com/example/platform/internal/cost"
	"github.com/example/platform/lib/config"
)

func prices(t *testing.T) *cost.Table {
	t.Helper()
	table, err := cost.Prices()
	if err != nil {
		t.Fatal(err)
	}
	return table
}

// noUsage prices the templates' fixed charges alone.
var noUsage = &cost.Usage{ConfigEvaluationsPerRule: 30}

func stack(name, stage, region string, resources map[string]map[string]any) *assembly.Stack {
	return &assembly.Stack{Name: name, Stage: stage, Account: "111111111111", Region: region, Template: assembly.Template{Resources: resources}}
}

func res(typ string, props map[string]any) map[string]any {
	return map[string]any{"Type": typ, "Properties": props}
}

// smallRegion is a NAT gateway, an internal load balancer, an Aurora instance and a KMS key.
func smallRegion() map[string]map[string]any {
	return map[string]map[string]any{
		"Nat":      res("AWS::EC2::NatGateway", map[string]any{}),
		"Balancer": res("AWS::ElasticLoadBalancingV2::LoadBalancer", map[string]any{"Scheme": "internal", "Type": "application"}),
		"Writer":   res("AWS::RDS::DBInstance", map[string]any{"DBInstanceClass": "db.r7g.large", "Engine": "aurora-postgresql"}),
		"Key":      res("AWS::KMS::Key", map[string]any{}),
		"Role":     res("AWS::IAM::Role", map[string]any{}),
	}
}

func near(a, b float64) bool { return math.Abs(a-b) < 0.005 }

// The published on-demand prices, read 2026-12-04 (aws.amazon.com/vpc/pricing,
// /elasticloadbalancing/pricing, /rds/aurora/pricing, /kms/pricing), worked by hand over a
// 730-hour month.
func TestEstimate_SmallFixtureIsThePublishedPricesWorkedByHand(t *testing.T) {
	usEast1 := 730*0.045 + 730*0.0225 + 730*0.276 + 1.00 // 32.85 + 16.425 + 201.48 + 1 = 251.755
	euWest1 := 730*0.048 + 730*0.0252 + 730*0.302 + 1.00 // 35.04 + 18.396 + 220.46 + 1 = 274.896
	est, err := cost.OfStacks([]*assembly.Stack{
		stack("sandbox-us-east-1", "sandbox", "us-east-1", smallRegion()),
		stack("sandbox-eu-west-1", "sandbox", "eu-west-1", smallRegion()),
	}, prices(t), noUsage)
	if err != nil {
		t.Fatal(err)
	}
	env := est.Environments[0]
	got := map[string]float64{}
	for _, r := range env.Regions {
		got[r.Region] = r.FixedUSD
	}
	if !near(got["us-east-1"], usEast1) || !near(got["eu-west-1"], euWest1) {
		t.Errorf("us-east-1 %.3f (by hand %.3f), eu-west-1 %.3f (by hand %.3f)", got["us-east-1"], usEast1, got["eu-west-1"], euWest1)
	}
	if !near(est.MonthlyUSD, usEast1+euWest1) || env.Name != "sandbox" {
		t.Errorf("%s total %.3f, by hand %.3f", env.Name, est.MonthlyUSD, usEast1+euWest1)
	}
	if len(env.Regions[0].Unpriced) != 1 || env.Regions[0].Unpriced[0].Type != "AWS::IAM::Role" || env.Regions[0].Unpriced[0].Kind != "free" {
		t.Errorf("the role is listed as free with its reason: %+v", env.Regions[0].Unpriced)
	}
}

func TestEstimate_RefusesATypeNeitherPricedFreeNorUsageOnly(t *testing.T) {
	resources := smallRegion()
	resources["Thing"] = res("AWS::NewService::Thing", map[string]any{})
	_, err := cost.OfStacks([]*assembly.Stack{stack("s", "dev", "us-east-1", resources)}, prices(t), noUsage)
	if err == nil || !strings.Contains(err.Error(), "AWS::NewService::Thing (1 resource(s), such as s/Thing) is neither priced, free nor usage-only") {
		t.Fatalf("want the new type named, got %v", err)
	}
}

func TestEstimate_RefusesAnInstanceClassTheTableHasNoPriceFor(t *testing.T) {
	resources := map[string]map[string]any{"Writer": res("AWS::RDS::DBInstance", map[string]any{"DBInstanceClass": "db.x9.huge"})}
	_, err := cost.OfStacks([]*assembly.Stack{stack("s", "dev", "us-east-1", resources)}, prices(t), noUsage)
	if err == nil || !strings.Contains(err.Error(), `no item "aurora-postgresql-db.x9.huge-hour"`) {
		t.Fatalf("want the missing price named, got %v", err)
	}
}

func TestEstimate_FargateTasksAtTheScalingMinimumCanariesByTheirSchedule(t *testing.T) {
	resources := map[string]map[string]any{
		"Task":    res("AWS::ECS::TaskDefinition", map[string]any{"Cpu": "512", "Memory": "1024", "RuntimePlatform": map[string]any{"CpuArchitecture": "X86_64"}}),
		"Service": res("AWS::ECS::Service", map[string]any{"LaunchType": "FARGATE", "DesiredCount": 1.0, "TaskDefinition": map[string]any{"Ref": "Task"}}),
		"Target": res("AWS::ApplicationAutoScaling::ScalableTarget", map[string]any{"MinCapacity": 2.0, "MaxCapacity": 6.0,
			"ResourceId": map[string]any{"Fn::Join": []any{"", []any{"service/c/", map[string]any{"Fn::GetAtt": []any{"Service", "Name"}}}}}}),
		"Canary": res("AWS::Synthetics::Canary", map[string]any{"Schedule": map[string]any{"Expression": "rate(5 minutes)"}}),
	}
	est, err := cost.OfStacks([]*assembly.Stack{stack("s", "dev", "us-east-1", resources)}, prices(t), noUsage)
	if err != nil {
		t.Fatal(err)
	}
	fargate := 730 * 2 * (0.5*0.04048 + 1*0.004445) // two tasks of 0.5 vCPU and 1 GB
	canary := 730 * 12 * 0.0012                     // a run every five minutes
	for _, l := range est.Environments[0].Regions[0].Types {
		want := map[string]float64{"AWS::ECS::Service": fargate, "AWS::Synthetics::Canary": canary}[l.Type]
		if !near(l.MonthlyUSD, want) {
			t.Errorf("%s: %.3f, by hand %.3f", l.Type, l.MonthlyUSD, want)
		}
	}
}

func TestPrices_EverySupportedRegionHasEveryItemWithItsSource(t *testing.T) {
	table := prices(t)
	date := regexp.MustCompile(`^\d{4}-\d{2}-\d{2}$`)
	for _, name := range table.ItemNames() {
		item := table.Items[name]
		if item.Unit == "" || !strings.HasPrefix(item.Source, "https://aws.amazon.com/") || !date.MatchString(item.Read) {
			t.Errorf("items.%s: give its unit, its pricing page (https://aws.amazon.com/...) and the date read: %+v", name, item)
		}
		for _, region := range config.Regions() {
			if usd, ok := item.USD[region]; !ok || usd <= 0 {
				t.Errorf("items.%s has no price for %s, a region lib/config supports", name, region)
			}
		}
	}
}

func TestTypes_NoTypeIsBothPricedAndUnpriced(t *testing.T) {
	for typ := range cost.Free {
		if _, both := cost.UsageOnly[typ]; both {
			t.Errorf("%s is both free and usage-only", typ)
		}
		if cost.IsPriced(typ) {
			t.Errorf("%s is both priced and free", typ)
		}
	}
	for typ := range cost.UsageOnly {
		if cost.IsPriced(typ) {
			t.Errorf("%s is both priced and usage-only", typ)
		}
	}
}

func TestUsage_AFileReplacesADefaultsQuantityAndAddsNewAssumptions(t *testing.T) {
	path := filepath.Join(t.TempDir(), "usage.json")
	data := `{"assumptions": [{"name": "NAT data", "quantity": 500}, {"name": "queue requests", "per": "AWS::SQS::Queue", "quantity": 5, "unit": "million requests", "price": "waf-million-requests"}]}`
	if err := os.WriteFile(path, []byte(data), 0o644); err != nil {
		t.Fatal(err)
	}
	usage, err := cost.LoadUsage(path)
	if err != nil {
		t.Fatal(err)
	}
	found := map[string]float64{}
	for _, a := range usage.Assumptions {
		found[a.Name] = a.Quantity
	}
	if found["NAT data"] != 500 || found["queue requests"] != 5 || found["log ingestion"] == 0 {
		t.Errorf("assumptions after the file: %v", found)
	}
	if err := os.WriteFile(path, []byte(`{"assumptions": [{"name": "new", "quantity": 1}]}`), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := cost.LoadUsage(path); err == nil || !strings.Contains(err.Error(), "give per") {
		t.Errorf("a new assumption without per and price is refused: %v", err)
	}
}

func TestRender_SaysWhenTheBudgetIsBelowTheEstimate(t *testing.T) {
	resources := smallRegion()
	resources["Budget"] = res("AWS::Budgets::Budget", map[string]any{"Budget": map[string]any{"BudgetLimit": map[string]any{"Amount": 100.0, "Unit": "USD"}}})
	est, err := cost.OfStacks([]*assembly.Stack{stack("s", "dev", "us-east-1", resources)}, prices(t), noUsage)
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	cost.Render(&out, est)
	// 251.755 a month, 20 % over it rounded up to $100: 400.
	if !strings.Contains(out.String(), "its budget, $100.00/month, is below the estimate") || !strings.Contains(out.String(), "budget.monthlyUsd to 400 or more") {
		t.Errorf("want the budget called too low and a limit suggested:\n%s", out.String())
	}
}

// cost.json holds, per environment and region, each type's count and monthly USD and the
// unpriced types with their reason.
func TestEstimate_JSONHoldsEachRegionsTypesCountsAndUnpricedReasons(t *testing.T) {
	est, err := cost.OfStacks([]*assembly.Stack{stack("s", "dev", "us-east-1", smallRegion())}, prices(t), noUsage)
	if err != nil {
		t.Fatal(err)
	}
	data, err := json.Marshal(est)
	if err != nil {
		t.Fatal(err)
	}
	var doc struct {
		Environments []struct {
			Name    string
			Regions []struct {
				Region string
				Types  []struct {
					Type       string
					Count      int
					MonthlyUsd float64
				}
				Unpriced []struct{ Type, Kind, Reason string }
			}
		}
	}
	if err := json.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	r := doc.Environments[0].Regions[0]
	if doc.Environments[0].Name != "dev" || r.Region != "us-east-1" || len(r.Types) != 4 || r.Types[0].Count != 1 || r.Types[0].MonthlyUsd <= 0 ||
		len(r.Unpriced) != 1 || r.Unpriced[0].Reason == "" {
		t.Errorf("cost.json: %s", data)
	}
}

func TestEstimate_OrderIsTheConfigsThenBaselineAndTooling(t *testing.T) {
	est, err := cost.OfStacks([]*assembly.Stack{
		stack("a", "", "us-east-1", smallRegion()), stack("b", "baseline", "us-east-1", smallRegion()),
		stack("c", "prod", "us-east-1", smallRegion()), stack("d", "staging", "us-east-1", smallRegion()),
	}, prices(t), noUsage)
	if err != nil {
		t.Fatal(err)
	}
	est.Order([]string{"staging", "prod"})
	var got []string
	for _, env := range est.Environments {
		got = append(got, env.Name)
	}
	if strings.Join(got, ",") != "staging,prod,baseline,tooling" {
		t.Errorf("order %v", got)
	}
}

package cost

import (
	"fmt"
	"maps"
	"math"
	"slices"
	"sort"
	"strings"

	"github.com/example/platform/internal/assembly"
)

// Line is one resource type's fixed charges in a stack or region.
type Line struct {
	Type       string  `json:"type"`
	Count      int     `json:"count"`
	MonthlyUSD float64 `json:"monthlyUsd"`
}

// Unpriced is a resource type with no fixed charge: free, or billed by usage only.
type Unpriced struct {
	Type   string `json:"type"`
	Count  int    `json:"count"`
	Kind   string `json:"kind"` // "free" or "usage"
	Reason string `json:"reason"`
}

// AssumedUsage is an assumption applied to a region: its quantity for each resource of its type.
type AssumedUsage struct {
	Assumption
	Resources  int     `json:"resources"`
	MonthlyUSD float64 `json:"monthlyUsd"`
}

// StackCost is one stack's fixed charges.
type StackCost struct {
	Name       string  `json:"name"`
	MonthlyUSD float64 `json:"monthlyUsd"`
	Types      []Line  `json:"types"`
}

// Region is an environment's region: fixed charges by stack and type, the unpriced types and
// the assumed usage.
type Region struct {
	Region   string         `json:"region"`
	FixedUSD float64        `json:"fixedUsd"`
	UsageUSD float64        `json:"usageUsd"`
	Stacks   []*StackCost   `json:"stacks"`
	Types    []Line         `json:"types"`
	Unpriced []Unpriced     `json:"unpriced"`
	Usage    []AssumedUsage `json:"usage"`
}

// Environment is a stage of the assembly: an environment, or the baseline or tooling stage.
type Environment struct {
	Name       string  `json:"name"`
	FixedUSD   float64 `json:"fixedUsd"`
	UsageUSD   float64 `json:"usageUsd"`
	MonthlyUSD float64 `json:"monthlyUsd"`
	// BudgetUSD is the limit of the stage's AWS Budgets budgets (lib/budget), 0 without one.
	BudgetUSD float64   `json:"budgetUsd,omitempty"`
	Regions   []*Region `json:"regions"`
}

// Estimate is the platform's monthly estimate.
type Estimate struct {
	Currency     string         `json:"currency"`
	FixedUSD     float64        `json:"fixedUsd"`
	UsageUSD     float64        `json:"usageUsd"`
	MonthlyUSD   float64        `json:"monthlyUsd"`
	Environments []*Environment `json:"environments"`
}

// ToolingStage names the stacks outside any stage (the pipeline and its support stacks).
const ToolingStage = "tooling"

// Of estimates the assembly in dir.
func Of(dir string, prices *Table, usage *Usage) (*Estimate, error) {
	stacks, err := assembly.Read(dir)
	if err != nil {
		return nil, err
	}
	return OfStacks(stacks, prices, usage)
}

// OfStacks estimates stacks. It fails, naming each, on a resource type that is neither priced,
// free nor usage-only, and on a priced resource the table has no price for.
func OfStacks(stacks []*assembly.Stack, prices *Table, usage *Usage) (*Estimate, error) {
	est := &Estimate{Currency: "USD"}
	envs := map[string]*Environment{}
	regions := map[string]*Region{}
	var problems []string
	unknown := map[string][]string{} // type -> stack/logical ID of its resources
	for _, s := range stacks {
		stage := s.Stage
		if stage == "" {
			stage = ToolingStage
		}
		env := envs[stage]
		if env == nil {
			env = &Environment{Name: stage}
			envs[stage] = env
			est.Environments = append(est.Environments, env)
		}
		region := regions[stage+"/"+s.Region]
		if region == nil {
			region = &Region{Region: s.Region}
			regions[stage+"/"+s.Region] = region
			env.Regions = append(env.Regions, region)
		}
		env.BudgetUSD += budgetLimits(s)
		sc, err := priceStack(s, prices, usage, region, unknown)
		problems = append(problems, err...)
		region.Stacks = append(region.Stacks, sc)
	}
	for _, typ := range slices.Sorted(maps.Keys(unknown)) {
		where := unknown[typ]
		problems = append(problems, fmt.Sprintf("%s (%d resource(s), such as %s) is neither priced, free nor usage-only: give it a pricer (internal/cost/pricers.go) or a reason in Free or UsageOnly (internal/cost/types.go)", typ, len(where), where[0]))
	}
	if len(problems) > 0 {
		return nil, fmt.Errorf("the estimate cannot price every resource:\n  %s", strings.Join(problems, "\n  "))
	}
	for _, env := range est.Environments {
		for _, r := range env.Regions {
			if err := assume(r, stacks, env.Name, prices, usage); err != nil {
				return nil, err
			}
			env.FixedUSD += r.FixedUSD
			env.UsageUSD += r.UsageUSD
		}
		env.MonthlyUSD = env.FixedUSD + env.UsageUSD
		est.FixedUSD += env.FixedUSD
		est.UsageUSD += env.UsageUSD
	}
	est.MonthlyUSD = est.FixedUSD + est.UsageUSD
	sort.SliceStable(est.Environments, func(i, j int) bool {
		return stageOrder(est.Environments[i].Name) < stageOrder(est.Environments[j].Name)
	})
	return est, nil
}

// stageOrder puts the baseline and tooling stages after the environments, which keep their order.
func stageOrder(name string) int {
	switch name {
	case "baseline":
		return 1
	case ToolingStage:
		return 2
	}
	return 0
}

// priceStack adds the stack's fixed charges and unpriced types to region, and the resources of
// a type that is neither to unknown.
func priceStack(s *assembly.Stack, prices *Table, usage *Usage, region *Region, unknown map[string][]string) (*StackCost, []string) {
	sc := &StackCost{Name: s.Name}
	var problems []string
	for _, id := range slices.Sorted(maps.Keys(s.Template.Resources)) {
		res := s.Template.Resources[id]
		typ := str(res["Type"])
		price, priced := pricers[typ]
		if !priced {
			kind, reason := "free", Free[typ]
			if reason == "" {
				kind, reason = "usage", UsageOnly[typ]
			}
			if reason == "" {
				unknown[typ] = append(unknown[typ], s.Name+"/"+id)
				continue
			}
			region.Unpriced = addUnpriced(region.Unpriced, Unpriced{Type: typ, Count: 1, Kind: kind, Reason: reason})
			continue
		}
		props, _ := res["Properties"].(map[string]any)
		charges, err := price(resource{ID: id, Type: typ, Props: props, Template: s.Template.Resources, Hours: prices.HoursPerMonth, Usage: usage})
		usd := 0.0
		for _, c := range charges {
			p, perr := prices.Price(c.Item, s.Region)
			if perr != nil && err == nil {
				err = perr
			}
			usd += p * c.Quantity
		}
		if err != nil {
			problems = append(problems, fmt.Sprintf("%s: %s (%s): %v", s.Name, id, typ, err))
			continue
		}
		sc.Types = addLine(sc.Types, Line{Type: typ, Count: 1, MonthlyUSD: usd})
		region.Types = addLine(region.Types, Line{Type: typ, Count: 1, MonthlyUSD: usd})
		sc.MonthlyUSD += usd
		region.FixedUSD += usd
	}
	return sc, problems
}

// assume applies every assumption to the region: its quantity for each resource of its type in
// the environment's stacks of that region.
func assume(r *Region, stacks []*assembly.Stack, stage string, prices *Table, usage *Usage) error {
	counts := map[string]int{}
	for _, s := range stacks {
		st := s.Stage
		if st == "" {
			st = ToolingStage
		}
		if st != stage || s.Region != r.Region {
			continue
		}
		for _, res := range s.Template.Resources {
			counts[str(res["Type"])]++
		}
	}
	for _, a := range usage.Assumptions {
		n := counts[a.Per]
		if n == 0 {
			continue
		}
		p, err := prices.Price(a.Price, r.Region)
		if err != nil {
			return fmt.Errorf("usage assumption %q: %w", a.Name, err)
		}
		usd := p * a.Quantity * float64(n)
		r.Usage = append(r.Usage, AssumedUsage{Assumption: a, Resources: n, MonthlyUSD: usd})
		r.UsageUSD += usd
	}
	return nil
}

func addLine(lines []Line, l Line) []Line {
	for i := range lines {
		if lines[i].Type == l.Type {
			lines[i].Count += l.Count
			lines[i].MonthlyUSD += l.MonthlyUSD
			return lines
		}
	}
	lines = append(lines, l)
	sort.Slice(lines, func(i, j int) bool { return lines[i].Type < lines[j].Type })
	return lines
}

func addUnpriced(list []Unpriced, u Unpriced) []Unpriced {
	for i := range list {
		if list[i].Type == u.Type {
			list[i].Count += u.Count
			return list
		}
	}
	list = append(list, u)
	sort.Slice(list, func(i, j int) bool { return list[i].Type < list[j].Type })
	return list
}

// budgetLimits is the sum of the monthly limits of the stack's budgets.
func budgetLimits(s *assembly.Stack) float64 {
	total := 0.0
	for _, res := range s.Template.Resources {
		if res["Type"] != "AWS::Budgets::Budget" {
			continue
		}
		props, _ := res["Properties"].(map[string]any)
		data, _ := props["Budget"].(map[string]any)
		limit, _ := data["BudgetLimit"].(map[string]any)
		total += number(limit["Amount"], 0)
	}
	return total
}

// SuggestedBudgetUSD is a budget limit for an estimate: 20 % over it, rounded up to $100.
func SuggestedBudgetUSD(estimate float64) int {
	return int(math.Ceil(estimate*1.2/100)) * 100
}

// Order puts the environments named in names first, in that order (a config's order), the
// baseline and tooling stages after them.
func (e *Estimate) Order(names []string) {
	rank := map[string]int{}
	for i, n := range names {
		rank[n] = i
	}
	key := func(env *Environment) int {
		if r, ok := rank[env.Name]; ok {
			return r
		}
		return len(names) + stageOrder(env.Name)
	}
	sort.SliceStable(e.Environments, func(i, j int) bool { return key(e.Environments[i]) < key(e.Environments[j]) })
}

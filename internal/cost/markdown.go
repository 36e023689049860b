package cost

import (
	"fmt"
	"strings"
)

// FootprintParts are the stacks an environment's footprint switches leave out, by the switch
// (lib/config/footprint.go) and the tier that ends the stack's name (lib/plan).
var FootprintParts = []struct{ Switch, Tier string }{
	{"edge", "edge"}, {"accelerator", "accelerator"}, {"observer", "dr"}, {"recovery", "recovery"},
}

// PartUSD is the fixed monthly charge of env's stacks of tier (names ending in -<tier>).
func (env *Environment) PartUSD(tier string) float64 {
	total := 0.0
	for _, r := range env.Regions {
		for _, s := range r.Stacks {
			if strings.HasSuffix(s.Name, "-"+tier) {
				total += s.MonthlyUSD
			}
		}
	}
	return total
}

// Markdown is the estimate as docs/cost.md shows it: each stage's monthly estimate with its
// largest fixed items, then what each footprint switch leaves out of each environment.
func Markdown(e *Estimate, largest int) string {
	var b strings.Builder
	b.WriteString("| Stage | Fixed | Assumed usage | Monthly | Largest fixed items |\n|---|--:|--:|--:|---|\n")
	for _, env := range e.Environments {
		var items []string
		for _, t := range env.Largest(largest) {
			items = append(items, fmt.Sprintf("%s x%d %s", strings.TrimPrefix(t.Type, "AWS::"), t.Count, USD(t.MonthlyUSD)))
		}
		fmt.Fprintf(&b, "| %s | %s | %s | **%s** | %s |\n", env.Name, USD(env.FixedUSD), USD(env.UsageUSD), USD(env.MonthlyUSD), strings.Join(items, "; "))
	}
	fmt.Fprintf(&b, "| **platform** | %s | %s | **%s** | |\n\n", USD(e.FixedUSD), USD(e.UsageUSD), USD(e.MonthlyUSD))
	b.WriteString("| Environment |")
	for _, p := range FootprintParts {
		fmt.Fprintf(&b, " `footprint.%s: false` saves |", p.Switch)
	}
	b.WriteString("\n|---|" + strings.Repeat("--:|", len(FootprintParts)) + "\n")
	for _, env := range e.Environments {
		if env.Name == ToolingStage || env.Name == "baseline" {
			continue
		}
		fmt.Fprintf(&b, "| %s |", env.Name)
		for _, p := range FootprintParts {
			fmt.Fprintf(&b, " %s |", USD(env.PartUSD(p.Tier)))
		}
		b.WriteString("\n")
	}
	return b.String()
}

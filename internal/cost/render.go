package cost

import (
	"fmt"
	"io"
	"sort"
	"strings"
)

// Total is a resource type's fixed charges across an environment, for "largest items" lists.
type Total struct {
	Type       string
	Count      int
	MonthlyUSD float64
}

// Largest are the environment's n resource types with the largest fixed charges, largest first.
func (e *Environment) Largest(n int) []Total {
	byType := map[string]*Total{}
	for _, r := range e.Regions {
		for _, l := range r.Types {
			t := byType[l.Type]
			if t == nil {
				t = &Total{Type: l.Type}
				byType[l.Type] = t
			}
			t.Count += l.Count
			t.MonthlyUSD += l.MonthlyUSD
		}
	}
	var all []Total
	for _, t := range byType {
		all = append(all, *t)
	}
	sort.Slice(all, func(i, j int) bool {
		if all[i].MonthlyUSD != all[j].MonthlyUSD {
			return all[i].MonthlyUSD > all[j].MonthlyUSD
		}
		return all[i].Type < all[j].Type
	})
	if len(all) > n {
		all = all[:n]
	}
	return all
}

// USD formats an amount as $1,234.56.
func USD(v float64) string {
	s := fmt.Sprintf("%.2f", v)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	whole, cents := s[:len(s)-3], s[len(s)-3:]
	var b strings.Builder
	for i, c := range whole {
		if i > 0 && (len(whole)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteRune(c)
	}
	if neg {
		return "-$" + b.String() + cents
	}
	return "$" + b.String() + cents
}

// Render prints the estimate: each environment by region, stack and resource type, its assumed
// usage apart, then the platform's total.
func Render(w io.Writer, e *Estimate) {
	for _, env := range e.Environments {
		fmt.Fprintf(w, "%s: %s/month (fixed %s + assumed usage %s)\n", env.Name, USD(env.MonthlyUSD), USD(env.FixedUSD), USD(env.UsageUSD))
		renderBudget(w, env)
		for _, r := range env.Regions {
			fmt.Fprintf(w, "  %s: fixed %s, assumed usage %s\n", r.Region, USD(r.FixedUSD), USD(r.UsageUSD))
			for _, s := range r.Stacks {
				if len(s.Types) == 0 {
					continue
				}
				fmt.Fprintf(w, "    %-52s %12s\n", s.Name, USD(s.MonthlyUSD))
				for _, l := range s.Types {
					fmt.Fprintf(w, "      %-44s x%-5d %12s\n", l.Type, l.Count, USD(l.MonthlyUSD))
				}
			}
			if len(r.Usage) > 0 {
				fmt.Fprintf(w, "    assumed usage (internal/cost/usage.json; make cost USAGE=<file>):\n")
				for _, u := range r.Usage {
					each := fmt.Sprintf("%g %s x %d %s", u.Quantity, u.Unit, u.Resources, strings.TrimPrefix(u.Per, "AWS::"))
					fmt.Fprintf(w, "      %-22s %-62s %12s\n", u.Name, each, USD(u.MonthlyUSD))
				}
			}
		}
	}
	fmt.Fprintf(w, "platform total: %s/month (fixed %s + assumed usage %s)\n", USD(e.MonthlyUSD), USD(e.FixedUSD), USD(e.UsageUSD))
	fmt.Fprintln(w, "Free and usage-only types are listed with their reason in the JSON; prices: internal/cost/prices.json.")
}

// RenderSummary prints one line per environment: what a diff shows.
func RenderSummary(w io.Writer, e *Estimate) {
	for _, env := range e.Environments {
		fmt.Fprintf(w, "  %-12s %12s/month\n", env.Name, USD(env.MonthlyUSD))
	}
	fmt.Fprintf(w, "  %-12s %12s/month\n", "total", USD(e.MonthlyUSD))
}

// RenderChange prints each environment's estimate before and after, and the change.
func RenderChange(w io.Writer, before, after *Estimate) {
	fmt.Fprintln(w, "Monthly estimate (make cost; fixed charges plus assumed usage):")
	names := []string{}
	seen := map[string]bool{}
	for _, e := range []*Estimate{before, after} {
		for _, env := range e.Environments {
			if !seen[env.Name] {
				seen[env.Name] = true
				names = append(names, env.Name)
			}
		}
	}
	line := func(name string, b, a float64) {
		change := a - b
		sign := "+"
		if change < 0 {
			sign = ""
		}
		fmt.Fprintf(w, "  %-12s %12s -> %12s  (%s%s)\n", name, USD(b), USD(a), sign, USD(change))
	}
	for _, name := range names {
		line(name, before.environment(name), after.environment(name))
	}
	line("total", before.MonthlyUSD, after.MonthlyUSD)
}

func (e *Estimate) environment(name string) float64 {
	for _, env := range e.Environments {
		if env.Name == name {
			return env.MonthlyUSD
		}
	}
	return 0
}

// renderBudget says whether the environment's budget covers its estimate.
func renderBudget(w io.Writer, env *Environment) {
	switch {
	case env.BudgetUSD == 0:
	case env.BudgetUSD < env.MonthlyUSD:
		fmt.Fprintf(w, "  WARNING: its budget, %s/month, is below the estimate: its alerts will fire every month; set environments[].budget.monthlyUsd to %d or more\n",
			USD(env.BudgetUSD), SuggestedBudgetUSD(env.MonthlyUSD))
	default:
		fmt.Fprintf(w, "  budget %s/month; the estimate is %.0f %% of it\n", USD(env.BudgetUSD), 100*env.MonthlyUSD/env.BudgetUSD)
	}
}

package bootstrap

import (
	"fmt"
	"slices"
	"strings"

	"github.com/example/platform/lib/plan"
)

// RegionsTable is the Markdown table of every account's regions: the regions `make bootstrap`
// bootstraps and a Control Tower Region deny control must govern there, each with what deploys to
// it, from the plan alone. Every account-region also holds the account's baseline stack.
func RegionsTable(planned *plan.Plan) string {
	var b strings.Builder
	b.WriteString("| Account | Use | Region | What deploys there (besides the baseline) |\n|---|---|---|---|\n")
	stages := append(planned.Environments, planned.Tooling)
	appStacks := append([]plan.Stack{planned.Pipeline}, planned.Support...)
	previous := ""
	for _, ar := range planned.AccountRegions {
		var what []string
		for _, stage := range stages {
			for _, s := range stage.Stacks {
				if s.Account == ar.Account && s.Region == ar.Region {
					what = appendOnce(what, describe(stage.Name, s))
				}
			}
		}
		for _, s := range appStacks {
			if s.Account == ar.Account && s.Region == ar.Region {
				what = appendOnce(what, describe("", s))
			}
		}
		account, use := "", ""
		if ar.Account != previous {
			account, use = "`"+ar.Account+"`", "tooling"
			if !ar.Tooling {
				use = strings.Join(ar.Environments, ", ")
			} else if len(ar.Environments) > 0 {
				use = "tooling, " + strings.Join(ar.Environments, ", ")
			}
		}
		previous = ar.Account
		fmt.Fprintf(&b, "| %s | %s | %s | %s |\n", account, use, ar.Region, strings.Join(what, "; "))
	}
	return b.String()
}

// describe says what stack s of stage is, as the table reads.
func describe(stage string, s plan.Stack) string {
	switch {
	case slices.Contains(plan.RegionalTiers(), s.Tier):
		return stage + "'s region"
	case s.Tier == plan.TierDR:
		return stage + "'s observer"
	case s.Tier == plan.TierRegistry:
		return "image repository"
	case s.Tier == plan.TierPipeline:
		return "pipeline"
	case s.Tier == plan.TierPipelineSupport:
		return "pipeline's artifacts"
	}
	return stage + "'s " + s.Tier
}

func appendOnce(list []string, item string) []string {
	if slices.Contains(list, item) {
		return list
	}
	return append(list, item)
}

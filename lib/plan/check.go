package plan

import (
	"fmt"
	"strings"

	"github.com/example/platform/lib/config"
)

// lib/config validates a config with the plan's counts: the plan is computed from a Platform,
// so config cannot import it, and this package hands it the check instead.
func init() { config.SetPlanCheck(check) }

// check rejects a platform whose pipeline stages would exceed CodePipeline's limit: the pipeline
// update would fail at deployment, after everything else was already merged. It runs on configs
// that may have other problems, so it plans only what it can.
func check(p *config.Platform, report func(path, message string), defaulted func(path string) bool) {
	for i, env := range p.Environments {
		checkEnvironmentStage(fmt.Sprintf("environments[%d]", i), p, env, report, defaulted)
	}
	if len(p.Environments) == 0 || !config.IsAccount(p.Pipeline.Account) || !config.IsRegion(p.Pipeline.Region) {
		return // reported elsewhere; the account-regions are not known
	}
	planned := New(p)
	if actions := planned.Baseline.Actions(); actions > MaxActionsPerStage {
		places := len(planned.Baseline.Stacks)
		overhead := actions - places*ActionsPerStack
		report("environments", fmt.Sprintf("the platform uses %d account-regions, and the pipeline's %s stage deploys a stack to each (one action each) "+
			"plus %d more actions; a CodePipeline stage holds at most %d: use at most %d account-regions (fewer regions, or environments sharing accounts)",
			places, config.BaselineName, overhead, MaxActionsPerStage, MaxActionsPerStage-overhead))
	}
}

func checkEnvironmentStage(path string, p *config.Platform, env config.Environment, report func(path, message string), defaulted func(path string) bool) {
	stage := environmentStage(p, env, 0)
	actions := stage.Actions()
	if actions <= MaxActionsPerStage {
		return
	}
	perRegion := len(RegionalTiers()) * ActionsPerStack
	var once []string
	for _, t := range environmentTiers {
		if t.in(env) {
			once = append(once, t.what)
		}
	}
	var rest []string
	if len(once) > 0 {
		rest = append(rest, fmt.Sprintf("%d for %s", len(once)*ActionsPerStack, andList(once)))
	}
	for _, step := range stage.Steps {
		rest = append(rest, fmt.Sprintf("%d %s", step.Actions, step.For))
	}
	var defaults []string
	if env.NeedsApproval() && defaulted(path+".manualApproval") {
		defaults = append(defaults, "manualApproval true (the default for every environment after the first)")
	}
	if env.Protected() && defaulted(path+".terminationProtection") {
		defaults = append(defaults, "terminationProtection true (the default)")
	}
	counted := ""
	if len(defaults) > 0 {
		counted = "; counted with " + strings.Join(defaults, " and ")
	}
	report(path+".regions", fmt.Sprintf("%d regions need %d actions in the pipeline's %s stage (%d per region: %d stacks, one action each; %s), "+
		"and a CodePipeline stage holds at most %d: list at most %d regions here, or split the regions into two environments%s",
		len(env.Regions), actions, env.Name, perRegion, len(RegionalTiers()), strings.Join(rest, ", "), MaxActionsPerStage,
		MaxRegions(p, env), counted))
}

// MaxRegions is the most regions env may list for its pipeline stage to fit CodePipeline's limit:
// the actions left by what the stage runs once (which depends on env's approval and protection),
// divided by a region's actions. The loader's check and the docs' statement of the limit use it.
func MaxRegions(p *config.Platform, env config.Environment) int {
	if len(env.Regions) == 0 {
		env.Regions = []config.Region{{}} // a region's stacks are what ProtectStacks protects
	}
	perRegion := len(RegionalTiers()) * ActionsPerStack
	overhead := environmentStage(p, env, 0).Actions() - len(env.Regions)*perRegion
	return (MaxActionsPerStage - overhead) / perRegion
}

// andList joins items as prose: "a", "a and b", "a, b and c".
func andList(items []string) string {
	if len(items) < 2 {
		return strings.Join(items, "")
	}
	return strings.Join(items[:len(items)-1], ", ") + " and " + items[len(items)-1]
}

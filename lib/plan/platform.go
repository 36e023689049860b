package plan

import (
	"slices"

	"github.com/example/platform/lib/config"
)

// AccountRegion is one account and region the platform uses, which gets one baseline stack.
type AccountRegion struct {
	Account, Region string
	// Home is the account's first region in config order (its first environment's primary
	// region; the pipeline's region for the tooling account alone): the account's
	// multi-region trail, Security Hub aggregator, Config recording of global resources and
	// auditor role live there.
	Home bool
	// Environments are the names of the environments in the account, in config order.
	Environments []string
	// Tooling reports whether the account is the tooling account.
	Tooling bool
}

// BaselineCheckActions: when any environment waits for approval, the baseline's stage checks for
// broadened permissions and has them confirmed (it changes those environments' accounts before
// their own gate).
const BaselineCheckActions = 2

// accountRegions are every account and region the environments' stacks go to, in config order
// (each environment's regions, then the regions of its once-per-environment stacks), then the
// tooling account's: the pipeline's region and every region the pipeline deploys to (where CDK
// Pipelines keeps its artifact support stacks). Environments that share an account share its
// account-regions.
func accountRegions(p *config.Platform, environments []Stage) []AccountRegion {
	var out []AccountRegion
	add := func(account, region string) {
		if region == "" || slices.ContainsFunc(out, func(a AccountRegion) bool { return a.Account == account && a.Region == region }) {
			return
		}
		home := !slices.ContainsFunc(out, func(a AccountRegion) bool { return a.Account == account })
		out = append(out, AccountRegion{Account: account, Region: region, Home: home})
	}
	var deployed []string
	for _, stage := range environments {
		for _, region := range stage.Regions() {
			add(stage.Account, region)
			if region != "" && !slices.Contains(deployed, region) {
				deployed = append(deployed, region)
			}
		}
	}
	add(p.Pipeline.Account, p.Pipeline.Region)
	for _, region := range deployed {
		add(p.Pipeline.Account, region)
	}
	for i := range out {
		for _, env := range p.Environments {
			if env.Account == out[i].Account && !slices.Contains(out[i].Environments, env.Name) {
				out[i].Environments = append(out[i].Environments, env.Name)
			}
		}
		out[i].Tooling = out[i].Account == p.Pipeline.Account
	}
	return out
}

// HomeRegion is the home region of account (see AccountRegion.Home), or "" if the platform does
// not use the account.
func (p *Plan) HomeRegion(account string) string {
	for _, ar := range p.AccountRegions {
		if ar.Account == account && ar.Home {
			return ar.Region
		}
	}
	return ""
}

// baselineStage is one termination-protected stack per account-region; the stage protects them
// after they deploy and, when the platform gates an environment, checks for broadened
// permissions first.
func baselineStage(p *config.Platform, places []AccountRegion, wave int) Stage {
	stage := Stage{Name: config.BaselineName, Wave: wave}
	for _, place := range places {
		stage.Stacks = append(stage.Stacks, Stack{
			ID: place.Account + "-" + place.Region, Name: BaselineStackName(p.Name, place.Account, place.Region),
			Account: place.Account, Region: place.Region, Tier: TierBaseline,
			// Deleting it would delete the detector's findings and stop the recording and the trail.
			Stateful: true, TerminationProtection: true, Actions: ActionsPerStack,
		})
	}
	if p.GatesAnEnvironment() {
		stage.Steps = append(stage.Steps, Step{Actions: BaselineCheckActions, For: "for the permissions check", Pre: true})
	}
	stage.Steps = append(stage.Steps, Step{Actions: ProtectionActions, For: "for termination protection"})
	return stage
}

// toolingStage is the service's image repository in every region an environment runs its app
// in, sorted: each holds the releases rollbacks go back to, so it is protected.
func toolingStage(p *config.Platform, environments []Stage, wave int) Stage {
	stage := Stage{Name: ToolingEnvironment, Account: p.Pipeline.Account, Wave: wave}
	for _, region := range registryRegions(environments) {
		stage.Stacks = append(stage.Stacks, Stack{
			ID: stackID(region, TierRegistry), Name: StackName(p.Name, ToolingEnvironment, region, TierRegistry),
			Account: p.Pipeline.Account, Region: region, Tier: TierRegistry, Environment: ToolingEnvironment,
			Stateful: true, TerminationProtection: true, Actions: ActionsPerStack,
		})
	}
	stage.Steps = []Step{{Actions: ProtectionActions, For: "for termination protection"}}
	return stage
}

func registryRegions(environments []Stage) []string {
	var regions []string
	for _, stage := range environments {
		for _, app := range stage.OfTier(TierApp) {
			if !slices.Contains(regions, app.Region) {
				regions = append(regions, app.Region)
			}
		}
	}
	slices.Sort(regions)
	return regions
}

// RegistryRegions are the regions of the tooling account's image repositories: every region an
// environment runs its service in, sorted.
func (p *Plan) RegistryRegions() []string {
	var regions []string
	for _, s := range p.Tooling.OfTier(TierRegistry) {
		regions = append(regions, s.Region)
	}
	return regions
}

// PullAccounts are the accounts whose service pulls images in region: the accounts of the
// environments with an app stack there, in config order.
func (p *Plan) PullAccounts(region string) []string {
	var accounts []string
	for _, stage := range p.Environments {
		if _, ok := stage.Stack(region, TierApp); ok && !slices.Contains(accounts, stage.Account) {
			accounts = append(accounts, stage.Account)
		}
	}
	return accounts
}

// pipelineStacks are the pipeline's own stack in the tooling account and the pipeline's region,
// and the support stacks CDK Pipelines creates in every other region the stages deploy to, named
// as it names them (<pipeline stack>-support-<region>).
func pipelineStacks(p *config.Platform, stages []Stage) (Stack, []Stack) {
	pipeline := Stack{
		ID: TierPipeline, Name: StackName(p.Name, ToolingEnvironment, p.Pipeline.Region, TierPipeline),
		Account: p.Pipeline.Account, Region: p.Pipeline.Region, Tier: TierPipeline, Environment: ToolingEnvironment,
	}
	var regions []string
	for _, stage := range stages {
		for _, region := range stage.Regions() {
			if region != p.Pipeline.Region && !slices.Contains(regions, region) {
				regions = append(regions, region)
			}
		}
	}
	slices.Sort(regions)
	var support []Stack
	for _, region := range regions {
		s := Stack{
			ID: "cross-region-stack-" + p.Pipeline.Account + ":" + region, Name: pipeline.Name + "-support-" + region,
			Account: p.Pipeline.Account, Region: region, Tier: TierPipelineSupport, Environment: ToolingEnvironment,
		}
		support = append(support, s)
		pipeline.DependsOn = append(pipeline.DependsOn, Dependency{Stack: s.Name, Reason: "the pipeline keeps its artifacts for " + region + " there"})
	}
	return pipeline, support
}

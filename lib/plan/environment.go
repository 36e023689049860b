package plan

import (
	"github.com/example/platform/lib/config"
)

// What an environment's pipeline stage runs besides its stacks' deployments.
const (
	// ApprovalActions gate an environment that needs approval: the permissions-broadening
	// check, its confirmation, and the manual approval.
	ApprovalActions = 3
	// ProtectionActions turn on termination protection of a stage's protected stacks after
	// they deploy.
	ProtectionActions = 1
	// SmokeTestActions check the deployed environment through the edge and the accelerator.
	SmokeTestActions = 1
	// ReleaseActions tag the release the environment now runs, for rollbacks.
	ReleaseActions = 1
)

// RegionalTiers are the stacks an environment has in each of its regions, in the order a
// region's stacks are listed (stacks/ creates them tier by tier across the regions).
func RegionalTiers() []string {
	return []string{TierKeys, TierNetwork, TierData, TierEvents, TierLake, TierApp}
}

// environmentTiers are the stacks an environment has once, in deployment order: each with what a
// count of actions calls it and the region it goes to. A new one is a row here, its
// dependencies (dependencies.go) and its builder in stacks/.
var environmentTiers = []struct {
	tier, what string
	region     func(config.Environment) string
	// in says whether the environment's footprint has the stack.
	in func(config.Environment) bool
}{
	{TierEdge, "the edge", func(config.Environment) string { return EdgeRegion }, config.Environment.HasEdge},
	{TierAccelerator, "the accelerator", func(config.Environment) string { return AcceleratorRegion }, config.Environment.HasAccelerator},
	{TierDR, "the observer", func(env config.Environment) string { return env.ObserverRegion }, config.Environment.HasObserver},
	{TierRecovery, "the recovery stack", func(config.Environment) string { return RecoveryRegion }, config.Environment.HasRecovery},
}

// EnvironmentTiers are the stacks an environment has once (not per region), in deployment order.
func EnvironmentTiers() []string {
	var tiers []string
	for _, t := range environmentTiers {
		tiers = append(tiers, t.tier)
	}
	return tiers
}

// environmentRegion is the region of env's once-per-environment stack of tier.
func environmentRegion(env config.Environment, tier string) string {
	for _, t := range environmentTiers {
		if t.tier == tier {
			return t.region(env)
		}
	}
	panic("plan: no region for tier " + tier)
}

// statefulTiers hold data; where the environment is protected, so are their stacks.
var statefulTiers = map[string]bool{TierKeys: true, TierData: true, TierEvents: true, TierLake: true}

// environment builds one environment's stage.
type environment struct {
	p     *config.Platform
	env   config.Environment
	stage *Stage
}

// environmentStage plans env's stage. The stacks come in the order stacks/ creates them: each
// region's keys and network, every region's data (primary first), events, lakes (secondaries
// first: the primary replicates into them) and apps, then the once-per-environment stacks.
func environmentStage(p *config.Platform, env config.Environment, wave int) Stage {
	e := environment{p: p, env: env, stage: &Stage{Name: env.Name, Account: env.Account, Wave: wave}}
	n := len(env.Regions)
	for i := range n {
		e.add(i, TierKeys)
		e.add(i, TierNetwork)
	}
	e.eachRegion(TierData)
	e.eachRegion(TierEvents)
	for i := 1; i < n; i++ {
		e.add(i, TierLake)
	}
	if n > 0 {
		e.add(0, TierLake)
	}
	e.eachRegion(TierApp)
	for _, t := range environmentTiers {
		if t.in(env) {
			e.addOnce(t.tier)
		}
	}
	e.stage.Steps = environmentSteps(env, e.stage.Stacks)
	return *e.stage
}

func (e environment) eachRegion(tier string) {
	for i := range e.env.Regions {
		e.add(i, tier)
	}
}

func (e environment) add(i int, tier string) {
	e.addAt(e.env.Regions[i].Region, tier, e.regionalDependencies(i, tier))
}

func (e environment) addOnce(tier string) {
	e.addAt(environmentRegion(e.env, tier), tier, e.onceDependencies(tier))
}

func (e environment) addAt(region, tier string, deps []Dependency) {
	stateful := statefulTiers[tier]
	e.stage.Stacks = append(e.stage.Stacks, Stack{
		ID: stackID(region, tier), Name: e.name(region, tier), Account: e.env.Account, Region: region, Tier: tier,
		Environment: e.env.Name, Stateful: stateful, TerminationProtection: stateful && e.env.Protected(),
		DependsOn: deps, Actions: ActionsPerStack,
	})
}

func (e environment) name(region, tier string) string {
	return StackName(e.p.Name, e.env.Name, region, tier)
}

// in is the dependency on region i's stack of tier.
func (e environment) in(i int, tier, reason string) Dependency {
	return Dependency{Stack: e.name(e.env.Regions[i].Region, tier), Reason: reason}
}

// environmentSteps are the actions of env's stage besides its stacks: the gate of an
// environment that needs approval, termination protection of its protected stacks, the smoke
// test and the release tag.
func environmentSteps(env config.Environment, stacks []Stack) []Step {
	var steps []Step
	if env.NeedsApproval() {
		steps = append(steps, Step{Actions: ApprovalActions, For: "for the permissions check and approval", Pre: true})
	}
	if protects(stacks) {
		steps = append(steps, Step{Actions: ProtectionActions, For: "for termination protection"})
	}
	return append(steps, Step{Actions: SmokeTestActions, For: "for the smoke test"}, Step{Actions: ReleaseActions, For: "to tag the release"})
}

func protects(stacks []Stack) bool {
	for _, s := range stacks {
		if s.TerminationProtection {
			return true
		}
	}
	return false
}

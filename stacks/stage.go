package stacks

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/example/platform/lib/compliance"
	"github.com/example/platform/lib/config"
	"github.com/example/platform/lib/plan"
)

// EnvironmentStage is one environment: the unit the pipeline deploys and `cdk deploy` can
// deploy directly ('cdk deploy "staging/*"').
type EnvironmentStage struct {
	awscdk.Stage
	Environment config.Environment
	// Plan is the environment's stage as lib/plan lays it out: every stack built here is one of it.
	Plan plan.Stage
	// Regions are in config order: Regions[0] is the primary.
	Regions []*RegionStacks
	// Edge (us-east-1) and Accelerator (us-west-2) front every region; each, the Observer and
	// Recovery are nil where the environment's footprint leaves them out.
	Edge        *EdgeStack
	Accelerator *AcceleratorStack
	// Observer is the DR tier's stack in the observer region: the canary that watches every
	// region from outside. It waits for the edge and the accelerator, whose addresses it reads.
	Observer *ObserverStack
	// Recovery (us-east-1) holds the Region switch plans and the Resilience Hub application;
	// it names every other stack's resources and deploys last.
	Recovery *RecoveryStack

	// built are the stacks built so far, by name.
	built map[string]awscdk.Stack
}

// RegionStacks are an environment's stacks in one region.
type RegionStacks struct {
	Region  config.Region
	Keys    *KeysStack
	Network *NetworkStack
	Data    *DataStack
	Events  *EventsStack
	Lake    *LakeStack
	App     *AppStack
}

// NewEnvironmentStage builds the stage of env: the stacks the plan lists, in its order, then
// the dependencies it lists between them (lib/plan/dependencies.go says why each stack waits for
// what). The order of deployment follows from those, never from custom resources. runbook is
// the path of the platform's runbook, which its alarms name.
func NewEnvironmentStage(scope constructs.Construct, planned *plan.Plan, env config.Environment, runbook string) *EnvironmentStage {
	platform := planned.Platform
	stage := awscdk.NewStage(scope, jsii.String(env.Name), &awscdk.StageProps{
		Env: &awscdk.Environment{Account: jsii.String(env.Account)},
	})
	// Aspects applied to the App stop at a Stage, so each stage gets its own.
	compliance.Apply(stage)
	for key, value := range platformTags(platform, env) {
		awscdk.Tags_Of(stage).Add(jsii.String(key), jsii.String(value), nil)
	}
	layout, ok := planned.Environment(env.Name)
	if !ok {
		panic(fmt.Sprintf("stacks: the plan has no stage for environment %s", env.Name))
	}
	result := &EnvironmentStage{Stage: stage, Environment: env, Plan: layout}
	for _, region := range env.Regions {
		result.Regions = append(result.Regions, &RegionStacks{Region: region})
	}
	result.built = map[string]awscdk.Stack{}
	place := placement{platform: platform, env: env, stage: layout, runbook: runbook}
	for _, s := range layout.Stacks {
		result.built[s.Name] = result.build(stage, place.of(s))
	}
	for _, s := range layout.Stacks {
		for _, dep := range s.DependsOn {
			result.built[s.Name].AddStackDependency(result.built[dep.Stack], jsii.String(dep.Reason))
		}
	}
	return result
}

// build composes the planned stack at place from the stacks built before it.
func (e *EnvironmentStage) build(stage awscdk.Stage, place placement) awscdk.Stack {
	i := e.regionIndex(place.region.Region)
	primary := e.Regions[0]
	switch tier := place.stack.Tier; {
	case i >= 0 && tier == TierKeys:
		var primaryKey *string
		if i > 0 {
			primaryKey = primary.Keys.Key.Arn
		}
		e.Regions[i].Keys = NewKeysStack(stage, place, primaryKey)
		return e.Regions[i].Keys.Stack
	case i >= 0 && tier == TierNetwork:
		e.Regions[i].Network = NewNetworkStack(stage, place, e.Regions[i].Keys)
		return e.Regions[i].Network.Stack
	case i == 0 && tier == TierData:
		primary.Data = NewPrimaryDataStack(stage, place, primary.Network, primary.Keys)
		return primary.Data.Stack
	case i > 0 && tier == TierData:
		r := e.Regions[i]
		r.Data = NewSecondaryDataStack(stage, place, r.Network, r.Keys, peeringRequests(e.Environment, e.Regions, i))
		return r.Data.Stack
	case i >= 0 && tier == TierEvents:
		e.Regions[i].Events = NewEventsStack(stage, place, e.Regions[i].Keys)
		return e.Regions[i].Events.Stack
	case i >= 0 && tier == TierLake:
		r := e.Regions[i]
		r.Lake = NewLakeStack(stage, place, r.Keys, r.Events)
		return r.Lake.Stack
	case i >= 0 && tier == TierApp:
		r := e.Regions[i]
		in := appInputs{network: r.Network, keys: r.Keys, data: r.Data, events: r.Events, lake: r.Lake, peeringRoutes: peeringReturnRoutes(e.Environment, e.Regions, i)}
		r.App = NewAppStack(stage, place, in)
		return r.App.Stack
	case tier == TierEdge:
		e.Edge = NewEdgeStack(stage, place, e.Regions)
		return e.Edge.Stack
	case tier == TierAccelerator:
		e.Accelerator = NewAcceleratorStack(stage, place, e.Regions)
		return e.Accelerator.Stack
	case tier == TierDR:
		e.Observer = NewObserverStack(stage, place, e.Regions)
		return e.Observer.Stack
	case tier == TierRecovery:
		// It names every stack it waits for: those are every other stack of the stage.
		var others []awscdk.Stack
		for _, dep := range place.stack.DependsOn {
			others = append(others, e.built[dep.Stack])
		}
		e.Recovery = NewRecoveryStack(stage, place, e.Regions, others)
		return e.Recovery.Stack
	}
	panic(fmt.Sprintf("stacks: no builder for the plan's %s stack %s", place.stack.Tier, place.stack.Name))
}

// regionIndex is the index of region among the environment's regions, or -1.
func (e *EnvironmentStage) regionIndex(region string) int {
	for i, r := range e.Regions {
		if r.Region.Region == region {
			return i
		}
	}
	return -1
}

// Stacks are the region's stacks in deployment order.
func (r *RegionStacks) Stacks() []awscdk.Stack {
	return []awscdk.Stack{r.Keys.Stack, r.Network.Stack, r.Data.Stack, r.Events.Stack, r.Lake.Stack, r.App.Stack}
}

// Stacks are all of the environment's stacks: every region's in config order, then the edge,
// the accelerator, the observer and the recovery stack that its footprint has.
func (s *EnvironmentStage) Stacks() []awscdk.Stack {
	var all []awscdk.Stack
	for _, r := range s.Regions {
		all = append(all, r.Stacks()...)
	}
	if s.Edge != nil {
		all = append(all, s.Edge.Stack)
	}
	if s.Accelerator != nil {
		all = append(all, s.Accelerator.Stack)
	}
	if s.Observer != nil {
		all = append(all, s.Observer.Stack)
	}
	if s.Recovery != nil {
		all = append(all, s.Recovery.Stack)
	}
	return all
}

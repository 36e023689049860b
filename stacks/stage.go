package stacks

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/example/platform/lib/compliance"
	"github.com/example/platform/lib/config"
)

// EnvironmentStage is one environment: the unit the pipeline deploys and `cdk deploy` can
// deploy directly ('cdk deploy "staging/*"').
type EnvironmentStage struct {
	awscdk.Stage
	Environment config.Environment
	// Regions are in config order: Regions[0] is the primary.
	Regions []*RegionStacks
	// Edge (us-east-1) and Accelerator (us-west-2) front every region.
	Edge        *EdgeStack
	Accelerator *AcceleratorStack
	// Observer is the DR tier's stack in the observer region: the canary that watches every
	// region from outside. It waits for the edge and the accelerator, whose addresses it reads.
	Observer *ObserverStack
	// Recovery (us-east-1) holds the Region switch plans and the Resilience Hub application;
	// it names every other stack's resources and deploys last.
	Recovery *RecoveryStack
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

// NewEnvironmentStage builds the stage for env with every region's stacks. The order of
// deployment follows from references and a few explicit dependencies, never from custom
// resources: keys (primary, then replicas) before data; the primary's data before the
// secondaries', and those one after another in config order (they join its global cluster);
// each region's events after its keys; the secondaries' lakes before the primary's (it
// replicates into them), each after its region's events (it delivers them); each region's app
// after its data and events, and with log search after its lake (its log group subscribes to the
// lake stack's delivery stream); the edge and the accelerator, which front every region's load
// balancers; the observer's stack after them (its canary reads the addresses they write); then
// the recovery stack, which names every other stack.
func NewEnvironmentStage(scope constructs.Construct, platform *config.Platform, env config.Environment) *EnvironmentStage {
	stage := awscdk.NewStage(scope, jsii.String(env.Name), &awscdk.StageProps{
		Env: &awscdk.Environment{Account: jsii.String(env.Account)},
	})
	// Aspects applied to the App stop at a Stage, so each stage gets its own.
	compliance.Apply(stage)
	for key, value := range platformTags(platform, env) {
		awscdk.Tags_Of(stage).Add(jsii.String(key), jsii.String(value), nil)
	}
	result := &EnvironmentStage{Stage: stage, Environment: env}
	places := make([]placement, len(env.Regions))
	for i, region := range env.Regions {
		places[i] = placement{platform: platform, env: env, region: region}
		result.Regions = append(result.Regions, &RegionStacks{Region: region})
	}
	primary, secondaries := result.Regions[0], result.Regions[1:]

	primary.Keys = NewKeysStack(stage, places[0], nil)
	for i, r := range result.Regions {
		if i > 0 {
			r.Keys = NewKeysStack(stage, places[i], primary.Keys.Key.Arn)
		}
		r.Network = NewNetworkStack(stage, places[i], r.Keys)
	}

	primary.Data = NewPrimaryDataStack(stage, places[0], primary.Network, primary.Keys)
	for i, r := range secondaries {
		// The global table, secret and lake replicas in the primary stacks name the
		// secondaries' replica keys without referencing them.
		primary.Data.AddStackDependency(r.Keys.Stack, jsii.String("replicas are encrypted with this region's replica key"))
		r.Data = NewSecondaryDataStack(stage, places[i+1], r.Network, r.Keys, peeringRequests(env, result.Regions, i+1))
		r.Data.AddStackDependency(primary.Data.Stack, jsii.String("the secondary cluster joins the primary's global cluster"))
		if i > 0 {
			// One region joins the global cluster at a time: while a secondary is being added
			// the global cluster is modifying, and RDS refuses a second membership change then.
			r.Data.AddStackDependency(secondaries[i-1].Data.Stack, jsii.String("regions join the global cluster one at a time"))
		}
	}
	for i, r := range result.Regions {
		r.Events = NewEventsStack(stage, places[i], r.Keys)
	}
	for i, r := range secondaries {
		r.Lake = NewLakeStack(stage, places[i+1], r.Keys, r.Events)
	}
	primary.Lake = NewLakeStack(stage, places[0], primary.Keys, primary.Events)
	for _, r := range secondaries {
		primary.Lake.AddStackDependency(r.Lake.Stack, jsii.String("replication needs the destination bucket and its key"))
		primary.Lake.AddStackDependency(r.Keys.Stack, jsii.String("replicas are encrypted with this region's replica key"))
	}

	for i, r := range result.Regions {
		in := appInputs{network: r.Network, keys: r.Keys, data: r.Data, events: r.Events, lake: r.Lake, peeringRoutes: peeringReturnRoutes(env, result.Regions, i)}
		r.App = NewAppStack(stage, places[i], in)
	}
	result.Edge = NewEdgeStack(stage, places[0].at(EdgeRegion), result.Regions)
	result.Accelerator = NewAcceleratorStack(stage, places[0].at(AcceleratorRegion), result.Regions)
	result.Observer = NewObserverStack(stage, places[0].at(env.ObserverRegion), result.Regions, result.Edge, result.Accelerator)
	var others []awscdk.Stack
	for _, r := range result.Regions {
		others = append(others, r.Stacks()...)
	}
	others = append(others, result.Edge.Stack, result.Accelerator.Stack, result.Observer.Stack)
	result.Recovery = NewRecoveryStack(stage, places[0].at(RecoveryRegion), result.Regions, others)
	return result
}

// Stacks are the region's stacks in deployment order.
func (r *RegionStacks) Stacks() []awscdk.Stack {
	return []awscdk.Stack{r.Keys.Stack, r.Network.Stack, r.Data.Stack, r.Events.Stack, r.Lake.Stack, r.App.Stack}
}

// Stacks are all of the environment's stacks: every region's in config order, then the edge,
// the accelerator, the observer and the recovery stack.
func (s *EnvironmentStage) Stacks() []awscdk.Stack {
	var all []awscdk.Stack
	for _, r := range s.Regions {
		all = append(all, r.Stacks()...)
	}
	return append(all, s.Edge.Stack, s.Accelerator.Stack, s.Observer.Stack, s.Recovery.Stack)
}

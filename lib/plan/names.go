package plan

import (
	"strings"

	"github.com/example/platform/lib/config"
)

// Tiers name the stacks of an environment; each region has one stack per regional tier.
const (
	TierKeys    = "keys"
	TierNetwork = "network"
	TierData    = "data"
	TierLake    = "lake"
	// TierEvents holds the region's event bus, archive, queues and stream.
	TierEvents = "events"
	TierApp    = "app"
	// TierRegistry is the tooling account's image repository in each region the platform uses.
	TierRegistry = "registry"
	// Once per environment, in the region its global service requires.
	TierEdge        = "edge"
	TierAccelerator = "accelerator"
	// TierDR is the disaster-recovery tier. Its stack in the observer region (a region that runs
	// none of the environment's workload) holds the canary that watches every region from
	// outside, with its alarm, topic and dashboard.
	TierDR = "dr"
	// TierBaseline is the security baseline of one account and region; its stacks carry the
	// account ID where the others carry the environment (several environments may share it).
	TierBaseline = "baseline"
	// TierRecovery holds an environment's Region switch plans and its Resilience Hub
	// application, once per environment.
	TierRecovery = "recovery"
	// TierPipeline names the tooling account's delivery stack.
	TierPipeline = "pipeline"
	// TierPipelineSupport is a stack CDK Pipelines adds for the pipeline in another region.
	TierPipelineSupport = "support"
)

// ToolingEnvironment is the environment name of the tooling account's stacks.
const ToolingEnvironment = config.ToolingName

// Regions of the once-per-environment stacks.
const (
	// EdgeRegion is where CloudFront's certificate, web ACL and logs must live.
	EdgeRegion = config.EdgeRegion
	// AcceleratorRegion is the only region serving Global Accelerator's API.
	AcceleratorRegion = config.AcceleratorRegion
	// RecoveryRegion holds the recovery stack: Region switch's control plane, which creates and
	// updates plans, is in us-east-1 only ("Data and control planes for Region switch", ARC
	// developer guide). Executions run on the data plane of the region they activate, so the
	// plans do not depend on us-east-1 when they are needed. Resilience Hub maps stacks of any
	// region, so its application goes with the plans.
	RecoveryRegion = "us-east-1"
)

// StackName is the CloudFormation name of a stack: <platform>-<env>-<region>-<tier>, so that a
// stack is recognisable in any account's console without opening it.
func StackName(platform, environment, region, tier string) string {
	return strings.Join([]string{platform, environment, region, tier}, "-")
}

// BaselineStackName is the baseline stack of account in region:
// <platform>-<account>-<region>-baseline, unique in the assembly however environments share
// accounts.
func BaselineStackName(platform, account, region string) string {
	return StackName(platform, account, region, TierBaseline)
}

// stackID is the construct ID of an environment's or the tooling account's stack in its stage.
func stackID(region, tier string) string { return region + "-" + tier }

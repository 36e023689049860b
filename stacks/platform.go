// Package stacks decides what goes where: it turns a validated config.Platform into one Stage
// per environment, each holding the stacks of every region, composed from the constructs in lib/.
package stacks

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/example/platform/internal/docspath"
	"github.com/example/platform/internal/toolchain"
	"github.com/example/platform/lib/compliance"
	"github.com/example/platform/lib/config"
	"github.com/example/platform/lib/plan"
)

// Platform is everything the app deploys for one config file.
type Platform struct {
	Config *config.Platform
	// Plan is where every stack goes; every stage below builds what it lists.
	Plan *plan.Plan
	// Baseline is every account-region's security baseline; the pipeline deploys it first.
	Baseline *BaselineStage
	// Tooling holds the image repositories; the pipeline deploys it before the environments.
	Tooling  *ToolingStage
	Stages   []*EnvironmentStage
	Pipeline *PipelineStack
}

// NewPlatform adds one Stage per environment to app, in config order, and the pipeline that
// deploys them. configFile is the config's path from the repository root, which the pipeline
// synthesizes; tools are the repository's pinned tool versions, which the pipeline installs. It
// must be given an App with no children yet: it records the configured availability zones as
// context first, which CDK only accepts before the tree is built. synthesized, if not nil, is
// called with each stage once its templates are written (NewPipelineStack).
func NewPlatform(app awscdk.App, platform *config.Platform, configFile string, tools toolchain.Toolchain, synthesized func(awscdk.Stage)) *Platform {
	SetAvailabilityZones(app, platform)
	// The pipeline stack and its cross-region support stacks are the App's; stages get their
	// own checks (aspects stop at a Stage).
	compliance.Apply(app)
	planned := plan.New(platform)
	result := &Platform{Config: platform, Plan: planned, Baseline: NewBaselineStage(app, planned), Tooling: NewToolingStage(app, planned)}
	finish(result.Baseline.Stage, platform)
	finish(result.Tooling.Stage, platform)
	runbook := docspath.Runbook(configFile, platform.Name)
	// Each environment's stage is built as the pipeline asks for it, after the one before is
	// added (and synthesized): what checks a stage's templates goes on while the next is built.
	environments := func(yield func(*EnvironmentStage) bool) {
		for _, env := range platform.Environments {
			stage := NewEnvironmentStage(app, planned, env, runbook)
			finish(stage.Stage, platform)
			result.Stages = append(result.Stages, stage)
			if !yield(stage) {
				return
			}
		}
	}
	result.Pipeline = NewPipelineStack(app, planned, configFile, tools, result.Baseline, result.Tooling, environments, synthesized)
	// The pipeline stack and the support stacks CDK Pipelines adds exist once it is built.
	finish(app, platform)
	return result
}

// finish attaches the boundary to the stacks of scope (a Stage or the App) and applies Control
// Tower's controls to what they hold. A stage must be finished before the pipeline adds it: CDK
// Pipelines synthesizes a stage when it adds it, and what changes after would not reach its
// templates.
func finish(scope constructs.IConstruct, platform *config.Platform) {
	boundStacks(scope, platform)
	compliance.Enforce(scope)
}

// SetAvailabilityZones tells CDK the AZs of every account and region the platform deploys to.
// CDK would otherwise look them up with the caller's credentials; with the names from config,
// synthesis is hermetic and the same everywhere.
func SetAvailabilityZones(app awscdk.App, platform *config.Platform) {
	for _, env := range platform.Environments {
		for _, region := range env.Regions {
			key := fmt.Sprintf("availability-zones:account=%s:region=%s", env.Account, region.Region)
			app.Node().SetContext(jsii.String(key), region.AvailabilityZones)
		}
	}
}

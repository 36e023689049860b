package stacks

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/example/platform/lib/config"
)

// The permissions boundary (config's permissionsBoundary) is attached to every IAM role and user
// of every stack, in its stack's account: the platform's own and those CDK creates inside its
// constructs (custom-resource providers, log retention, the pipeline's CodeBuild and
// CodePipeline roles). IAM's aspect sets the property on the CloudFormation resources, L1 ones
// included. It is applied per stack because aspects given to the App stop at a Stage and the
// stacks of one stage may be in several accounts (the baseline's).

// boundStage attaches the boundary to every stack of stage. It must run before the pipeline adds
// the stage: CDK Pipelines synthesizes a stage when it adds it.
func boundStage(stage awscdk.Stage, platform *config.Platform) {
	for _, c := range *stage.Node().FindAll(constructs.ConstructOrder_PREORDER) {
		if *awscdk.Stack_IsStack(c) {
			boundStack(awscdk.Stack_Of(c), platform)
		}
	}
}

// boundAppStacks attaches the boundary to the App's own stacks: the pipeline's and the support
// stacks CDK Pipelines adds beside it (so after the pipeline is built).
func boundAppStacks(app awscdk.App, platform *config.Platform) {
	for _, c := range *app.Node().Children() {
		if *awscdk.Stack_IsStack(c) {
			boundStack(awscdk.Stack_Of(c), platform)
		}
	}
}

func boundStack(stack awscdk.Stack, platform *config.Platform) {
	name := platform.BoundaryFor(*stack.Account())
	if name == "" {
		return
	}
	policy := awsiam.ManagedPolicy_FromManagedPolicyName(stack, jsii.String("PermissionsBoundary"), jsii.String(name))
	awsiam.PermissionsBoundary_Of(stack).Apply(policy)
}

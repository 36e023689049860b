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

// boundStacks attaches the boundary to every stack directly under scope: a stage's (every stack
// of a stage is its child), or the App's own, the pipeline's and the support stacks CDK Pipelines
// adds beside it. The stacks are told apart in Go: asking CDK of each construct costs a round
// trip to its process.
func boundStacks(scope constructs.IConstruct, platform *config.Platform) {
	for _, c := range *scope.Node().Children() {
		if stack, ok := c.(awscdk.Stack); ok {
			boundStack(stack, platform)
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

package stacks

import (
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/pipelines"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// connectionPrefixes are the two service prefixes of a CodeConnections connection: IAM matches
// an action's prefix to the resource ARN's ("Connections rename - Summary of changes"), and
// connections exist under both.
var connectionPrefixes = []string{"codeconnections", "codestar-connections"}

// connectionActions are actions on connectionArn under both service prefixes.
func connectionActions(actions ...string) []string {
	var all []string
	for _, prefix := range connectionPrefixes {
		for _, action := range actions {
			all = append(all, prefix+":"+action)
		}
	}
	return all
}

// useConnectionByEitherPrefix lets the source actions' roles use connectionArn under both
// prefixes: CDK Pipelines grants codestar-connections:UseConnection alone, which a connection
// whose ARN is arn:aws:codeconnections:... does not accept. The source stage's action roles are
// created by the pipeline, which offers no handle on them, so they are found by their place in
// the construct tree.
func useConnectionByEitherPrefix(pipeline pipelines.CodePipeline, connectionArn string) {
	source := pipeline.Pipeline().Node().TryFindChild(jsii.String("Source"))
	if source == nil {
		panic("the pipeline has no Source stage: CDK Pipelines changed its construct tree; update useConnectionByEitherPrefix")
	}
	found := 0
	for _, c := range *source.Node().FindAll(constructs.ConstructOrder_PREORDER) {
		if role, ok := c.(awsiam.Role); ok {
			found++
			role.AddToPrincipalPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
				Actions: jsii.Strings(connectionActions("UseConnection")...), Resources: jsii.Strings(connectionArn),
			}))
		}
	}
	if found == 0 {
		panic("the pipeline's Source stage has no action role: CDK Pipelines changed its construct tree; update useConnectionByEitherPrefix")
	}
}

package stacks

import (
	"fmt"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
)

// cdkRoles are the CDK bootstrap roles of a stack's account and region that pipeline steps
// assume: deploy (what CDK Pipelines deploys with; `cdk bootstrap --trust`) and lookup
// (read-only; `--trust-for-lookup`).
type cdkRoles struct{ deploy, lookup string }

// bootstrapRoles are the roles stack's synthesizer names, as IAM policies can hold them.
func bootstrapRoles(stack awscdk.Stack) cdkRoles {
	synthesizer, ok := stack.Synthesizer().(awscdk.DefaultStackSynthesizer)
	if !ok {
		panic(fmt.Sprintf("%s does not use the DefaultStackSynthesizer, whose bootstrap roles the pipeline assumes", *stack.StackName()))
	}
	// The synthesizer leaves the partition for CloudFormation to fill in; lib/config admits only
	// regions of the aws partition.
	partition := strings.NewReplacer("${AWS::Partition}", "aws")
	return cdkRoles{deploy: partition.Replace(*synthesizer.DeployRoleArn()), lookup: partition.Replace(*synthesizer.LookupRole())}
}

package compliance

import (
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// CreateGrantGuardSid names the key-policy statement GuardGrants adds.
const CreateGrantGuardSid = "DenyCreateGrantExceptForAWSResources"

// CreateGrantGuard is the key-policy statement Control Tower's CT.KMS.PR.3 asks of every key:
// no one creates a grant on it unless the grant is for an AWS resource or the caller is an AWS
// service (as when Aurora, DynamoDB or Backup use the key on a resource's behalf).
func CreateGrantGuard() awsiam.PolicyStatement {
	return awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:        jsii.String(CreateGrantGuardSid),
		Effect:     awsiam.Effect_DENY,
		Principals: &[]awsiam.IPrincipal{awsiam.NewAnyPrincipal()},
		Actions:    jsii.Strings("kms:CreateGrant"),
		Resources:  jsii.Strings("*"),
		Conditions: &map[string]any{"BoolIfExists": map[string]any{
			"kms:GrantIsForAWSResource": "false", "aws:PrincipalIsAWSService": "false",
		}},
	})
}

// GuardGrants adds CreateGrantGuard to the policy of every KMS key under scope as it is now, the
// platform's and those CDK makes (the pipeline's artifact keys); Enforce does it with the rest.
func GuardGrants(scope constructs.IConstruct) {
	walk(scope, guardGrant)
}

func guardGrant(node constructs.IConstruct) {
	if key, ok := node.(awskms.Key); ok {
		key.AddToResourcePolicy(CreateGrantGuard(), jsii.Bool(false))
	}
}

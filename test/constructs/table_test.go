package constructs_test

import (
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/jsii-runtime-go"

	"github.com/example/platform/lib/table"
	"github.com/example/platform/test/constructkit"
)

func TestTable_EveryReplicaIsRecoverableProtectedAndEncryptedWithItsRegionsKey(t *testing.T) {
	stack := constructkit.Stack(t, "us-east-1")
	table.New(stack, "Table", table.Props{
		TableName: "acme-prod-main", Key: awskms.NewKey(stack, jsii.String("Key"), nil),
		Replicas: []table.Replica{
			{Region: "eu-west-1", KeyArn: jsii.String("arn:aws:kms:eu-west-1:111111111111:key/mrk-1")},
			{Region: "ap-southeast-2", KeyArn: jsii.String("arn:aws:kms:ap-southeast-2:111111111111:key/mrk-1")},
		},
		DeletionProtection: true,
	})
	tpl := constructkit.TemplateOf(t, stack)
	replica := func(region string, key any) any {
		return assertions.Match_ObjectLike(&map[string]any{
			"Region":                           region,
			"PointInTimeRecoverySpecification": map[string]any{"PointInTimeRecoveryEnabled": true},
			"DeletionProtectionEnabled":        true,
			"ContributorInsightsSpecification": map[string]any{"Enabled": true},
			"SSESpecification":                 map[string]any{"KMSMasterKeyId": key},
		})
	}
	constructkit.Assert(t, func() {
		tpl.HasResource(jsii.String("AWS::DynamoDB::GlobalTable"), map[string]any{
			"Properties": assertions.Match_ObjectLike(&map[string]any{
				"TableName":           "acme-prod-main",
				"BillingMode":         "PAY_PER_REQUEST",
				"StreamSpecification": map[string]any{"StreamViewType": "NEW_AND_OLD_IMAGES"},
				"SSESpecification":    map[string]any{"SSEEnabled": true, "SSEType": "KMS"},
				"Replicas": assertions.Match_ArrayWith(&[]any{
					replica("eu-west-1", "arn:aws:kms:eu-west-1:111111111111:key/mrk-1"),
					replica("ap-southeast-2", "arn:aws:kms:ap-southeast-2:111111111111:key/mrk-1"),
					replica("us-east-1", map[string]any{"Fn::GetAtt": []any{assertions.Match_StringLikeRegexp(jsii.String("^Key")), "Arn"}}),
				}),
			}),
			"DeletionPolicy": "RetainExceptOnCreate",
		})
	})
}

package constructs_test

import (
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/jsii-runtime-go"

	"github.com/example/platform/lib/datalake"
	"github.com/example/platform/test/constructkit"
)

func datalakeSynth(t *testing.T, destinations []datalake.Destination) assertions.Template {
	t.Helper()
	stack := constructkit.Stack(t, "us-east-1")
	datalake.New(stack, "Lake", datalake.Props{BucketName: "acme-prod-111111111111-us-east-1-lake", Key: awskms.NewKey(stack, jsii.String("Key"), nil), Destinations: destinations})
	return constructkit.TemplateOf(t, stack)
}

func TestDataLake_BucketIsVersionedEncryptedPrivateLoggedTieredAndRetained(t *testing.T) {
	tpl := datalakeSynth(t, nil)
	constructkit.Assert(t, func() {
		tpl.HasResource(jsii.String("AWS::S3::Bucket"), map[string]any{
			"Properties": assertions.Match_ObjectLike(&map[string]any{
				"BucketName":              "acme-prod-111111111111-us-east-1-lake",
				"VersioningConfiguration": map[string]any{"Status": "Enabled"},
				"BucketEncryption": map[string]any{"ServerSideEncryptionConfiguration": []any{map[string]any{
					"BucketKeyEnabled": true,
					"ServerSideEncryptionByDefault": map[string]any{
						"SSEAlgorithm": "aws:kms", "KMSMasterKeyID": map[string]any{"Fn::GetAtt": []any{assertions.Match_StringLikeRegexp(jsii.String("^Key")), "Arn"}},
					},
				}}},
				"PublicAccessBlockConfiguration": map[string]any{"BlockPublicAcls": true, "BlockPublicPolicy": true, "IgnorePublicAcls": true, "RestrictPublicBuckets": true},
				"LoggingConfiguration":           assertions.Match_ObjectLike(&map[string]any{"DestinationBucketName": assertions.Match_AnyValue()}),
				"LifecycleConfiguration": map[string]any{"Rules": []any{assertions.Match_ObjectLike(&map[string]any{
					"Transitions": []any{
						map[string]any{"StorageClass": "STANDARD_IA", "TransitionInDays": 30},
						map[string]any{"StorageClass": "GLACIER_IR", "TransitionInDays": 90},
						map[string]any{"StorageClass": "GLACIER", "TransitionInDays": 365},
					},
					"NoncurrentVersionExpiration": map[string]any{"NoncurrentDays": 90},
				})}},
				"ReplicationConfiguration": assertions.Match_Absent(),
			}),
			"DeletionPolicy": "RetainExceptOnCreate",
		})
		tpl.HasResourceProperties(jsii.String("AWS::S3::BucketPolicy"), map[string]any{
			"PolicyDocument": map[string]any{"Statement": assertions.Match_ArrayWith(&[]any{assertions.Match_ObjectLike(&map[string]any{
				"Effect": "Deny", "Condition": map[string]any{"Bool": map[string]any{"aws:SecureTransport": "false"}},
			})})},
		})
	})
}

func TestDataLake_PrimaryReplicatesEveryObjectToEachDestinationWithItsKey(t *testing.T) {
	tpl := datalakeSynth(t, []datalake.Destination{
		{Region: "eu-west-1", BucketName: "acme-prod-111111111111-eu-west-1-lake", KeyArn: jsii.String("arn:aws:kms:eu-west-1:111111111111:key/mrk-1")},
		{Region: "ap-southeast-2", BucketName: "acme-prod-111111111111-ap-southeast-2-lake", KeyArn: jsii.String("arn:aws:kms:ap-southeast-2:111111111111:key/mrk-1")},
	})
	rule := func(bucket, key string) any {
		return assertions.Match_ObjectLike(&map[string]any{
			"Status": "Enabled",
			"Destination": assertions.Match_ObjectLike(&map[string]any{
				"Bucket":                  "arn:aws:s3:::" + bucket,
				"EncryptionConfiguration": map[string]any{"ReplicaKmsKeyID": key},
			}),
			"SourceSelectionCriteria": map[string]any{"SseKmsEncryptedObjects": map[string]any{"Status": "Enabled"}},
		})
	}
	constructkit.Assert(t, func() {
		tpl.HasResourceProperties(jsii.String("AWS::S3::Bucket"), map[string]any{
			"ReplicationConfiguration": map[string]any{
				"Role": assertions.Match_AnyValue(),
				"Rules": []any{
					rule("acme-prod-111111111111-eu-west-1-lake", "arn:aws:kms:eu-west-1:111111111111:key/mrk-1"),
					rule("acme-prod-111111111111-ap-southeast-2-lake", "arn:aws:kms:ap-southeast-2:111111111111:key/mrk-1"),
				},
			},
		})
	})
}

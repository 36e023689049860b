package constructs_test

import (
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/jsii-runtime-go"

	"github.com/example/platform/lib/buckets"
	"github.com/example/platform/test/constructkit"
)

func TestPrivate_BlocksPublicAccessEnforcesTLSAndDisablesACLs(t *testing.T) {
	s := constructkit.Stack(t, "eu-west-1")
	awss3.NewBucket(s, jsii.String("Bucket"), buckets.Private(&awss3.BucketProps{Versioned: jsii.Bool(true)}))
	tpl := constructkit.TemplateOf(t, s)
	constructkit.Assert(t, func() {
		tpl.HasResourceProperties(jsii.String("AWS::S3::Bucket"), map[string]any{
			"VersioningConfiguration": map[string]any{"Status": "Enabled"},
			"PublicAccessBlockConfiguration": map[string]any{
				"BlockPublicAcls": true, "BlockPublicPolicy": true, "IgnorePublicAcls": true, "RestrictPublicBuckets": true,
			},
			"OwnershipControls": map[string]any{"Rules": []any{map[string]any{"ObjectOwnership": "BucketOwnerEnforced"}}},
		})
		tpl.HasResourceProperties(jsii.String("AWS::S3::BucketPolicy"), map[string]any{
			"PolicyDocument": map[string]any{"Statement": []any{map[string]any{
				"Action": "s3:*", "Effect": "Deny", "Condition": map[string]any{"Bool": map[string]any{"aws:SecureTransport": "false"}},
				"Principal": map[string]any{"AWS": "*"}, "Resource": assertions.Match_AnyValue(),
			}}},
		})
	})
}

func TestPrivate_KeepsAnOwnershipThePropsChose(t *testing.T) {
	got := buckets.Private(&awss3.BucketProps{ObjectOwnership: awss3.ObjectOwnership_BUCKET_OWNER_PREFERRED})
	if got.ObjectOwnership != awss3.ObjectOwnership_BUCKET_OWNER_PREFERRED {
		t.Errorf("ObjectOwnership = %v, want the props' BUCKET_OWNER_PREFERRED", got.ObjectOwnership)
	}
}

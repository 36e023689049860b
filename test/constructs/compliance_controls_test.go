package constructs_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/jsii-runtime-go"

	"github.com/example/platform/lib/compliance"
	"github.com/example/platform/test/constructkit"
)

// Control Tower's CT.KMS.PR.3: every key's policy denies creating a grant unless it is for an
// AWS resource or from an AWS service, the keys CDK makes inside other constructs too.
func TestGuardGrants_EveryKeyDeniesGrantsNotForAWSResources(t *testing.T) {
	app := constructkit.NewApp(t)
	stack := awscdk.NewStack(app, jsii.String("Test"), nil)
	awskms.NewKey(stack, jsii.String("Key"), nil)
	awss3.NewBucket(stack, jsii.String("Bucket"), &awss3.BucketProps{Encryption: awss3.BucketEncryption_KMS})
	compliance.GuardGrants(app)
	var keys *map[string]*map[string]any
	constructkit.Assert(t, func() { keys = constructkit.TemplateOf(t, stack).FindResources(jsii.String("AWS::KMS::Key"), nil) })
	constructkit.CheckedSomething(t, len(*keys), "key")
	if len(*keys) != 2 {
		t.Fatalf("%d keys, want the stack's and the bucket's", len(*keys))
	}
	for id, key := range *keys {
		data, _ := json.Marshal((*key)["Properties"].(map[string]any)["KeyPolicy"])
		policy := string(data)
		for _, want := range []string{`"Sid":"` + compliance.CreateGrantGuardSid + `"`, `"Effect":"Deny"`, `"Action":"kms:CreateGrant"`,
			`"BoolIfExists":{"aws:PrincipalIsAWSService":"false","kms:GrantIsForAWSResource":"false"}`} {
			if !strings.Contains(policy, want) {
				t.Errorf("key %s's policy lacks %s: %s", id, want, policy)
			}
		}
	}
}

// Control Tower's CT.S3.PR.4: every bucket sends event notifications (to EventBridge), without
// the custom resource CDK's notifications need; a bucket's own notifications are kept.
func TestNotifyBucketEvents_EveryBucketSendsItsEventsToEventBridge(t *testing.T) {
	app := constructkit.NewApp(t)
	stack := awscdk.NewStack(app, jsii.String("Test"), nil)
	awss3.NewBucket(stack, jsii.String("Plain"), nil)
	awss3.NewCfnBucket(stack, jsii.String("Notifying"), &awss3.CfnBucketProps{NotificationConfiguration: &awss3.CfnBucket_NotificationConfigurationProperty{
		TopicConfigurations: &[]any{&awss3.CfnBucket_TopicConfigurationProperty{Event: jsii.String("s3:ObjectCreated:*"), Topic: jsii.String("arn:aws:sns:us-east-1:111111111111:t")}},
	}})
	compliance.NotifyBucketEvents(app)
	template := constructkit.TemplateOf(t, stack)
	var buckets *map[string]*map[string]any
	constructkit.Assert(t, func() { buckets = template.FindResources(jsii.String("AWS::S3::Bucket"), nil) })
	constructkit.CheckedSomething(t, len(*buckets), "bucket")
	for id, b := range *buckets {
		data, _ := json.Marshal((*b)["Properties"].(map[string]any)["NotificationConfiguration"])
		got := string(data)
		want := `{"EventBridgeConfiguration":{"EventBridgeEnabled":true}}`
		if strings.HasPrefix(id, "Notifying") {
			want = `{"TopicConfigurations":[{"Event":"s3:ObjectCreated:*","Topic":"arn:aws:sns:us-east-1:111111111111:t"}]}`
		}
		if got != want {
			t.Errorf("bucket %s notifies %s, want %s", id, got, want)
		}
	}
	constructkit.Assert(t, func() { template.ResourceCountIs(jsii.String("Custom::S3BucketNotifications"), jsii.Number(0)) })
}

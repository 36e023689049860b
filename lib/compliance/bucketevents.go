package compliance

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// NotifyBucketEvents has every S3 bucket under scope that sends no event notifications send its
// events to EventBridge (the account-region's default bus), which Control Tower's CT.S3.PR.4
// asks for: S3's events on the default bus cost nothing, and a rule can take them up later. It
// sets the bucket's own property (L1), not CDK's notifications, which need a custom resource.
func NotifyBucketEvents(scope constructs.IConstruct) {
	awscdk.Aspects_Of(scope).Add(&bucketEvents{}, &awscdk.AspectOptions{Priority: awscdk.AspectPriority_MUTATING()})
}

// bucketEvents is a pointer with a field: jsii passes a Go aspect to CDK by reference.
type bucketEvents struct{ _ int }

func (*bucketEvents) Visit(node constructs.IConstruct) {
	if bucket, ok := node.(awss3.CfnBucket); ok && bucket.NotificationConfiguration() == nil {
		bucket.SetNotificationConfiguration(&awss3.CfnBucket_NotificationConfigurationProperty{
			EventBridgeConfiguration: &awss3.CfnBucket_EventBridgeConfigurationProperty{EventBridgeEnabled: jsii.Bool(true)},
		})
	}
}

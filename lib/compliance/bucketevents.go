package compliance

import (
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// NotifyBucketEvents has every S3 bucket under scope as it is now that sends no event
// notifications send its events to EventBridge (the account-region's default bus), which Control
// Tower's CT.S3.PR.4 asks for: S3's events on the default bus cost nothing, and a rule can take
// them up later. It sets the bucket's own property (L1), not CDK's notifications, which need a
// custom resource. Enforce does it with the rest.
func NotifyBucketEvents(scope constructs.IConstruct) {
	walk(scope, notifyBucketEvents)
}

func notifyBucketEvents(node constructs.IConstruct) {
	if bucket, ok := node.(awss3.CfnBucket); ok && bucket.NotificationConfiguration() == nil {
		bucket.SetNotificationConfiguration(&awss3.CfnBucket_NotificationConfigurationProperty{
			EventBridgeConfiguration: &awss3.CfnBucket_EventBridgeConfigurationProperty{EventBridgeEnabled: jsii.Bool(true)},
		})
	}
}

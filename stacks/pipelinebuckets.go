package stacks

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/aws-cdk-go/awscdk/v2/pipelines"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// keepArtifactsVersioned versions the artifact buckets CDK Pipelines makes (the pipeline's, and
// one per other region in the cross-region support stacks) and expires what is overwritten
// (Control Tower's CT.S3.PR.11 and CT.S3.PR.6). CDK makes them without either option, so their
// L1s are set.
func keepArtifactsVersioned(pipeline pipelines.CodePipeline) {
	codePipeline := pipeline.Pipeline()
	buckets := []awss3.IBucket{codePipeline.ArtifactBucket()}
	for _, support := range *codePipeline.CrossRegionSupport() {
		buckets = append(buckets, support.ReplicationBucket)
	}
	for _, bucket := range buckets {
		cfn, ok := bucket.Node().DefaultChild().(awss3.CfnBucket)
		if !ok {
			continue
		}
		cfn.SetVersioningConfiguration(&awss3.CfnBucket_VersioningConfigurationProperty{Status: jsii.String("Enabled")})
		cfn.SetLifecycleConfiguration(&awss3.CfnBucket_LifecycleConfigurationProperty{Rules: &[]any{
			&awss3.CfnBucket_RuleProperty{
				Id: jsii.String("expire-overwritten"), Status: jsii.String("Enabled"),
				NoncurrentVersionExpiration:    &awss3.CfnBucket_NoncurrentVersionExpirationProperty{NoncurrentDays: jsii.Number(30)},
				AbortIncompleteMultipartUpload: &awss3.CfnBucket_AbortIncompleteMultipartUploadProperty{DaysAfterInitiation: jsii.Number(7)},
			},
		}})
	}
}

// keepArtifactBucketsExceptOnCreate: a support stack's artifact bucket has a name CDK Pipelines
// derives (the pipeline names it across regions) and is kept when the stack goes; a bucket kept
// after its own create failed would fail every retry on that name, so it goes in that case.
func keepArtifactBucketsExceptOnCreate(support awscdk.Stack) {
	for _, c := range *support.Node().FindAll(constructs.ConstructOrder_PREORDER) {
		if bucket, ok := c.(awss3.CfnBucket); ok {
			bucket.ApplyRemovalPolicy(awscdk.RemovalPolicy_RETAIN_ON_UPDATE_OR_DELETE, nil)
		}
	}
}

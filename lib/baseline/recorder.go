package baseline

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2/awsconfig"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/example/platform/lib/compliance"
)

// ManagedRule is an AWS Config managed rule the baseline evaluates, and what of the platform it
// checks.
type ManagedRule struct {
	ID         string
	Identifier string
	Checks     string
	// Periodic rules are evaluated every 24 hours rather than on configuration changes.
	Periodic bool
}

// ManagedRules match what the platform deploys; docs/security.md lists them. Identifiers are
// awsconfig.ManagedRuleIdentifiers_* values, written out: a package variable may not call into
// jsii, which would start its runtime while packages initialize. Security Hub's
// standards check much of the same through rules of their own; these are the platform's own
// list, evaluated even when Security Hub is off.
func ManagedRules() []ManagedRule {
	return []ManagedRule{
		{"RdsStorageEncrypted", "RDS_STORAGE_ENCRYPTED", "Aurora instances' storage is encrypted", false},
		{"RdsClusterDeletionProtection", "RDS_CLUSTER_DELETION_PROTECTION_ENABLED", "Aurora clusters have deletion protection (protected environments)", false},
		{"RdsInstanceNotPublic", "RDS_INSTANCE_PUBLIC_ACCESS_CHECK", "no database instance is publicly accessible", false},
		{"DynamoDbPointInTimeRecovery", "DYNAMODB_PITR_ENABLED", "tables have point-in-time recovery", false},
		{"DynamoDbEncryptedWithKms", "DYNAMODB_TABLE_ENCRYPTED_KMS", "tables are encrypted with a KMS key", false},
		{"S3BucketPublicAccessBlocked", "S3_BUCKET_LEVEL_PUBLIC_ACCESS_PROHIBITED", "buckets block public access", false},
		{"S3BucketTlsOnly", "S3_BUCKET_SSL_REQUESTS_ONLY", "buckets refuse requests without TLS", false},
		{"CloudTrailEnabled", "CLOUD_TRAIL_ENABLED", "a trail records the account (this one, or the organization's)", true},
		{"LogGroupsEncrypted", "CLOUDWATCH_LOG_GROUP_ENCRYPTED", "log groups are encrypted with a KMS key", false},
		{"VpcFlowLogsEnabled", "VPC_FLOW_LOGS_ENABLED", "VPCs have flow logs", true},
		{"EcsReadOnlyRootFilesystem", "ECS_CONTAINERS_READONLY_ACCESS", "task definitions' containers have read-only root filesystems", false},
		{"SecretsRotated", "SECRETSMANAGER_ROTATION_ENABLED_CHECK", "secrets have rotation", false},
	}
}

// newRecorder records every supported resource type of the account-region (global ones only
// where asked), delivers the history and snapshots to an encrypted bucket, and evaluates
// ManagedRules. The recorder and the delivery channel are CloudFormation's only (L1) types:
// aws-cdk-lib has no L2 for them.
//
// The recorder assumes a role of its own rather than the AWSServiceRoleForConfig
// service-linked role: that role exists once per account (creating it in a second region, or
// in an account where Config or the console already did, fails), and a custom role needs no
// S3 bucket policy for Config. Its permissions are the AWS_ConfigRole managed policy (what
// Config reads to record resources, maintained by AWS as services are added) and, for delivery,
// what "Permissions for the IAM role assigned to AWS Config" lists, on this bucket and key only.
func (b *Baseline) newRecorder(c constructs.Construct, props Props) {
	account, _ := where(c)
	b.ConfigBucket = newAuditBucket(c, "ConfigBucket", b.Key, b.AccessLogs, "config/", props.RetentionDays, true)
	b.RecorderRole = awsiam.NewRole(c, jsii.String("RecorderRole"), &awsiam.RoleProps{
		Description: jsii.String("AWS Config's recorder: reads resource configurations, delivers them to the Config bucket"),
		AssumedBy: awsiam.NewServicePrincipal(jsii.String("config.amazonaws.com"), &awsiam.ServicePrincipalOpts{
			Conditions: &map[string]any{"StringEquals": map[string]any{"aws:SourceAccount": account}},
		}),
		ManagedPolicies: &[]awsiam.IManagedPolicy{awsiam.ManagedPolicy_FromAwsManagedPolicyName(jsii.String("service-role/AWS_ConfigRole"))},
	})
	b.RecorderRole.AddToPrincipalPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:        jsii.String("DeliverToTheConfigBucket"),
		Actions:    jsii.Strings("s3:PutObject", "s3:PutObjectAcl"),
		Resources:  jsii.Strings(*b.ConfigBucket.ArnForObjects(jsii.String(fmt.Sprintf("AWSLogs/%s/*", account)))),
		Conditions: &map[string]any{"StringLike": map[string]any{"s3:x-amz-acl": "bucket-owner-full-control"}},
	}))
	b.RecorderRole.AddToPrincipalPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid: jsii.String("CheckTheConfigBucket"), Actions: jsii.Strings("s3:GetBucketAcl"), Resources: jsii.Strings(*b.ConfigBucket.BucketArn()),
	}))
	b.RecorderRole.AddToPrincipalPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid: jsii.String("EncryptWhatItDelivers"), Actions: jsii.Strings("kms:GenerateDataKey", "kms:Decrypt"), Resources: jsii.Strings(*b.Key.KeyArn()),
	}))
	compliance.Accept(b.RecorderRole,
		compliance.Accepted{Rule: "AwsSolutions-IAM4", AppliesTo: []string{"Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWS_ConfigRole"},
			Reason: "AWS_ConfigRole is AWS's policy for a Config recorder's own role: the read-only Describe/List/Get calls that recording every supported resource type needs, kept current by AWS as types are added; no grant method can express it."},
		compliance.Accepted{Rule: "AwsSolutions-IAM5", AppliesTo: []string{`/^Resource::<.*ConfigBucket.*\.Arn>\/AWSLogs\/[0-9]{12}\/\*$/`},
			Reason: "Config names its objects by date and a random suffix under AWSLogs/<account>/, the prefix this statement is limited to (with the bucket-owner-full-control ACL)."},
	)

	// "Before you can create a delivery channel, you must create a configuration recorder"
	// (AWS::Config::DeliveryChannel); CloudFormation starts the recorder once the channel
	// exists, and Config then checks that its role may write to the bucket: both wait for the
	// role's policy and the bucket.
	b.Recorder = awsconfig.NewCfnConfigurationRecorder(c, jsii.String("Recorder"), &awsconfig.CfnConfigurationRecorderProps{
		RoleArn: b.RecorderRole.RoleArn(),
		RecordingGroup: &awsconfig.CfnConfigurationRecorder_RecordingGroupProperty{
			AllSupported:               jsii.Bool(true),
			IncludeGlobalResourceTypes: jsii.Bool(props.RecordGlobalResources),
		},
	})
	b.Recorder.Node().AddDependency(b.RecorderRole)
	b.DeliveryChannel = awsconfig.NewCfnDeliveryChannel(c, jsii.String("DeliveryChannel"), &awsconfig.CfnDeliveryChannelProps{
		S3BucketName: b.ConfigBucket.BucketName(),
		S3KmsKeyArn:  b.Key.KeyArn(),
		ConfigSnapshotDeliveryProperties: &awsconfig.CfnDeliveryChannel_ConfigSnapshotDeliveryPropertiesProperty{
			DeliveryFrequency: jsii.String("TwentyFour_Hours"),
		},
	})
	b.DeliveryChannel.Node().AddDependency(b.Recorder)
	b.DeliveryChannel.Node().AddDependency(b.RecorderRole, b.ConfigBucket)
}

// newRules evaluates ManagedRules. A rule evaluates only what a running recorder records: where
// the recorder is the baseline's, each rule waits for its delivery channel (CloudFormation
// starts the recorder with it); where it is the organization's, it runs already.
func (b *Baseline) newRules(c constructs.Construct) {
	for _, r := range ManagedRules() {
		props := &awsconfig.ManagedRuleProps{Identifier: jsii.String(r.Identifier), Description: jsii.String("The platform's check that " + r.Checks)}
		if r.Periodic {
			props.MaximumExecutionFrequency = awsconfig.MaximumExecutionFrequency_TWENTY_FOUR_HOURS
		}
		rule := awsconfig.NewManagedRule(c, jsii.String(r.ID), props)
		if b.DeliveryChannel != nil {
			rule.Node().AddDependency(b.DeliveryChannel)
		}
		b.Rules = append(b.Rules, rule)
	}
}

package baseline

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/example/platform/lib/buckets"
	"github.com/example/platform/lib/keys"
)

// newAuditKey is the key of what the baseline keeps: Config's files, the trail's log files and
// its log group. It is kept when the stack goes (what it encrypted stays readable), like the
// buckets. Its policy is the platform's (lib/keys: the account uses it through IAM, which is
// how Config's role and the auditor role get it; grants only for AWS resources; CloudWatch
// Logs of this region) and, with a trail, what CloudTrail needs ("Configure AWS KMS key
// policies for CloudTrail"): GenerateDataKey (the only call it and S3 make for it: "How AWS
// CloudTrail uses AWS KMS") and DescribeKey, for this account's trails in this region only.
func newAuditKey(c constructs.Construct, trail bool) awskms.Key {
	account, region := where(c)
	document := keys.Policy(awscdk.Stack_Of(c))
	if trail {
		trails := fmt.Sprintf("arn:aws:cloudtrail:%s:%s:trail/*", region, account)
		cloudTrail := []awsiam.IPrincipal{awsiam.NewServicePrincipal(jsii.String("cloudtrail.amazonaws.com"), nil)}
		document.AddStatements(
			awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
				Sid:        jsii.String("CloudTrailEncryptsThisAccountsTrailLogs"),
				Principals: &cloudTrail,
				// As "Configure AWS KMS key policies for CloudTrail" writes it (CloudTrail checks
				// the key when the trail is created).
				Actions:   jsii.Strings("kms:GenerateDataKey*"),
				Resources: jsii.Strings("*"),
				Conditions: &map[string]any{
					"StringLike": map[string]any{"kms:EncryptionContext:aws:cloudtrail:arn": fmt.Sprintf("arn:aws:cloudtrail:*:%s:trail/*", account)},
					"ArnLike":    map[string]any{"aws:SourceArn": trails},
				},
			}),
			awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
				Sid:        jsii.String("CloudTrailDescribesTheKey"),
				Principals: &cloudTrail,
				Actions:    jsii.Strings("kms:DescribeKey"),
				Resources:  jsii.Strings("*"),
				Conditions: &map[string]any{"ArnLike": map[string]any{"aws:SourceArn": trails}},
			}),
		)
	}
	return awskms.NewKey(c, jsii.String("Key"), &awskms.KeyProps{
		Description:       jsii.String("Encrypts the security baseline's audit files: Config history and snapshots, CloudTrail log files and logs"),
		EnableKeyRotation: jsii.Bool(true),
		Policy:            document,
		PendingWindow:     awscdk.Duration_Days(jsii.Number(30)),
		RemovalPolicy:     awscdk.RemovalPolicy_RETAIN_ON_UPDATE_OR_DELETE,
	})
}

// newAuditBucket is a bucket of audit files: private, TLS-only, encrypted with key, its access
// logged to logs under prefix, its objects gone after retentionDays, and kept when the stack
// goes (a bucket whose own create failed holds nothing and goes).
func newAuditBucket(c constructs.Construct, id string, key awskms.IKey, logs awss3.IBucket, prefix string, retentionDays float64, versioned bool) awss3.Bucket {
	rule := &awss3.LifecycleRule{Id: jsii.String("expire"), Expiration: awscdk.Duration_Days(jsii.Number(retentionDays))}
	if versioned {
		rule.NoncurrentVersionExpiration = awscdk.Duration_Days(jsii.Number(30))
		// Log files are written once and read rarely: Glacier Instant Retrieval after 90 days
		// (its minimum storage duration), when they are kept longer than that.
		if retentionDays > 180 {
			rule.Transitions = &[]*awss3.Transition{{
				StorageClass: awss3.StorageClass_GLACIER_INSTANT_RETRIEVAL(), TransitionAfter: awscdk.Duration_Days(jsii.Number(90)),
			}}
		}
	}
	return awss3.NewBucket(c, jsii.String(id), buckets.Private(&awss3.BucketProps{
		Encryption:             awss3.BucketEncryption_KMS,
		EncryptionKey:          key,
		Versioned:              jsii.Bool(versioned),
		ServerAccessLogsBucket: logs,
		ServerAccessLogsPrefix: jsii.String(prefix),
		LifecycleRules:         &[]*awss3.LifecycleRule{rule},
		RemovalPolicy:          awscdk.RemovalPolicy_RETAIN_ON_UPDATE_OR_DELETE,
	}))
}

package baseline

import (
	"strconv"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudtrail"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/example/platform/lib/compliance"
)

// TrailLogRetention is how long the trail's copy in CloudWatch Logs is kept, for queries; the
// bucket holds the record. A year: Control Tower's minimum for a log group (CT.CLOUDWATCH.PR.2).
const TrailLogRetention = awslogs.RetentionDays_ONE_YEAR

// newTrail creates the account's trail: every region's management events (read and write, the
// global services' too), object-level events of the data lake buckets, files validated (digest
// files) and encrypted with the audit key, delivered to a versioned, retained bucket and to an
// encrypted log group. The trail's name is CloudFormation's: a trail with a fixed name could not
// move to another home region, since its old copy would still hold the name.
func (b *Baseline) newTrail(c constructs.Construct, props TrailProps, retentionDays float64) {
	account, _ := where(c)
	b.TrailBucket = newAuditBucket(c, "TrailBucket", b.Key, b.AccessLogs, "trail/", retentionDays, true)
	// CDK's trail lets CloudTrail write under AWSLogs/<this account>/; a trail of another
	// account could still write there by choosing that prefix as its own (confused deputy).
	b.TrailBucket.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:        jsii.String("OnlyThisAccountsTrailsWrite"),
		Effect:     awsiam.Effect_DENY,
		Principals: &[]awsiam.IPrincipal{awsiam.NewServicePrincipal(jsii.String("cloudtrail.amazonaws.com"), nil)},
		Actions:    jsii.Strings("s3:PutObject"),
		Resources:  jsii.Strings(*b.TrailBucket.ArnForObjects(jsii.String("*"))),
		Conditions: &map[string]any{"StringNotEquals": map[string]any{"aws:SourceAccount": account}},
	}))
	logs := awslogs.NewLogGroup(c, jsii.String("TrailLogs"), &awslogs.LogGroupProps{
		Retention:     TrailLogRetention,
		EncryptionKey: b.Key,
		RemovalPolicy: awscdk.RemovalPolicy_DESTROY,
	})
	b.Trail = awscloudtrail.NewTrail(c, jsii.String("Trail"), &awscloudtrail.TrailProps{
		Bucket:                     b.TrailBucket,
		EncryptionKey:              b.Key,
		IsMultiRegionTrail:         jsii.Bool(true),
		IncludeGlobalServiceEvents: jsii.Bool(true),
		EnableFileValidation:       jsii.Bool(true),
		ManagementEvents:           awscloudtrail.ReadWriteType_ALL,
		SendToCloudWatchLogs:       jsii.Bool(true),
		CloudWatchLogGroup:         logs,
	})
	if len(props.DataEventBuckets) > 0 {
		var selectors []*awscloudtrail.S3EventSelector
		for i, name := range props.DataEventBuckets {
			bucket := awss3.Bucket_FromBucketName(c, jsii.String("DataEvents"+strconv.Itoa(i)), jsii.String(name))
			selectors = append(selectors, &awscloudtrail.S3EventSelector{Bucket: bucket})
		}
		b.Trail.AddS3EventSelector(&selectors, &awscloudtrail.AddEventSelectorOptions{
			ReadWriteType: awscloudtrail.ReadWriteType_ALL, IncludeManagementEvents: jsii.Bool(false),
		})
	}
	compliance.Accept(b.Trail, compliance.Accepted{Rule: "AwsSolutions-IAM5",
		AppliesTo: []string{`/^Resource::<.*TrailLogs.*\.Arn>:\*$/`},
		Reason:    "CloudTrail's role writes the log streams it creates in the trail's own log group (CDK's grant: CreateLogStream and PutLogEvents on that group's streams)."})
}

package events

import (
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskinesis"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskinesisfirehose"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/example/platform/lib/compliance"
	"github.com/example/platform/lib/props"
)

// DeliveryProps configures the delivery of a stream's events into a bucket. Stream, Bucket, Key,
// BufferSeconds and LogRetention are required (lib/config holds the defaults of the last two).
type DeliveryProps struct {
	// Stream is read by Firehose; its records are events (EventBridge's JSON envelope).
	Stream awskinesis.IStream
	// Bucket receives the events; Firehose may write only under Prefix and ErrorPrefix.
	Bucket awss3.IBucket
	// Key encrypts the objects Firehose writes and its error log.
	Key awskms.IKey
	// Prefix is where events land, partitioned by type and day. Default: "events/".
	Prefix string
	// ErrorPrefix is where records Firehose could not partition or deliver land, by error type
	// and day. Default: "events-errors/".
	ErrorPrefix string
	// BufferSeconds is how long Firehose buffers before it writes an object, 60 to 900.
	BufferSeconds float64
	// LogRetention is how long Firehose's error log is kept.
	LogRetention awslogs.RetentionDays
}

// Delivery is a Firehose delivery stream from a Kinesis stream into a bucket, and its role and
// error log.
type Delivery struct {
	constructs.Construct
	DeliveryStream awskinesisfirehose.DeliveryStream
	// Role is what Firehose reads the stream and writes the bucket as.
	Role awsiam.Role
	Logs awslogs.LogGroup
}

// BufferMiB is the size at which Firehose writes an object before the buffer time is up: the
// most it buffers (dynamic partitioning needs at least 64 MiB).
const BufferMiB = 128

// PartitionQuery is the JQ 1.6 query that partitions events by their detail-type. A record
// without one (not an EventBridge event) goes to the error prefix.
const PartitionQuery = `.["detail-type"]`

// check fails with every problem of p, the way a construct fails: a panic naming its path.
func (p DeliveryProps) check(scope constructs.Construct, id string) {
	c := props.Check(scope, id, "events.NewDelivery")
	c.Require("Props.Stream", p.Stream != nil, "pass the region's event stream (events.New(...).Stream)")
	c.Require("Props.Bucket", p.Bucket != nil, "pass the region's lake bucket")
	c.Require("Props.Key", p.Key != nil, "pass the region's platform key, which encrypts the lake")
	for _, prefix := range []struct{ field, value string }{{"Props.Prefix", p.Prefix}, {"Props.ErrorPrefix", p.ErrorPrefix}} {
		if !strings.HasSuffix(prefix.value, "/") || strings.Contains(prefix.value, "!{") {
			c.Failf(prefix.field, "%q must be a plain folder ending in /: the construct adds the partitions", prefix.value)
		}
	}
	if strings.HasPrefix(p.Prefix, p.ErrorPrefix) || strings.HasPrefix(p.ErrorPrefix, p.Prefix) {
		c.Failf("Props.Prefix", "%q and ErrorPrefix %q must not contain each other: errors go to their own prefix", p.Prefix, p.ErrorPrefix)
	}
	c.Require("Props.BufferSeconds", p.BufferSeconds != 0, "give lib/config's events.deliveryBufferSeconds")
	c.Require("Props.LogRetention", p.LogRetention != "", "give the environment's log retention (lib/config's monitoring.logRetentionDays)")
	c.Done()
}

// NewDelivery creates the delivery stream. Records are partitioned by Firehose itself
// (dynamic partitioning with a JQ query: no function to write, deploy, patch and watch),
// newline-delimited, compressed with GZIP and written to
// <Prefix>type=<detail-type>/date=<yyyy-MM-dd>/ (the day Firehose received them, UTC), so that
// Athena or Glue can read the prefix as a partitioned table.
func NewDelivery(scope constructs.Construct, id string, props DeliveryProps) *Delivery {
	if props.Prefix == "" {
		props.Prefix = "events/"
	}
	if props.ErrorPrefix == "" {
		props.ErrorPrefix = "events-errors/"
	}
	props.check(scope, id)

	c := constructs.NewConstruct(scope, jsii.String(id))
	key := awskms.Key_FromKeyArn(c, jsii.String("Key"), props.Key.KeyArn())
	logs := awslogs.NewLogGroup(c, jsii.String("Logs"), &awslogs.LogGroupProps{
		Retention:     props.LogRetention,
		EncryptionKey: key,
		RemovalPolicy: awscdk.RemovalPolicy_RETAIN_ON_UPDATE_OR_DELETE,
	})

	// One role reads the stream (the delivery stream's) and writes the bucket (the
	// destination's). The S3 destination would grant it read and write on the whole bucket, so
	// it gets the role without the right to change its policy, and the grants below instead:
	// writes under the two prefixes, the key, the log group.
	role := awsiam.NewRole(c, jsii.String("Role"), &awsiam.RoleProps{
		AssumedBy:   awsiam.NewServicePrincipal(jsii.String("firehose.amazonaws.com"), nil),
		Description: jsii.String("Firehose: reads the event stream, writes events under its prefixes of the lake"),
	})
	for _, prefix := range []string{props.Prefix, props.ErrorPrefix} {
		props.Bucket.GrantPut(role, jsii.String(prefix+"*"))
	}
	// The rest of the S3 destination's documented policy ("Grant Firehose access to an Amazon
	// S3 destination", Firehose Developer Guide): the bucket's region, listing and the multipart
	// uploads it may abort, on the bucket; reading back what it wrote, under its prefixes only.
	role.AddToPrincipalPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions:   jsii.Strings("s3:GetBucketLocation", "s3:ListBucket", "s3:ListBucketMultipartUploads"),
		Resources: &[]*string{props.Bucket.BucketArn()},
	}))
	var written []*string
	for _, prefix := range []string{props.Prefix, props.ErrorPrefix} {
		written = append(written, props.Bucket.ArnForObjects(jsii.String(prefix+"*")))
	}
	role.AddToPrincipalPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions: jsii.Strings("s3:GetObject"), Resources: &written,
	}))
	logs.GrantWrite(role)

	day := "date=!{timestamp:yyyy-MM-dd}/"
	destination := awskinesisfirehose.NewS3Bucket(props.Bucket, &awskinesisfirehose.S3BucketProps{
		Role:                role.WithoutPolicyUpdates(nil),
		DataOutputPrefix:    jsii.String(props.Prefix + "type=!{partitionKeyFromQuery:type}/" + day),
		ErrorOutputPrefix:   jsii.String(props.ErrorPrefix + "!{firehose:error-output-type}/" + day),
		DynamicPartitioning: &awskinesisfirehose.DynamicPartitioningProps{Enabled: jsii.Bool(true)},
		Processors: &[]awskinesisfirehose.IDataProcessor{
			awskinesisfirehose.MetadataExtractionProcessor_Jq16(&map[string]*string{"type": jsii.String(PartitionQuery)}),
			// One event per line: Firehose concatenates records as they are otherwise.
			awskinesisfirehose.NewAppendDelimiterToRecordProcessor(),
		},
		BufferingInterval: awscdk.Duration_Seconds(jsii.Number(props.BufferSeconds)),
		BufferingSize:     awscdk.Size_Mebibytes(jsii.Number(BufferMiB)),
		Compression:       awskinesisfirehose.Compression_GZIP(),
		FileExtension:     jsii.String(".json.gz"),
		EncryptionKey:     key,
		LoggingConfig:     awskinesisfirehose.NewEnableLogging(logs),
	})
	deliveryStream := awskinesisfirehose.NewDeliveryStream(c, jsii.String("DeliveryStream"), &awskinesisfirehose.DeliveryStreamProps{
		Source:      awskinesisfirehose.NewKinesisStreamSource(props.Stream),
		Destination: destination,
		Role:        role,
	})
	// Firehose checks at create that it can read the stream and reach the destination: the
	// delivery stream waits for the role's policy, not only for the stream grant CDK adds.
	deliveryStream.Node().AddDependency(role)

	compliance.Accept(deliveryStream, compliance.Accepted{Rule: "AwsSolutions-KDF1",
		Reason: "Its source is a Kinesis stream encrypted with the region's key; Firehose offers no server-side encryption of its own for a Kinesis source, and the objects it writes are encrypted with the region's key."})
	compliance.Accept(role, compliance.Accepted{Rule: "AwsSolutions-IAM5",
		AppliesTo: []string{
			"Action::s3:Abort*", "Action::kms:GenerateDataKey*", "Action::kms:ReEncrypt*",
			`/^Resource::<.*Bucket.*\.Arn>\/events(-errors)?\/\*$/`, `/^Resource::.*Logs.*:\*$/`,
		},
		Reason: "The bucket's put grant on Firehose's two prefixes (objects under them, multipart uploads it aborts, the bucket's key as S3 needs it), and the log streams of its own log group."})
	return &Delivery{Construct: c, DeliveryStream: deliveryStream, Role: role, Logs: logs}
}

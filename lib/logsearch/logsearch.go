// Package logsearch builds a region's log search: an OpenSearch Serverless collection
// (time series) encrypted with the region's key, the policies it needs, and the Firehose
// delivery stream that indexes CloudWatch Logs subscription records into it, failures kept in a
// bucket under their own prefix. NewSubscription sends a log group to the delivery stream.
//
// Why OpenSearch Serverless and not a domain: nothing to size, patch, upgrade or spread over
// zones (a domain that cdk-nag accepts needs dedicated masters, zone awareness, a VPC and slow
// logs), and IAM-only access (no master user). The price is a floor: two OpenSearch Compute
// Units (indexing and search, each with a standby in another zone) from the first collection on,
// billed by the hour, per region and key.
//
// Why Firehose with a small transformation: CloudWatch Logs delivers gzip-compressed batches,
// and Firehose's own CloudWatch Logs decompression is documented for its S3 and Splunk
// destinations only ("Decompress CloudWatch Logs"; for OpenSearch destinations Firehose says to
// decompress with a Lambda function). The function (processor.py) turns a batch into a document;
// Firehose does the buffering, retries, indexing and error copies. OpenSearch Ingestion would
// need the logs in S3 first, an SQS queue and a pipeline with a floor of its own.
package logsearch

import (
	_ "embed"
	"fmt"
	"regexp"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskinesisfirehose"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogsdestinations"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsopensearchserverless"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/example/platform/lib/compliance"
	"github.com/example/platform/lib/limits"
	"github.com/example/platform/lib/props"
)

// Processor is the transformation's source (Python, inline: no asset to build or upload).
//
//go:embed processor.py
var Processor string

// Props configures a region's log search. Everything but ErrorPrefix is required.
type Props struct {
	// Name names the collection and its encryption, network, data access and lifecycle
	// policies: 3-28 lowercase letters, digits and hyphens, starting with a letter. Collection
	// names are unique in the account and region, and so are each kind of policy's.
	Name string
	// Key encrypts the collection, the records Firehose holds, the failed documents and the
	// logs. Its policy must let the account use it through IAM and create grants for AWS
	// resources (keys.Policy does): OpenSearch Serverless and Firehose hold it by grants.
	Key awskms.IKey
	// Readers are the IAM role ARNs, of the collection's account, that may search the logs
	// (read documents and describe indexes); they need aoss:APIAccessAll or
	// aoss:DashboardsAccessAll in their own IAM policies too.
	Readers []string
	// RetentionDays is how long the collection keeps documents (and the bucket the failed ones):
	// 1 to 3653; OpenSearch Serverless keeps at most 3650 days, which longer periods become.
	RetentionDays float64
	// Bucket receives what could not be indexed, under ErrorPrefix; Firehose may write only there.
	// Its objects there expire after RetentionDays.
	Bucket awss3.Bucket
	// ErrorPrefix is where failed documents and records land. Default: "logs-errors/".
	ErrorPrefix string
	// LogRetention is how long Firehose's and the processor's own logs are kept.
	LogRetention awslogs.RetentionDays
}

// LogSearch is a region's collection and the delivery stream that fills it.
type LogSearch struct {
	constructs.Construct
	Collection awsopensearchserverless.CfnCollection
	// DeliveryStream receives CloudWatch Logs subscription records (NewSubscription).
	DeliveryStream awskinesisfirehose.CfnDeliveryStream
	// Role is what Firehose writes the collection and the bucket as.
	Role awsiam.Role
	// Processor turns CloudWatch Logs batches into documents.
	Processor awslambda.Function
	// Logs are Firehose's delivery errors.
	Logs awslogs.LogGroup
}

// IndexName is the index Firehose writes the documents to.
const IndexName = "logs"

// MaxRetentionDays is the longest MinIndexRetention OpenSearch Serverless accepts (24h to 3650d).
const MaxRetentionDays = limits.OpenSearchServerlessMaxRetentionDays

// WritePermissions are what the data access policy lets Firehose do, on the collection's
// indexes only: create the index and write documents ("Grant Firehose access to an OpenSearch
// Serverless destination").
func WritePermissions() []string {
	return []string{"aoss:CreateIndex", "aoss:UpdateIndex", "aoss:DescribeIndex", "aoss:WriteDocument"}
}

// ReadPermissions are what the data access policy lets Readers do: list the collection's
// indexes, describe them and read documents.
func ReadPermissions() []string { return []string{"aoss:DescribeIndex", "aoss:ReadDocument"} }

var (
	namePattern   = regexp.MustCompile(`^[a-z][a-z0-9-]{2,27}$`)
	readerPattern = regexp.MustCompile(`^arn:aws:iam::\d{12}:role/[\w+=,.@/-]{1,512}$`)
)

func (p Props) check(scope constructs.Construct, id string) {
	c := props.Check(scope, id, "logsearch.New")
	if c.Require("Props.Name", p.Name != "", "name the collection, such as acme-prod") && !namePattern.MatchString(p.Name) {
		c.Failf("Props.Name", "%q is not a collection name; give 3-28 lowercase letters, digits and hyphens, starting with a letter", p.Name)
	}
	c.Require("Props.Key", p.Key != nil, "give the region's KMS key, which encrypts the collection")
	c.Require("Props.Bucket", p.Bucket != nil, "give the bucket that keeps what could not be indexed (the region's lake)")
	if c.Require("Props.Readers", len(p.Readers) > 0, "name the IAM roles that may search the logs: without one, nobody can read them") {
		for i, r := range p.Readers {
			if !readerPattern.MatchString(r) {
				c.Failf(fmt.Sprintf("Props.Readers[%d]", i), "%q is not an IAM role ARN; give one such as arn:aws:iam::111111111111:role/OnCall", r)
			}
		}
	}
	if p.RetentionDays < 1 || p.RetentionDays > limits.LogsMaxRetentionDays {
		c.Failf("Props.RetentionDays", "%v: give 1 to %d days, as the log groups keep their events", p.RetentionDays, limits.LogsMaxRetentionDays)
	}
	c.Require("Props.LogRetention", p.LogRetention != "", "give the environment's log retention (lib/config's monitoring.logRetentionDays)")
	if p.ErrorPrefix != "" && (!strings.HasSuffix(p.ErrorPrefix, "/") || strings.Contains(p.ErrorPrefix, "!{")) {
		c.Failf("Props.ErrorPrefix", "%q must be a plain folder ending in /", p.ErrorPrefix)
	}
	c.Done()
}

// New creates the collection and its delivery stream. OpenSearch Serverless has no L2
// constructs, and Firehose's L2 offers no OpenSearch destination, so those are the
// CloudFormation resources.
//
// Create order: a collection is refused unless an encryption policy names it ("Encryption
// at rest is required"), so it waits for that policy, and for the network policy; Firehose
// checks its destination when it is created, so the delivery stream waits for the collection,
// the data access policy and the role's policy. Everything here goes with its stack: the
// record is the log group, which keeps the same events as long (monitoring.logRetentionDays),
// and a collection bills by the hour while it exists. Names are fixed, so none may be kept:
// a kept one would meet its older self on the next create.
func New(scope constructs.Construct, id string, p Props) *LogSearch {
	if p.ErrorPrefix == "" {
		p.ErrorPrefix = "logs-errors/"
	}
	p.check(scope, id)
	c := constructs.NewConstruct(scope, jsii.String(id))
	// The key by its ARN, as the event tier holds it: a grant through the keys stack's construct
	// would write into that stack's key policy.
	key := awskms.Key_FromKeyArn(c, jsii.String("Key"), p.Key.KeyArn())
	l := &LogSearch{Construct: c}
	l.Collection = newCollection(c, key, p)
	l.Processor = newProcessor(c, key, p.LogRetention)
	l.Logs = awslogs.NewLogGroup(c, jsii.String("Logs"), &awslogs.LogGroupProps{
		Retention: p.LogRetention, EncryptionKey: key, RemovalPolicy: awscdk.RemovalPolicy_RETAIN_ON_UPDATE_OR_DELETE,
	})
	errors := awslogs.NewLogStream(c, jsii.String("DeliveryErrors"), &awslogs.LogStreamProps{
		LogGroup: l.Logs, RemovalPolicy: awscdk.RemovalPolicy_RETAIN_ON_UPDATE_OR_DELETE,
	})
	l.Role = l.newRole(p)
	access := newAccessPolicy(c, p, l.Role)
	l.DeliveryStream = l.newDeliveryStream(key, p, errors, access)
	// Failed documents are logs too: they go when the logs would.
	p.Bucket.AddLifecycleRule(&awss3.LifecycleRule{
		Id: jsii.String("log-search-errors"), Prefix: jsii.String(p.ErrorPrefix),
		Expiration: awscdk.Duration_Days(jsii.Number(p.RetentionDays)),
	})

	compliance.Accept(l.Role, compliance.Accepted{Rule: "AwsSolutions-IAM5",
		AppliesTo: []string{
			"Action::s3:Abort*", "Action::kms:GenerateDataKey*", "Action::kms:ReEncrypt*",
			"/^Resource::<.*Bucket.*\\.Arn>\\/" + regexp.QuoteMeta(strings.TrimSuffix(p.ErrorPrefix, "/")) + "\\/\\*$/",
			`/^Resource::.*Logs.*:\*$/`, `/^Resource::<.*Processor.*\.Arn>:\*$/`,
		},
		Reason: "The bucket's put grant on Firehose's error prefix (objects under it, multipart uploads it aborts, the bucket's key as S3 needs it), the log streams of its own log group, and the versions of its own processing function."})
	return l
}

// newProcessor is the function that turns CloudWatch Logs batches into documents, with a role
// that may write its own log group and nothing else.
func newProcessor(scope constructs.Construct, key awskms.IKey, retention awslogs.RetentionDays) awslambda.Function {
	logs := awslogs.NewLogGroup(scope, jsii.String("ProcessorLogs"), &awslogs.LogGroupProps{
		Retention: retention, EncryptionKey: key, RemovalPolicy: awscdk.RemovalPolicy_RETAIN_ON_UPDATE_OR_DELETE,
	})
	role := awsiam.NewRole(scope, jsii.String("ProcessorRole"), &awsiam.RoleProps{
		AssumedBy:   awsiam.NewServicePrincipal(jsii.String("lambda.amazonaws.com"), nil),
		Description: jsii.String("Turns CloudWatch Logs batches into log search documents; writes its own logs"),
	})
	logs.GrantWrite(role)
	fn := awslambda.NewFunction(scope, jsii.String("Processor"), &awslambda.FunctionProps{
		Runtime:     awslambda.Runtime_PYTHON_3_14(),
		Handler:     jsii.String("index.handler"),
		Code:        awslambda.Code_FromInline(jsii.String(Processor)),
		Description: jsii.String("Firehose transformation: a CloudWatch Logs batch becomes one log search document"),
		// Firehose waits for a transformation for at most 5 minutes and advises at least one.
		Timeout:    awscdk.Duration_Minutes(jsii.Number(1)),
		MemorySize: jsii.Number(256),
		Role:       role,
		LogGroup:   logs,
	})
	fn.Node().AddDependency(role)
	compliance.Accept(role, compliance.Accepted{Rule: "AwsSolutions-IAM5",
		AppliesTo: []string{`/^Resource::.*ProcessorLogs.*:\*$/`},
		Reason:    "The log streams of the function's own log group, which Lambda names as it starts instances."})
	return fn
}

// SubscriptionProps sends a log group to a log search delivery stream. Both are required.
type SubscriptionProps struct {
	// LogGroup is subscribed; a log group takes at most two subscription filters.
	LogGroup awslogs.ILogGroup
	// DeliveryStreamArn is the delivery stream's (LogSearch.DeliveryStream.AttrArn()), in the
	// log group's region: CloudWatch Logs delivers to Firehose in its own region.
	DeliveryStreamArn *string
}

// NewSubscription subscribes the log group to the delivery stream: every event, through a role
// CloudWatch Logs assumes that may put records on that stream only. CloudWatch Logs tests the
// destination when the filter is created, so the stream (another stack's) must be active first:
// the reference makes this stack deploy after it.
func NewSubscription(scope constructs.Construct, id string, p SubscriptionProps) awslogs.SubscriptionFilter {
	c := props.Check(scope, id, "logsearch.NewSubscription")
	c.Require("Props.LogGroup", p.LogGroup != nil, "give the log group whose events are searched (the service's)")
	c.Require("Props.DeliveryStreamArn", p.DeliveryStreamArn != nil, "give the region's log search delivery stream (LogSearch.DeliveryStream.AttrArn())")
	c.Done()
	scopeOf := constructs.NewConstruct(scope, jsii.String(id))
	stream := awskinesisfirehose.DeliveryStream_FromDeliveryStreamArn(scopeOf, jsii.String("DeliveryStream"), p.DeliveryStreamArn)
	return awslogs.NewSubscriptionFilter(scopeOf, jsii.String("Filter"), &awslogs.SubscriptionFilterProps{
		LogGroup:      p.LogGroup,
		Destination:   awslogsdestinations.NewFirehoseDestination(stream, nil),
		FilterPattern: awslogs.FilterPattern_AllEvents(),
	})
}

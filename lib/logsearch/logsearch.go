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
	"github.com/example/platform/lib/props"
)

// Processor is the transformation's source (Python, inline: no asset to build or upload).
//
//go:embed processor.py
var Processor string

// Props configures a region's log search. Name, Key, Readers, RetentionDays and Bucket are
// required.
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
	// LogRetention is how long Firehose's and the processor's own logs are kept. Default: three
	// months.
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
const MaxRetentionDays = 3650

// WritePermissions are what the data access policy lets Firehose do, on the collection's
// indexes only: create the index and write documents ("Grant Firehose access to an OpenSearch
// Serverless destination").
var WritePermissions = []string{"aoss:CreateIndex", "aoss:UpdateIndex", "aoss:DescribeIndex", "aoss:WriteDocument"}

// ReadPermissions are what the data access policy lets Readers do: list the collection's
// indexes, describe them and read documents.
var ReadPermissions = []string{"aoss:DescribeIndex", "aoss:ReadDocument"}

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
	if p.RetentionDays < 1 || p.RetentionDays > 3653 {
		c.Failf("Props.RetentionDays", "%v: give 1 to 3653 days, as the log groups keep their events", p.RetentionDays)
	}
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
	p.check(scope, id)
	if p.ErrorPrefix == "" {
		p.ErrorPrefix = "logs-errors/"
	}
	if p.LogRetention == "" {
		p.LogRetention = awslogs.RetentionDays_THREE_MONTHS
	}
	c := constructs.NewConstruct(scope, jsii.String(id))
	stack := awscdk.Stack_Of(c)
	// The key by its ARN, as the event tier holds it: a grant through the keys stack's construct
	// would write into that stack's key policy.
	key := awskms.Key_FromKeyArn(c, jsii.String("Key"), p.Key.KeyArn())
	collection := "collection/" + p.Name
	gone := awscdk.RemovalPolicy_DESTROY

	encryption := awsopensearchserverless.NewCfnSecurityPolicy(c, jsii.String("EncryptionPolicy"), &awsopensearchserverless.CfnSecurityPolicyProps{
		Name: jsii.String(p.Name), Type: jsii.String("encryption"),
		Description: jsii.String("The collection is encrypted with the region's platform key"),
		Policy: stack.ToJsonString(map[string]any{
			"Rules":       []any{map[string]any{"ResourceType": "collection", "Resource": []string{collection}}},
			"AWSOwnedKey": false, "KmsARN": key.KeyArn(),
		}, nil),
	})
	// Requests reach the endpoints over TLS (OpenSearch Serverless serves nothing else) and from
	// any network, so that Firehose and people's browsers can; every request is signed and
	// answered only as the data access policy allows: Firehose writes, Readers read, nobody
	// else does either.
	network := awsopensearchserverless.NewCfnSecurityPolicy(c, jsii.String("NetworkPolicy"), &awsopensearchserverless.CfnSecurityPolicyProps{
		Name: jsii.String(p.Name), Type: jsii.String("network"),
		Description: jsii.String("The collection's API and Dashboards endpoints, to signed requests the data access policy allows"),
		Policy: stack.ToJsonString([]any{map[string]any{
			"Rules": []any{
				map[string]any{"ResourceType": "collection", "Resource": []string{collection}},
				map[string]any{"ResourceType": "dashboard", "Resource": []string{collection}},
			},
			"AllowFromPublic": true,
		}}, nil),
	})
	retention := min(p.RetentionDays, MaxRetentionDays)
	lifecycle := awsopensearchserverless.NewCfnLifecyclePolicy(c, jsii.String("Retention"), &awsopensearchserverless.CfnLifecyclePolicyProps{
		Name: jsii.String(p.Name), Type: jsii.String("retention"),
		Description: jsii.String("Documents are kept as long as the log groups keep their events"),
		Policy: stack.ToJsonString(map[string]any{"Rules": []any{map[string]any{
			"ResourceType": "index", "Resource": []string{fmt.Sprintf("index/%s/*", p.Name)},
			"MinIndexRetention": fmt.Sprintf("%dd", int(retention)),
		}}}, nil),
	})
	search := awsopensearchserverless.NewCfnCollection(c, jsii.String("Collection"), &awsopensearchserverless.CfnCollectionProps{
		Name: jsii.String(p.Name), Type: jsii.String("TIMESERIES"),
		Description: jsii.String("Logs, for search"),
		// A standby of each compute unit in another zone: a zone's failure does not take search
		// away. (AWS Config's opensearchserverless-collection-standbyreplicas-enabled asks for it.)
		StandbyReplicas: jsii.String("ENABLED"),
	})
	// "You must create a matching encryption policy in order for a collection to be created
	// successfully ... use the DependsOn attribute" (AWS::OpenSearchServerless::Collection).
	search.AddResourceDependency(encryption, jsii.String("a collection is refused unless an encryption policy names it"))
	search.AddResourceDependency(network, jsii.String("the collection's endpoints are reachable from its first minute"))
	for _, r := range []awscdk.CfnResource{encryption, network, lifecycle, search} {
		r.ApplyRemovalPolicy(gone, nil)
	}

	processor := newProcessor(c, key, p.LogRetention)
	logs := awslogs.NewLogGroup(c, jsii.String("Logs"), &awslogs.LogGroupProps{
		Retention: p.LogRetention, EncryptionKey: key, RemovalPolicy: awscdk.RemovalPolicy_RETAIN_ON_UPDATE_OR_DELETE,
	})
	stream := awslogs.NewLogStream(c, jsii.String("DeliveryErrors"), &awslogs.LogStreamProps{
		LogGroup: logs, RemovalPolicy: awscdk.RemovalPolicy_RETAIN_ON_UPDATE_OR_DELETE,
	})

	role := awsiam.NewRole(c, jsii.String("Role"), &awsiam.RoleProps{
		AssumedBy: awsiam.NewServicePrincipal(jsii.String("firehose.amazonaws.com"), &awsiam.ServicePrincipalOpts{
			Conditions: &map[string]any{"StringEquals": map[string]any{"aws:SourceAccount": stack.Account()}},
		}),
		Description: jsii.String("Firehose: indexes logs into the log search collection, keeps failures under " + p.ErrorPrefix + " of the lake"),
	})
	// What Firehose needs for an OpenSearch Serverless destination ("Grant Firehose access to an
	// OpenSearch Serverless destination"): the collection's API, which the data access policy
	// then narrows to writing its indexes.
	role.AddToPrincipalPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions: jsii.Strings("aoss:APIAccessAll"), Resources: &[]*string{search.AttrArn()},
	}))
	p.Bucket.GrantPut(role, jsii.String(p.ErrorPrefix+"*"))
	// The rest of the S3 backup's documented policy ("Grant Firehose access to an Amazon S3
	// destination"), as the event delivery has it: the bucket's region, listing and the multipart
	// uploads it may abort, on the bucket; reading back what it wrote, under its prefix only.
	role.AddToPrincipalPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions:   jsii.Strings("s3:GetBucketLocation", "s3:ListBucket", "s3:ListBucketMultipartUploads"),
		Resources: &[]*string{p.Bucket.BucketArn()},
	}))
	role.AddToPrincipalPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions: jsii.Strings("s3:GetObject"), Resources: &[]*string{p.Bucket.ArnForObjects(jsii.String(p.ErrorPrefix + "*"))},
	}))
	// Firehose reads the function's configuration and invokes it ("Grant Firehose access to a
	// public OpenSearch Serverless destination": lambda:InvokeFunction and
	// lambda:GetFunctionConfiguration on the function).
	processor.GrantInvoke(role)
	role.AddToPrincipalPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions: jsii.Strings("lambda:GetFunctionConfiguration"), Resources: &[]*string{processor.FunctionArn()},
	}))
	logs.GrantWrite(role)

	principal := func(arns ...*string) []any {
		out := make([]any, len(arns))
		for i, a := range arns {
			out[i] = a
		}
		return out
	}
	readers := make([]*string, len(p.Readers))
	for i, r := range p.Readers {
		readers[i] = jsii.String(r)
	}
	access := awsopensearchserverless.NewCfnAccessPolicy(c, jsii.String("DataAccessPolicy"), &awsopensearchserverless.CfnAccessPolicyProps{
		Name: jsii.String(p.Name), Type: jsii.String("data"),
		Description: jsii.String("Firehose writes the log indexes; the readers search them"),
		Policy: stack.ToJsonString([]any{
			map[string]any{
				"Description": "Firehose indexes the logs",
				"Rules": []any{map[string]any{
					"ResourceType": "index", "Resource": []string{fmt.Sprintf("index/%s/*", p.Name)}, "Permission": WritePermissions,
				}},
				"Principal": principal(role.RoleArn()),
			},
			map[string]any{
				"Description": "The readers search the logs",
				"Rules": []any{
					map[string]any{"ResourceType": "collection", "Resource": []string{collection}, "Permission": []string{"aoss:DescribeCollectionItems"}},
					map[string]any{"ResourceType": "index", "Resource": []string{fmt.Sprintf("index/%s/*", p.Name)}, "Permission": ReadPermissions},
				},
				"Principal": principal(readers...),
			},
		}, nil),
	})
	access.ApplyRemovalPolicy(gone, nil)

	// Firehose's L2 has no OpenSearch destination: the CloudFormation resource. Records arrive
	// from CloudWatch Logs (DirectPut) and are encrypted at rest with the region's key.
	delivery := awskinesisfirehose.NewCfnDeliveryStream(c, jsii.String("DeliveryStream"), &awskinesisfirehose.CfnDeliveryStreamProps{
		DeliveryStreamType: jsii.String("DirectPut"),
		DeliveryStreamEncryptionConfigurationInput: &awskinesisfirehose.CfnDeliveryStream_DeliveryStreamEncryptionConfigurationInputProperty{
			KeyType: jsii.String("CUSTOMER_MANAGED_CMK"), KeyArn: key.KeyArn(),
		},
		AmazonOpenSearchServerlessDestinationConfiguration: &awskinesisfirehose.CfnDeliveryStream_AmazonOpenSearchServerlessDestinationConfigurationProperty{
			CollectionEndpoint: search.AttrCollectionEndpoint(),
			IndexName:          jsii.String(IndexName),
			RoleArn:            role.RoleArn(),
			BufferingHints: &awskinesisfirehose.CfnDeliveryStream_AmazonOpenSearchServerlessBufferingHintsProperty{
				IntervalInSeconds: jsii.Number(60), SizeInMBs: jsii.Number(5),
			},
			RetryOptions: &awskinesisfirehose.CfnDeliveryStream_AmazonOpenSearchServerlessRetryOptionsProperty{DurationInSeconds: jsii.Number(300)},
			S3BackupMode: jsii.String("FailedDocumentsOnly"),
			S3Configuration: &awskinesisfirehose.CfnDeliveryStream_S3DestinationConfigurationProperty{
				BucketArn: p.Bucket.BucketArn(), RoleArn: role.RoleArn(),
				Prefix:            jsii.String(p.ErrorPrefix),
				CompressionFormat: jsii.String("GZIP"),
				EncryptionConfiguration: &awskinesisfirehose.CfnDeliveryStream_EncryptionConfigurationProperty{
					KmsEncryptionConfig: &awskinesisfirehose.CfnDeliveryStream_KMSEncryptionConfigProperty{AwskmsKeyArn: key.KeyArn()},
				},
			},
			ProcessingConfiguration: &awskinesisfirehose.CfnDeliveryStream_ProcessingConfigurationProperty{
				Enabled: jsii.Bool(true),
				Processors: &[]any{&awskinesisfirehose.CfnDeliveryStream_ProcessorProperty{
					Type: jsii.String("Lambda"),
					Parameters: &[]any{
						&awskinesisfirehose.CfnDeliveryStream_ProcessorParameterProperty{ParameterName: jsii.String("LambdaArn"), ParameterValue: processor.FunctionArn()},
						// The smallest batch Firehose hands the function (0.2 to 3 MB): a batch
						// grows several times when decompressed, and a Lambda response holds 6 MB.
						&awskinesisfirehose.CfnDeliveryStream_ProcessorParameterProperty{ParameterName: jsii.String("BufferSizeInMBs"), ParameterValue: jsii.String("0.2")},
						&awskinesisfirehose.CfnDeliveryStream_ProcessorParameterProperty{ParameterName: jsii.String("BufferIntervalInSeconds"), ParameterValue: jsii.String("60")},
					},
				}},
			},
			CloudWatchLoggingOptions: &awskinesisfirehose.CfnDeliveryStream_CloudWatchLoggingOptionsProperty{
				Enabled: jsii.Bool(true), LogGroupName: logs.LogGroupName(), LogStreamName: stream.LogStreamName(),
			},
		},
	})
	delivery.Node().AddDependency(role, search, access)
	delivery.ApplyRemovalPolicy(gone, nil)

	// Failed documents are logs too: they go when the logs would.
	p.Bucket.AddLifecycleRule(&awss3.LifecycleRule{
		Id: jsii.String("log-search-errors"), Prefix: jsii.String(p.ErrorPrefix),
		Expiration: awscdk.Duration_Days(jsii.Number(p.RetentionDays)),
	})

	compliance.Accept(role, compliance.Accepted{Rule: "AwsSolutions-IAM5",
		AppliesTo: []string{
			"Action::s3:Abort*", "Action::kms:GenerateDataKey*", "Action::kms:ReEncrypt*",
			"/^Resource::<.*Bucket.*\\.Arn>\\/" + regexp.QuoteMeta(strings.TrimSuffix(p.ErrorPrefix, "/")) + "\\/\\*$/",
			`/^Resource::.*Logs.*:\*$/`, `/^Resource::<.*Processor.*\.Arn>:\*$/`,
		},
		Reason: "The bucket's put grant on Firehose's error prefix (objects under it, multipart uploads it aborts, the bucket's key as S3 needs it), the log streams of its own log group, and the versions of its own processing function."})
	return &LogSearch{Construct: c, Collection: search, DeliveryStream: delivery, Role: role, Processor: processor, Logs: logs}
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

package logsearch

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskinesisfirehose"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsopensearchserverless"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// newCollection creates the collection and the encryption, network and lifecycle policies it
// needs, all of which go with the stack.
func newCollection(c constructs.Construct, key awskms.IKey, p Props) awsopensearchserverless.CfnCollection {
	stack := awscdk.Stack_Of(c)
	collection := "collection/" + p.Name
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

	return search
}

// newRole is the role Firehose writes the collection, the bucket's error prefix and its own
// log group as, and invokes the processor with.
func (l *LogSearch) newRole(p Props) awsiam.Role {
	c, search, processor, logs := l.Construct, l.Collection, l.Processor, l.Logs
	stack := awscdk.Stack_Of(c)
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

	return role
}

// newAccessPolicy is the collection's data access policy: Firehose's role writes the log
// indexes, the readers search them.
func newAccessPolicy(c constructs.Construct, p Props, role awsiam.Role) awsopensearchserverless.CfnAccessPolicy {
	stack := awscdk.Stack_Of(c)
	collection := "collection/" + p.Name
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
					"ResourceType": "index", "Resource": []string{fmt.Sprintf("index/%s/*", p.Name)}, "Permission": WritePermissions(),
				}},
				"Principal": principal(role.RoleArn()),
			},
			map[string]any{
				"Description": "The readers search the logs",
				"Rules": []any{
					map[string]any{"ResourceType": "collection", "Resource": []string{collection}, "Permission": []string{"aoss:DescribeCollectionItems"}},
					map[string]any{"ResourceType": "index", "Resource": []string{fmt.Sprintf("index/%s/*", p.Name)}, "Permission": ReadPermissions()},
				},
				"Principal": principal(readers...),
			},
		}, nil),
	})
	access.ApplyRemovalPolicy(gone, nil)

	return access
}

// newDeliveryStream is the Firehose delivery stream that indexes the records into the collection
// through the processor, and keeps what it could not index in the bucket.
func (l *LogSearch) newDeliveryStream(key awskms.IKey, p Props, stream awslogs.LogStream, access awsopensearchserverless.CfnAccessPolicy) awskinesisfirehose.CfnDeliveryStream {
	c, search, role, processor, logs := l.Construct, l.Collection, l.Role, l.Processor, l.Logs
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

	return delivery
}

// gone is the removal policy of the collection, its policies and the delivery stream: each has a
// fixed name, and a kept one would meet its older self on the next create.
const gone = awscdk.RemovalPolicy_DESTROY

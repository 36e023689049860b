// Package datalake builds a region's data lake bucket: versioned, KMS-encrypted, private,
// TLS-only, access-logged, tiered to cheaper storage with age, and (in the primary region)
// replicated to the secondary regions' lake buckets.
package datalake

import (
	"fmt"
	"regexp"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/example/platform/lib/buckets"
	"github.com/example/platform/lib/compliance"
	"github.com/example/platform/lib/logbucket"
	"github.com/example/platform/lib/props"
)

// Destination is a secondary region's lake bucket, which objects replicate to.
type Destination struct {
	Region, BucketName string
	// KeyArn is the destination region's key; replicas are re-encrypted with it.
	KeyArn *string
}

// Props configures a lake. BucketName and Key are required.
type Props struct {
	// BucketName is fixed so that the primary's replication rules can name it.
	BucketName string
	Key        awskms.IKey
	// Destinations, set in the primary region, replicate every object to them. Each
	// destination bucket must exist before this one is deployed. Default: none.
	Destinations []Destination
}

// Lake is a region's data lake bucket and the bucket holding its access logs.
type Lake struct {
	constructs.Construct
	Bucket     awss3.Bucket
	AccessLogs awss3.Bucket
}

// bucketNamePattern is what S3 accepts as a bucket name (without the dots S3 discourages).
var bucketNamePattern = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{1,61}[a-z0-9]$`)

// check fails with every problem of p, the way a construct fails: a panic naming its path.
func (p Props) check(scope constructs.Construct, id string) {
	c := props.Check(scope, id, "datalake.New")
	checkBucketName(c, "Props.BucketName", p.BucketName)
	c.Require("Props.Key", p.Key != nil, "give the region's KMS key, which encrypts the objects")
	seen := map[string]bool{}
	for i, d := range p.Destinations {
		field := fmt.Sprintf("Props.Destinations[%d]", i)
		c.RegionOnce(field+".Region", d.Region, "give the destination's region code, such as eu-west-1", "destination region", seen)
		checkBucketName(c, field+".BucketName", d.BucketName)
		c.Require(field+".KeyArn", d.KeyArn != nil, "give the ARN of the destination region's key, which re-encrypts the replicas")
	}
	c.Done()
}

func checkBucketName(c *props.Checker, field, name string) {
	if c.Require(field, name != "", "name the bucket, such as acme-prod-111111111111-us-east-1-lake") && !bucketNamePattern.MatchString(name) {
		c.Failf(field, "%q is not a bucket name: 3 to 63 lowercase letters, digits and hyphens", name)
	}
}

// New creates the lake.
func New(scope constructs.Construct, id string, props Props) *Lake {
	props.check(scope, id)
	c := constructs.NewConstruct(scope, jsii.String(id))
	logs := logbucket.New(c, "AccessLogs", 365)

	var rules *[]*awss3.ReplicationRule
	if len(props.Destinations) > 0 {
		rules = &[]*awss3.ReplicationRule{}
	}
	for i, d := range props.Destinations {
		*rules = append(*rules, &awss3.ReplicationRule{
			Id:                      jsii.String("to-" + d.Region),
			Priority:                jsii.Number(float64(i)),
			Destination:             awss3.Bucket_FromBucketAttributes(c, jsii.String("Destination-"+d.Region), &awss3.BucketAttributes{BucketName: jsii.String(d.BucketName), Region: jsii.String(d.Region)}),
			KmsKey:                  awskms.Key_FromKeyArn(c, jsii.String("DestinationKey-"+d.Region), d.KeyArn),
			SseKmsEncryptedObjects:  jsii.Bool(true),
			DeleteMarkerReplication: jsii.Bool(true),
		})
	}
	bucket := awss3.NewBucket(c, jsii.String("Bucket"), buckets.Private(&awss3.BucketProps{
		BucketName:             jsii.String(props.BucketName),
		Versioned:              jsii.Bool(true),
		Encryption:             awss3.BucketEncryption_KMS,
		EncryptionKey:          props.Key,
		BucketKeyEnabled:       jsii.Bool(true),
		ServerAccessLogsBucket: logs,
		ServerAccessLogsPrefix: jsii.String(fmt.Sprintf("%s/", props.BucketName)),
		LifecycleRules: &[]*awss3.LifecycleRule{{
			Id: jsii.String("tiering"),
			Transitions: &[]*awss3.Transition{
				{StorageClass: awss3.StorageClass_INFREQUENT_ACCESS(), TransitionAfter: awscdk.Duration_Days(jsii.Number(30))},
				{StorageClass: awss3.StorageClass_GLACIER_INSTANT_RETRIEVAL(), TransitionAfter: awscdk.Duration_Days(jsii.Number(90))},
				{StorageClass: awss3.StorageClass_GLACIER(), TransitionAfter: awscdk.Duration_Days(jsii.Number(365))},
			},
			NoncurrentVersionExpiration:         awscdk.Duration_Days(jsii.Number(90)),
			AbortIncompleteMultipartUploadAfter: awscdk.Duration_Days(jsii.Number(7)),
		}},
		ReplicationRules: rules,
		// Kept when the stack goes; deleted when its own create fails, so a retry can reuse
		// the fixed name.
		RemovalPolicy: awscdk.RemovalPolicy_RETAIN_ON_UPDATE_OR_DELETE,
	}))
	if len(props.Destinations) > 0 {
		compliance.Accept(bucket, compliance.Accepted{Rule: "AwsSolutions-IAM5",
			AppliesTo: []string{`/^Resource::.*\/\*$/`, "Action::kms:GenerateDataKey*", "Action::kms:ReEncrypt*"},
			Reason:    "The replication role CDK derives reads every object version of this bucket and writes replicas into the destination buckets (object ARNs end in /*), re-encrypting them with the destination keys."})
	}
	return &Lake{Construct: c, Bucket: bucket, AccessLogs: logs}
}

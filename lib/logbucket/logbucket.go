// Package logbucket builds a bucket that receives access logs (S3 server access logs, ALB and
// CloudFront access logs): private, TLS-only, S3-managed encryption (the only kind those
// deliveries support), emptied of old logs by a lifecycle rule, and kept when its stack goes.
package logbucket

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/example/platform/lib/buckets"
	"github.com/example/platform/lib/compliance"
	"github.com/example/platform/lib/props"
)

// New creates the bucket, with ACLs disabled; logs expire after expirationDays.
func New(scope constructs.Construct, id string, expirationDays float64) awss3.Bucket {
	return newBucket(scope, id, "logbucket.New", expirationDays, awss3.ObjectOwnership_BUCKET_OWNER_ENFORCED)
}

// NewWithACLs creates the bucket with ACLs enabled, which CloudFront's standard logging needs:
// it grants its log delivery account write access through the bucket ACL.
func NewWithACLs(scope constructs.Construct, id string, expirationDays float64) awss3.Bucket {
	return newBucket(scope, id, "logbucket.NewWithACLs", expirationDays, awss3.ObjectOwnership_BUCKET_OWNER_PREFERRED)
}

func newBucket(scope constructs.Construct, id, constructor string, expirationDays float64, ownership awss3.ObjectOwnership) awss3.Bucket {
	c := props.Check(scope, id, constructor)
	if expirationDays < 1 || expirationDays != float64(int(expirationDays)) {
		c.Failf("expirationDays", "%v: give the whole number of days the logs are kept, at least 1", expirationDays)
	}
	c.Done()
	bucket := awss3.NewBucket(scope, jsii.String(id), buckets.Private(&awss3.BucketProps{
		Encryption:      awss3.BucketEncryption_S3_MANAGED,
		ObjectOwnership: ownership,
		LifecycleRules:  &[]*awss3.LifecycleRule{{Expiration: awscdk.Duration_Days(jsii.Number(expirationDays))}},
		RemovalPolicy:   awscdk.RemovalPolicy_RETAIN,
	}))
	compliance.Accept(bucket, compliance.Accepted{Rule: "AwsSolutions-S1",
		Reason: "This bucket is an access-log destination itself; logging its own access would log the log deliveries."})
	return bucket
}

// Package buckets holds what every bucket of the platform has, whatever it stores: no public
// access, TLS only, and objects owned by the bucket's account (no ACLs) unless the bucket's
// props choose an ownership of their own (CloudFront's standard logging writes through ACLs).
package buckets

import (
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/jsii-runtime-go"
)

// Private is props hardened: public access blocked, TLS enforced, and ObjectOwnership
// BUCKET_OWNER_ENFORCED unless props set one.
func Private(props *awss3.BucketProps) *awss3.BucketProps {
	hardened := *props
	hardened.BlockPublicAccess = awss3.BlockPublicAccess_BLOCK_ALL()
	hardened.EnforceSSL = jsii.Bool(true)
	if hardened.ObjectOwnership == "" {
		hardened.ObjectOwnership = awss3.ObjectOwnership_BUCKET_OWNER_ENFORCED
	}
	return &hardened
}

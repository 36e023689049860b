// Package certificate builds the platform's TLS certificates: issued by ACM and validated by
// DNS records that CloudFormation writes into the environment's hosted zone, so they renew by
// themselves for as long as the records stay.
package certificate

import (
	"github.com/aws/aws-cdk-go/awscdk/v2/awscertificatemanager"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsroute53"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	platformprops "github.com/example/platform/lib/props"
)

// Props configures a certificate. Names and Zone are required.
type Props struct {
	// Names the certificate covers: the first is its subject, the others alternative names.
	// All must be in Zone.
	Names []string
	// Zone is the public hosted zone in the deploying account (CloudFormation validates only
	// there) that the validation records go to.
	Zone awsroute53.IHostedZone
}

// New creates the certificate. It is created in scope's region: the edge's in us-east-1, where
// CloudFront takes certificates from, and each region's for its own load balancers.
func New(scope constructs.Construct, id string, props Props) awscertificatemanager.ICertificate {
	c := platformprops.Check(scope, id, "certificate.New")
	c.Require("Props.Names", len(props.Names) > 0, "list the names the certificate covers, its subject first")
	c.Require("Props.Zone", props.Zone != nil, "give the public hosted zone the validation records are written to")
	c.Done()
	var alternatives *[]*string
	if len(props.Names) > 1 {
		alternatives = jsii.Strings(props.Names[1:]...)
	}
	return awscertificatemanager.NewCertificate(scope, jsii.String(id), &awscertificatemanager.CertificateProps{
		DomainName:              jsii.String(props.Names[0]),
		SubjectAlternativeNames: alternatives,
		Validation:              awscertificatemanager.CertificateValidation_FromDns(props.Zone),
	})
}

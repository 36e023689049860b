package constructs_test

import (
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsroute53"
	"github.com/aws/jsii-runtime-go"

	"github.com/example/platform/lib/certificate"
	"github.com/example/platform/lib/props/propstest"
	"github.com/example/platform/test/constructkit"
)

func TestCertificate_CoversEveryNameAndIsValidatedInTheZone(t *testing.T) {
	stack := constructkit.Stack(t, "eu-west-1")
	zone := awsroute53.HostedZone_FromHostedZoneAttributes(stack, jsii.String("Zone"),
		&awsroute53.HostedZoneAttributes{HostedZoneId: jsii.String("Z0123456789EXAMPLE"), ZoneName: jsii.String("example.com")})
	certificate.New(stack, "Certificate", certificate.Props{Names: []string{"eu-west-1.origin.example.com", "origin.example.com", "api.example.com"}, Zone: zone})
	template := constructkit.TemplateOf(t, stack)
	constructkit.Assert(t, func() {
		template.HasResourceProperties(jsii.String("AWS::CertificateManager::Certificate"), map[string]any{
			"DomainName":              "eu-west-1.origin.example.com",
			"SubjectAlternativeNames": []any{"origin.example.com", "api.example.com"},
			"ValidationMethod":        "DNS",
			"DomainValidationOptions": assertions.Match_ArrayWith(&[]any{map[string]any{"DomainName": "origin.example.com", "HostedZoneId": "Z0123456789EXAMPLE"}}),
		})
	})
}

func TestCertificate_RefusesPropsWithoutNamesOrZone(t *testing.T) {
	stack := constructkit.Stack(t, "eu-west-1")
	propstest.Panics(t, func() { certificate.New(stack, "Certificate", certificate.Props{}) },
		"certificate.New(Test/Certificate): 2 problems", "Props.Names is required", "Props.Zone is required")
}

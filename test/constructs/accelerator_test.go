package constructs_test

import (
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	elbv2 "github.com/aws/aws-cdk-go/awscdk/v2/awselasticloadbalancingv2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsroute53"
	"github.com/aws/jsii-runtime-go"

	"github.com/example/platform/lib/accelerator"
	"github.com/example/platform/test/constructkit"
)

func acceleratorSynth(t *testing.T, withDomain bool) assertions.Template {
	t.Helper()
	stack := constructkit.Stack(t, "us-west-2")
	props := accelerator.Props{Name: "acme-prod", HealthCheckPath: "/health", HTTPS: withDomain,
		HealthCheckInterval: awscdk.Duration_Seconds(jsii.Number(30)), HealthCheckThreshold: 3}
	for region, dial := range map[string]float64{"us-east-1": 100, "eu-west-1": 40, "ap-southeast-2": 0} {
		props.Regions = append(props.Regions, accelerator.Region{Name: region, TrafficDialPercent: jsii.Number(dial),
			LoadBalancer: elbv2.ApplicationLoadBalancer_FromApplicationLoadBalancerAttributes(stack, jsii.String("Alb-"+region), &elbv2.ApplicationLoadBalancerAttributes{
				LoadBalancerArn: jsii.String("arn:aws:elasticloadbalancing:" + region + ":111111111111:loadbalancer/app/internal-api/1234567890abcdef"),
				SecurityGroupId: jsii.String("sg-12345678"),
			})})
	}
	if withDomain {
		props.Zone = awsroute53.HostedZone_FromHostedZoneAttributes(stack, jsii.String("Zone"),
			&awsroute53.HostedZoneAttributes{HostedZoneId: jsii.String("Z0123456789EXAMPLE"), ZoneName: jsii.String("example.com")})
		props.APIName = "api.example.com"
	}
	accelerator.New(stack, "Accelerator", props)
	return constructkit.TemplateOf(t, stack)
}

func TestAccelerator_HasAnEndpointGroupPerRegionWithItsDialAndClientAddresses(t *testing.T) {
	template := acceleratorSynth(t, false)
	constructkit.Assert(t, func() {
		template.HasResourceProperties(jsii.String("AWS::GlobalAccelerator::Accelerator"), map[string]any{"Name": "acme-prod"})
		template.HasResourceProperties(jsii.String("AWS::GlobalAccelerator::Listener"), map[string]any{
			"Protocol": "TCP", "PortRanges": []any{map[string]any{"FromPort": 80, "ToPort": 80}},
		})
		template.ResourceCountIs(jsii.String("AWS::GlobalAccelerator::EndpointGroup"), jsii.Number(3))
		for region, dial := range map[string]float64{"us-east-1": 100, "eu-west-1": 40, "ap-southeast-2": 0} {
			template.HasResourceProperties(jsii.String("AWS::GlobalAccelerator::EndpointGroup"), map[string]any{
				"EndpointGroupRegion": region, "TrafficDialPercentage": dial,
				"HealthCheckPath": "/health", "HealthCheckProtocol": "HTTP", "HealthCheckIntervalSeconds": 30, "ThresholdCount": 3,
				"EndpointConfigurations": []any{map[string]any{
					"EndpointId":                  "arn:aws:elasticloadbalancing:" + region + ":111111111111:loadbalancer/app/internal-api/1234567890abcdef",
					"ClientIPPreservationEnabled": true,
				}},
			})
		}
		template.ResourceCountIs(jsii.String("AWS::Route53::RecordSet"), jsii.Number(0))
	})
}

func TestAccelerator_WithADomainServesTheAPINameOnHTTPS(t *testing.T) {
	template := acceleratorSynth(t, true)
	constructkit.Assert(t, func() {
		template.HasResourceProperties(jsii.String("AWS::GlobalAccelerator::Listener"), map[string]any{
			"PortRanges": []any{map[string]any{"FromPort": 443, "ToPort": 443}},
		})
		template.HasResourceProperties(jsii.String("AWS::GlobalAccelerator::EndpointGroup"), map[string]any{"HealthCheckProtocol": "HTTPS", "HealthCheckPort": 443})
		template.HasResourceProperties(jsii.String("AWS::Route53::RecordSet"), map[string]any{
			"Name": "api.example.com.", "Type": "A",
			"AliasTarget": assertions.Match_ObjectLike(&map[string]any{"HostedZoneId": "Z2BJ6XQ5FK7U4H"}),
		})
	})
}

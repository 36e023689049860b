package network_test

import (
	"fmt"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/jsii-runtime-go"

	"github.com/example/platform/lib/network"
	"github.com/example/platform/test/testkit"
)

func TestMain(m *testing.M) { testkit.Main(m) }

var zones = []string{"eu-west-1a", "eu-west-1b", "eu-west-1c"}

func synth(t *testing.T, props network.Props) assertions.Template {
	t.Helper()
	app := testkit.NewApp(t)
	app.Node().SetContext(jsii.String("availability-zones:account=111111111111:region=eu-west-1"), zones)
	stack := awscdk.NewStack(app, jsii.String("Test"), &awscdk.StackProps{
		Env: &awscdk.Environment{Account: jsii.String("111111111111"), Region: jsii.String("eu-west-1")},
	})
	if props.Key == nil {
		props.Key = awskms.NewKey(stack, jsii.String("Key"), nil)
	}
	network.New(stack, "Network", props)
	var template assertions.Template
	testkit.Assert(t, func() { template = assertions.Template_FromStack(stack, nil) })
	return template
}

func TestNetwork_SpansThreeNamedZonesWithThreeSubnetTiers(t *testing.T) {
	template := synth(t, network.Props{CIDR: "10.0.0.0/16", AvailabilityZones: zones})
	testkit.Assert(t, func() {
		template.ResourceCountIs(jsii.String("AWS::EC2::Subnet"), jsii.Number(9))
		// Nothing gets a public IP by being launched in a public subnet.
		template.AllResourcesProperties(jsii.String("AWS::EC2::Subnet"), map[string]any{"MapPublicIpOnLaunch": false})
		// Private subnets take a quarter of the range per AZ.
		template.HasResourceProperties(jsii.String("AWS::EC2::Subnet"), map[string]any{"CidrBlock": "10.0.0.0/18"})
	})
	for _, zone := range zones {
		var inZone *map[string]*map[string]any
		testkit.Assert(t, func() {
			inZone = template.FindResources(jsii.String("AWS::EC2::Subnet"), map[string]any{
				"Properties": map[string]any{"AvailabilityZone": zone},
			})
		})
		if len(*inZone) != 3 {
			t.Errorf("%s has %d subnets, want public, private and isolated", zone, len(*inZone))
		}
	}
}

func TestNetwork_SmallestAllowedRangeFitsAllSubnets(t *testing.T) {
	template := synth(t, network.Props{CIDR: "10.0.0.0/20", AvailabilityZones: zones})
	testkit.Assert(t, func() {
		template.ResourceCountIs(jsii.String("AWS::EC2::Subnet"), jsii.Number(9))
		template.HasResourceProperties(jsii.String("AWS::EC2::Subnet"), map[string]any{"CidrBlock": "10.0.0.0/22"})
	})
}

func TestNetwork_NatGatewaysFollowProps(t *testing.T) {
	for _, c := range []struct{ nat, want int }{{1, 1}, {2, 2}, {0, 3}} {
		t.Run(fmt.Sprintf("nat=%d", c.nat), func(t *testing.T) {
			template := synth(t, network.Props{CIDR: "10.0.0.0/16", AvailabilityZones: zones, NatGateways: c.nat})
			testkit.Assert(t, func() {
				template.ResourceCountIs(jsii.String("AWS::EC2::NatGateway"), jsii.Number(c.want))
			})
		})
	}
}

func TestNetwork_HasGatewayAndInterfaceEndpointsForPlatformServices(t *testing.T) {
	template := synth(t, network.Props{CIDR: "10.0.0.0/16", AvailabilityZones: zones})
	testkit.Assert(t, func() {
		template.ResourceCountIs(jsii.String("AWS::EC2::VPCEndpoint"), jsii.Number(7))
		for _, service := range []string{"s3", "dynamodb"} {
			template.HasResourceProperties(jsii.String("AWS::EC2::VPCEndpoint"), map[string]any{
				"VpcEndpointType": "Gateway",
				"ServiceName":     assertions.Match_ObjectLike(&map[string]any{"Fn::Join": assertions.Match_ArrayWith(&[]any{assertions.Match_ArrayWith(&[]any{"." + service})})}),
			})
		}
		for _, service := range []string{"ecr.api", "ecr.dkr", "secretsmanager", "logs", "xray"} {
			template.HasResourceProperties(jsii.String("AWS::EC2::VPCEndpoint"), map[string]any{
				"VpcEndpointType": "Interface", "PrivateDnsEnabled": true,
				"ServiceName": "com.amazonaws.eu-west-1." + service,
			})
		}
	})
}

func TestNetwork_EndpointsAdmitOnlyHTTPSFromTheVPC(t *testing.T) {
	template := synth(t, network.Props{CIDR: "10.4.0.0/16", AvailabilityZones: zones})
	testkit.Assert(t, func() {
		template.HasResourceProperties(jsii.String("AWS::EC2::SecurityGroup"), map[string]any{
			"SecurityGroupIngress": []any{map[string]any{
				"CidrIp": "10.4.0.0/16", "FromPort": 443, "ToPort": 443, "IpProtocol": "tcp", "Description": "HTTPS from the VPC",
			}},
		})
	})
}

func TestNetwork_LogsAllTrafficAndRestrictsTheDefaultSecurityGroup(t *testing.T) {
	template := synth(t, network.Props{CIDR: "10.0.0.0/16", AvailabilityZones: zones})
	testkit.Assert(t, func() {
		template.HasResourceProperties(jsii.String("AWS::EC2::FlowLog"), map[string]any{
			"ResourceType": "VPC", "TrafficType": "ALL", "LogDestinationType": "cloud-watch-logs",
		})
		template.HasResourceProperties(jsii.String("AWS::Logs::LogGroup"), map[string]any{
			"RetentionInDays": 90, "KmsKeyId": map[string]any{"Fn::GetAtt": []any{assertions.Match_StringLikeRegexp(jsii.String("^Key")), "Arn"}},
		})
		template.ResourceCountIs(jsii.String("Custom::VpcRestrictDefaultSG"), jsii.Number(1))
	})
}

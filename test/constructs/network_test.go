package constructs_test

import (
	"fmt"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/jsii-runtime-go"

	"github.com/example/platform/lib/network"
	"github.com/example/platform/test/constructkit"
)

var zones = []string{"eu-west-1a", "eu-west-1b", "eu-west-1c"}

func networkSynth(t *testing.T, props network.Props) assertions.Template {
	t.Helper()
	app := constructkit.NewApp(t)
	app.Node().SetContext(jsii.String("availability-zones:account=111111111111:region=eu-west-1"), zones)
	stack := awscdk.NewStack(app, jsii.String("Test"), &awscdk.StackProps{
		Env: &awscdk.Environment{Account: jsii.String("111111111111"), Region: jsii.String("eu-west-1")},
	})
	if props.Key == nil {
		props.Key = awskms.NewKey(stack, jsii.String("Key"), nil)
	}
	if props.FlowLogRetention == "" {
		props.FlowLogRetention = awslogs.RetentionDays_THREE_MONTHS // required; lib/config's default
	}
	if props.NatGateways == 0 {
		props.NatGateways = len(props.AvailabilityZones) // required; lib/config's default
	}
	network.New(stack, "Network", props)
	var template assertions.Template
	constructkit.Assert(t, func() { template = assertions.Template_FromStack(stack, nil) })
	return template
}

func TestNetwork_SpansThreeNamedZonesWithThreeSubnetTiers(t *testing.T) {
	template := networkSynth(t, network.Props{CIDR: "10.0.0.0/16", AvailabilityZones: zones})
	constructkit.Assert(t, func() {
		template.ResourceCountIs(jsii.String("AWS::EC2::Subnet"), jsii.Number(9))
		// Nothing gets a public IP by being launched in a public subnet.
		template.AllResourcesProperties(jsii.String("AWS::EC2::Subnet"), map[string]any{"MapPublicIpOnLaunch": false})
		// Private subnets take a quarter of the range per AZ.
		template.HasResourceProperties(jsii.String("AWS::EC2::Subnet"), map[string]any{"CidrBlock": "10.0.0.0/18"})
	})
	for _, zone := range zones {
		var inZone *map[string]*map[string]any
		constructkit.Assert(t, func() {
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
	template := networkSynth(t, network.Props{CIDR: "10.0.0.0/20", AvailabilityZones: zones})
	constructkit.Assert(t, func() {
		template.ResourceCountIs(jsii.String("AWS::EC2::Subnet"), jsii.Number(9))
		template.HasResourceProperties(jsii.String("AWS::EC2::Subnet"), map[string]any{"CidrBlock": "10.0.0.0/22"})
	})
}

func TestNetwork_NatGatewaysFollowProps(t *testing.T) {
	for _, c := range []struct{ nat, want int }{{1, 1}, {2, 2}, {3, 3}} {
		t.Run(fmt.Sprintf("nat=%d", c.nat), func(t *testing.T) {
			template := networkSynth(t, network.Props{CIDR: "10.0.0.0/16", AvailabilityZones: zones, NatGateways: c.nat})
			constructkit.Assert(t, func() {
				template.ResourceCountIs(jsii.String("AWS::EC2::NatGateway"), jsii.Number(c.want))
			})
		})
	}
}

func TestNetwork_HasGatewayAndInterfaceEndpointsForPlatformServices(t *testing.T) {
	template := networkSynth(t, network.Props{CIDR: "10.0.0.0/16", AvailabilityZones: zones})
	constructkit.Assert(t, func() {
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
	template := networkSynth(t, network.Props{CIDR: "10.4.0.0/16", AvailabilityZones: zones})
	constructkit.Assert(t, func() {
		template.HasResourceProperties(jsii.String("AWS::EC2::SecurityGroup"), map[string]any{
			"SecurityGroupIngress": []any{map[string]any{
				"CidrIp": "10.4.0.0/16", "FromPort": 443, "ToPort": 443, "IpProtocol": "tcp", "Description": "HTTPS from the VPC",
			}},
		})
	})
}

func TestNetwork_LogsAllTrafficAndRestrictsTheDefaultSecurityGroup(t *testing.T) {
	template := networkSynth(t, network.Props{CIDR: "10.0.0.0/16", AvailabilityZones: zones})
	constructkit.Assert(t, func() {
		template.HasResourceProperties(jsii.String("AWS::EC2::FlowLog"), map[string]any{
			"ResourceType": "VPC", "TrafficType": "ALL", "LogDestinationType": "cloud-watch-logs",
		})
		template.HasResourceProperties(jsii.String("AWS::Logs::LogGroup"), map[string]any{
			"RetentionInDays": 90, "KmsKeyId": map[string]any{"Fn::GetAtt": []any{assertions.Match_StringLikeRegexp(jsii.String("^Key")), "Arn"}},
		})
		template.ResourceCountIs(jsii.String("Custom::VpcRestrictDefaultSG"), jsii.Number(1))
	})
}

// Other regions admit a region's tasks and reach its databases by the computed layout, so it
// must be exactly what the VPC construct allocates.
func TestNetwork_SubnetLayoutIsWhatTheVpcAllocates(t *testing.T) {
	for _, cidr := range []string{"10.0.0.0/16", "10.40.16.0/20", "172.20.0.0/18"} {
		t.Run(cidr, func(t *testing.T) {
			template := networkSynth(t, network.Props{CIDR: cidr, AvailabilityZones: zones})
			layout := network.SubnetLayout(cidr, len(zones))
			for group, cidrs := range map[string][]string{
				network.PrivateSubnets: layout.Private, network.PublicSubnets: layout.Public, network.IsolatedSubnets: layout.Isolated,
			} {
				if len(cidrs) != len(zones) {
					t.Fatalf("%s: %d subnets in the layout, want one per zone", group, len(cidrs))
				}
				for i, block := range cidrs {
					constructkit.Assert(t, func() {
						template.HasResourceProperties(jsii.String("AWS::EC2::Subnet"), map[string]any{
							"CidrBlock": block, "AvailabilityZone": zones[i],
							"Tags": assertions.Match_ArrayWith(&[]any{map[string]any{"Key": "aws-cdk:subnet-name", "Value": group}}),
						})
					})
				}
			}
		})
	}
}

// A peer region gets a peering connection (accepted in the same account without a role) and a
// route from every private and isolated subnet; public subnets hold nothing that writes across.
func TestNetwork_PeeringRequestsAConnectionAndRoutesPrivateAndIsolatedSubnetsToEachPeer(t *testing.T) {
	stack := constructkit.Stack(t, "eu-west-1")
	vpc := awsec2.NewVpc(stack, jsii.String("Vpc"), &awsec2.VpcProps{SubnetConfiguration: &[]*awsec2.SubnetConfiguration{
		{Name: jsii.String("public"), SubnetType: awsec2.SubnetType_PUBLIC},
		{Name: jsii.String("private"), SubnetType: awsec2.SubnetType_PRIVATE_WITH_EGRESS},
		{Name: jsii.String("isolated"), SubnetType: awsec2.SubnetType_PRIVATE_ISOLATED},
	}})
	peering := network.NewPeering(stack, "Peering", vpc, []network.Peer{
		{Region: "us-east-1", VpcID: jsii.String("vpc-0aaaaaaaaaaaaaaaa"), CIDR: "10.0.0.0/16"},
		{Region: "ap-southeast-2", VpcID: jsii.String("vpc-0bbbbbbbbbbbbbbbb"), CIDR: "10.2.0.0/16"},
	})
	if len(peering.Connections) != 2 {
		t.Errorf("%d connections by region, want 2", len(peering.Connections))
	}
	template := constructkit.TemplateOf(t, stack)
	constructkit.Assert(t, func() {
		template.ResourceCountIs(jsii.String("AWS::EC2::VPCPeeringConnection"), jsii.Number(2))
		template.HasResourceProperties(jsii.String("AWS::EC2::VPCPeeringConnection"), map[string]any{
			"VpcId":     map[string]any{"Ref": assertions.Match_StringLikeRegexp(jsii.String("^Vpc"))},
			"PeerVpcId": "vpc-0aaaaaaaaaaaaaaaa", "PeerRegion": "us-east-1", "PeerRoleArn": assertions.Match_Absent(),
		})
		for _, peer := range []struct{ cidr, connection string }{{"10.0.0.0/16", "^PeeringTouseast1"}, {"10.2.0.0/16", "^PeeringToapsoutheast2"}} {
			template.ResourcePropertiesCountIs(jsii.String("AWS::EC2::Route"), map[string]any{
				"DestinationCidrBlock":   peer.cidr,
				"VpcPeeringConnectionId": map[string]any{"Ref": assertions.Match_StringLikeRegexp(jsii.String(peer.connection))},
				"RouteTableId":           map[string]any{"Ref": assertions.Match_StringLikeRegexp(jsii.String("^Vpc(private|isolated)Subnet"))},
			}, jsii.Number(6)) // three AZs of private and isolated subnets
		}
	})
}

func TestNetwork_PeerRoutesReturnOverTheRequestersConnection(t *testing.T) {
	stack := constructkit.Stack(t, "eu-west-1")
	vpc := awsec2.NewVpc(stack, jsii.String("Vpc"), &awsec2.VpcProps{SubnetConfiguration: &[]*awsec2.SubnetConfiguration{
		{Name: jsii.String("public"), SubnetType: awsec2.SubnetType_PUBLIC},
		{Name: jsii.String("private"), SubnetType: awsec2.SubnetType_PRIVATE_WITH_EGRESS},
		{Name: jsii.String("isolated"), SubnetType: awsec2.SubnetType_PRIVATE_ISOLATED},
	}})
	network.NewPeerRoutes(stack, "PeerRoutes", vpc, []network.PeerRoute{{Region: "ap-southeast-2", CIDR: "10.2.0.0/16", ConnectionID: jsii.String("pcx-0123456789abcdef0")}})
	template := constructkit.TemplateOf(t, stack)
	constructkit.Assert(t, func() {
		template.ResourcePropertiesCountIs(jsii.String("AWS::EC2::Route"), map[string]any{
			"DestinationCidrBlock": "10.2.0.0/16", "VpcPeeringConnectionId": "pcx-0123456789abcdef0",
		}, jsii.Number(6)) // three AZs of private and isolated subnets
	})
}

// Package network builds a region's VPC: three AZs of public, private-with-egress and isolated
// subnets, NAT, VPC endpoints for the services the platform calls, and flow logs.
package network

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/example/platform/lib/props"
)

// Props configures a Network. Every field is required.
type Props struct {
	// CIDR of the VPC, /16 to /22: its subnets take prefix+2 and prefix+6 bits, and AWS's
	// smallest subnet is a /28. (lib/config accepts /16 to /20.)
	CIDR string
	// AvailabilityZones the VPC spans, by name (fixed names keep synthesis free of lookups): one
	// to three, as the private subnets take a quarter of the range each.
	AvailabilityZones []string
	// NatGateways in the public subnets, 1 to one per AZ. Required: lib/config owns the default
	// (environments[].regions[].natGateways, one per AZ).
	NatGateways int
	// FlowLogRetention is how long VPC flow logs are kept (lib/config's monitoring.logRetentionDays).
	FlowLogRetention awslogs.RetentionDays
	// Key encrypts the flow logs.
	Key awskms.IKey
}

const (
	// largestPrefix is the largest VPC AWS allows; smallestPrefix leaves /28 subnets, AWS's
	// smallest, for the public and isolated tiers (prefix+6).
	largestPrefix, smallestPrefix = 16, 22
	maxZones                      = 3
)

// check fails with every problem of props, the way a construct fails (a panic naming its path).
func (p Props) check(scope constructs.Construct, id string) int {
	c := props.Check(scope, id, "network.New")
	c.Require("Props.FlowLogRetention", p.FlowLogRetention != "", "give how long flow logs are kept, such as awslogs.RetentionDays_THREE_MONTHS")
	bits := 0
	if prefix, ok := c.CIDR("Props.CIDR", p.CIDR, "give the VPC's range, such as 10.0.0.0/16"); ok {
		switch bits = prefix.Bits(); {
		case bits < largestPrefix:
			c.Failf("Props.CIDR", "%s is larger than AWS allows for a VPC; give /%d to /%d", p.CIDR, largestPrefix, smallestPrefix)
		case bits > smallestPrefix:
			c.Failf("Props.CIDR", "%s is too small: the public and isolated subnets take /%d, and AWS's smallest subnet is /28; give /%d to /%d",
				p.CIDR, bits+6, largestPrefix, smallestPrefix)
		}
	}
	zones := len(p.AvailabilityZones)
	if c.Require("Props.AvailabilityZones", zones > 0, "name the zones the VPC spans, such as eu-west-1a, eu-west-1b, eu-west-1c") {
		if zones > maxZones {
			c.Failf("Props.AvailabilityZones", "lists %d zones: the private subnets take a quarter of the range each, so at most %d fit", zones, maxZones)
		}
		seen := map[string]bool{}
		for i, zone := range p.AvailabilityZones {
			if zone == "" || seen[zone] {
				c.Failf(fmt.Sprintf("Props.AvailabilityZones[%d]", i), "%q: name each zone once, such as eu-west-1a", zone)
			}
			seen[zone] = true
		}
	}
	if c.Require("Props.NatGateways", p.NatGateways != 0, "give 1 to one per AZ (lib/config's natGateways)") && zones > 0 &&
		(p.NatGateways < 1 || p.NatGateways > zones) {
		c.Failf("Props.NatGateways", "%d: give 1 to %d, one per AZ at most", p.NatGateways, zones)
	}
	c.Require("Props.Key", p.Key != nil, "give the region's KMS key, which encrypts the flow logs")
	c.Done()
	return bits
}

// Subnet group names, for callers that select subnets by name.
const (
	PublicSubnets   = "public"
	PrivateSubnets  = "private"
	IsolatedSubnets = "isolated"
)

// Network is a region's VPC and what the tiers above it need from it.
type Network struct {
	constructs.Construct
	Vpc awsec2.Vpc
	// FlowLogs holds the VPC's flow log records.
	FlowLogs awslogs.LogGroup
}

// interfaceEndpoints keep image pulls, secrets, logs and traces off the NAT gateways: cheaper,
// and they keep working when NAT is the thing that is broken.
var interfaceEndpoints = []struct {
	id      string
	service func() awsec2.InterfaceVpcEndpointAwsService
}{
	{"EcrApi", awsec2.InterfaceVpcEndpointAwsService_ECR},
	{"EcrDocker", awsec2.InterfaceVpcEndpointAwsService_ECR_DOCKER},
	{"SecretsManager", awsec2.InterfaceVpcEndpointAwsService_SECRETS_MANAGER},
	{"CloudWatchLogs", awsec2.InterfaceVpcEndpointAwsService_CLOUDWATCH_LOGS},
	{"XRay", awsec2.InterfaceVpcEndpointAwsService_XRAY},
}

// New builds the network. Subnet masks scale with the VPC: the private subnets, where the
// service's tasks run, get a quarter of the range per AZ; public and isolated subnets a 64th.
func New(scope constructs.Construct, id string, props Props) *Network {
	prefix := float64(props.check(scope, id))
	c := constructs.NewConstruct(scope, jsii.String(id))

	vpc := awsec2.NewVpc(c, jsii.String("Vpc"), &awsec2.VpcProps{
		IpAddresses:       awsec2.IpAddresses_Cidr(jsii.String(props.CIDR)),
		AvailabilityZones: jsii.Strings(props.AvailabilityZones...),
		NatGateways:       jsii.Number(props.NatGateways),
		SubnetConfiguration: &[]*awsec2.SubnetConfiguration{
			// CDK allocates in this order: the large private subnets first, so the small
			// ones pack behind them without alignment gaps.
			{Name: jsii.String(PrivateSubnets), SubnetType: awsec2.SubnetType_PRIVATE_WITH_EGRESS, CidrMask: jsii.Number(prefix + 2)},
			// Nothing in the public subnets needs a public IP of its own: ALBs and NAT
			// gateways get theirs explicitly.
			{Name: jsii.String(PublicSubnets), SubnetType: awsec2.SubnetType_PUBLIC, CidrMask: jsii.Number(prefix + 6), MapPublicIpOnLaunch: jsii.Bool(false)},
			{Name: jsii.String(IsolatedSubnets), SubnetType: awsec2.SubnetType_PRIVATE_ISOLATED, CidrMask: jsii.Number(prefix + 6)},
		},
		GatewayEndpoints: &map[string]*awsec2.GatewayVpcEndpointOptions{
			"S3":       {Service: awsec2.GatewayVpcEndpointAwsService_S3()},
			"DynamoDb": {Service: awsec2.GatewayVpcEndpointAwsService_DYNAMODB()},
		},
		RestrictDefaultSecurityGroup: jsii.Bool(true),
	})

	// One security group for all endpoints, admitting HTTPS from the VPC's literal CIDR: the
	// default per-endpoint groups reference the VPC's CIDR attribute, which cdk-nag cannot
	// evaluate (EC23), and five identical groups say nothing that one does not.
	endpointsGroup := awsec2.NewSecurityGroup(c, jsii.String("EndpointsSecurityGroup"), &awsec2.SecurityGroupProps{
		Vpc:              vpc,
		Description:      jsii.String("HTTPS from inside the VPC to its interface endpoints"),
		AllowAllOutbound: jsii.Bool(false),
	})
	endpointsGroup.AddIngressRule(awsec2.Peer_Ipv4(jsii.String(props.CIDR)), awsec2.Port_Tcp(jsii.Number(443)),
		jsii.String("HTTPS from the VPC"), nil)
	for _, endpoint := range interfaceEndpoints {
		vpc.AddInterfaceEndpoint(jsii.String(endpoint.id), &awsec2.InterfaceVpcEndpointOptions{
			Service:           endpoint.service(),
			Subnets:           &awsec2.SubnetSelection{SubnetGroupName: jsii.String(PrivateSubnets)},
			PrivateDnsEnabled: jsii.Bool(true),
			SecurityGroups:    &[]awsec2.ISecurityGroup{endpointsGroup},
			Open:              jsii.Bool(false),
		})
	}

	flowLogs := awslogs.NewLogGroup(c, jsii.String("FlowLogs"), &awslogs.LogGroupProps{
		Retention:     props.FlowLogRetention,
		EncryptionKey: props.Key,
		RemovalPolicy: awscdk.RemovalPolicy_RETAIN,
	})
	vpc.AddFlowLog(jsii.String("FlowLog"), &awsec2.FlowLogOptions{
		Destination: awsec2.FlowLogDestination_ToCloudWatchLogs(flowLogs, nil),
		TrafficType: awsec2.FlowLogTrafficType_ALL,
	})
	return &Network{Construct: c, Vpc: vpc, FlowLogs: flowLogs}
}

package probes

import (
	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// vpcPlacement is where a canary in a VPC runs: the VPC's private subnets with egress, in a
// security group of its own.
type vpcPlacement struct {
	network awsec2.IVpc
	group   awsec2.SecurityGroup
}

// inVpc makes the canary's security group and lets its role attach the canary's function to the
// VPC: ec2:CreateNetworkInterface, ec2:DescribeNetworkInterfaces and ec2:DeleteNetworkInterface
// ("Troubleshooting a canary on a VPC": without them a new canary goes into an error state; the
// Canary construct adds them only to a role it makes itself, through a managed policy).
func inVpc(scope constructs.Construct, p Props, role awsiam.Role) *vpcPlacement {
	group := awsec2.NewSecurityGroup(scope, jsii.String("SecurityGroup"), &awsec2.SecurityGroupProps{
		Vpc:              p.Vpc,
		Description:      jsii.String("Canary " + p.Name + ": HTTPS out to S3 and CloudWatch; the caller opens what it calls"),
		AllowAllOutbound: jsii.Bool(false),
	})
	// Artifacts to S3 (the gateway endpoint) and metrics to CloudWatch (through NAT): a VPC
	// canary must reach both ("Running a canary on a VPC").
	group.AddEgressRule(awsec2.Peer_AnyIpv4(), awsec2.Port_Tcp(jsii.Number(443)),
		jsii.String("Artifacts to S3 and metrics to CloudWatch, through the gateway endpoint and NAT"), nil)
	role.AddToPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions:   jsii.Strings("ec2:CreateNetworkInterface", "ec2:DescribeNetworkInterfaces", "ec2:DeleteNetworkInterface"),
		Resources: jsii.Strings("*"),
	}))
	return &vpcPlacement{network: p.Vpc, group: group}
}

func (v *vpcPlacement) vpc() awsec2.IVpc {
	if v == nil {
		return nil
	}
	return v.network
}

func (v *vpcPlacement) subnets() *awsec2.SubnetSelection {
	if v == nil {
		return nil
	}
	return &awsec2.SubnetSelection{SubnetType: awsec2.SubnetType_PRIVATE_WITH_EGRESS}
}

func (v *vpcPlacement) groups() *[]awsec2.ISecurityGroup {
	if v == nil {
		return nil
	}
	return &[]awsec2.ISecurityGroup{v.group}
}

package constructs_test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/jsii-runtime-go"

	"github.com/example/platform/lib/network"
	"github.com/example/platform/lib/props/propstest"
)

func networkValidProps(stack awscdk.Stack) network.Props {
	return network.Props{CIDR: "10.0.0.0/16", AvailabilityZones: zones, NatGateways: 3, Key: awskms.NewKey(stack, jsii.String("Key"), nil),
		FlowLogRetention: awslogs.RetentionDays_THREE_MONTHS}
}

func TestNetwork_ThrowsOnABadOrMissingRequiredProp(t *testing.T) {
	for _, c := range []struct {
		name   string
		adjust func(*network.Props)
		want   string
	}{
		{"range that is no CIDR", func(p *network.Props) { p.CIDR = "10.0.0.0/33" },
			`network.New(Test/Network): Props.CIDR "10.0.0.0/33" is not an IPv4 range; give the VPC's range, such as 10.0.0.0/16`},
		{"no range", func(p *network.Props) { p.CIDR = "" }, "Props.CIDR is required; give the VPC's range"},
		{"host bits", func(p *network.Props) { p.CIDR = "10.0.0.1/16" }, `Props.CIDR "10.0.0.1/16" has host bits set; did you mean 10.0.0.0/16?`},
		{"too small a range", func(p *network.Props) { p.CIDR = "10.0.0.0/24" }, "Props.CIDR 10.0.0.0/24 is too small"},
		{"no zones", func(p *network.Props) { p.AvailabilityZones = nil }, "Props.AvailabilityZones is required"},
		{"four zones", func(p *network.Props) {
			p.AvailabilityZones = []string{"eu-west-1a", "eu-west-1b", "eu-west-1c", "eu-west-1d"}
		}, "lists 4 zones"},
		{"a zone twice", func(p *network.Props) { p.AvailabilityZones = []string{"eu-west-1a", "eu-west-1a"}; p.NatGateways = 2 },
			`Props.AvailabilityZones[1] "eu-west-1a": name each zone once`},
		{"no NAT gateway count", func(p *network.Props) { p.NatGateways = 0 }, "Props.NatGateways is required"},
		{"more NAT gateways than zones", func(p *network.Props) { p.NatGateways = 4 }, "Props.NatGateways 4: give 1 to 3"},
		{"no key", func(p *network.Props) { p.Key = nil }, "Props.Key is required"},
	} {
		t.Run(c.name, func(t *testing.T) {
			stack := bareStack()
			p := networkValidProps(stack)
			c.adjust(&p)
			propstest.Panics(t, func() { network.New(stack, "Network", p) }, c.want)
		})
	}
}

func TestNetwork_ReportsEveryBadPropAtOnce(t *testing.T) {
	propstest.Panics(t, func() { network.New(bareStack(), "Network", network.Props{}) },
		"network.New(Test/Network): 5 problems:", "Props.FlowLogRetention is required", "Props.CIDR is required", "Props.AvailabilityZones is required",
		"Props.NatGateways is required", "Props.Key is required")
}

func TestNetwork_PeeringThrowsOnAPeerWithoutARange(t *testing.T) {
	stack := bareStack()
	vpc := awsec2.Vpc_FromVpcAttributes(stack, jsii.String("Vpc"), &awsec2.VpcAttributes{
		VpcId: jsii.String("vpc-0aaaaaaaaaaaaaaaa"), AvailabilityZones: jsii.Strings(zones...),
	})
	propstest.Panics(t, func() {
		network.NewPeering(stack, "Peering", vpc, []network.Peer{{Region: "us-east-1", VpcID: jsii.String("vpc-0bbbbbbbbbbbbbbbb")}})
	}, "network.NewPeering(Test/Peering): peers[0].CIDR is required")
	propstest.Panics(t, func() {
		network.NewPeerRoutes(stack, "Routes", vpc, []network.PeerRoute{{Region: "us-east-1", CIDR: "10.0.0.0/16"}, {Region: "us-east-1", CIDR: "10.1.0.0/16"}})
	}, "routes[0].ConnectionID is required", "routes[1].Region us-east-1 is listed twice")
}

func TestNetwork_SubnetLayoutRefusesWhatIsNoRange(t *testing.T) {
	defer func() {
		if r := recover(); r == nil || !strings.Contains(fmt.Sprint(r), `network.SubnetLayout("10.0.0/16", 3)`) {
			t.Errorf("panic = %v, want one naming network.SubnetLayout and its arguments", r)
		}
	}()
	network.SubnetLayout("10.0.0/16", 3)
}

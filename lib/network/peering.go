package network

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/example/platform/lib/props"
)

// Peer is another region's VPC of the same account that this VPC requests a peering
// connection to.
type Peer struct {
	Region string
	// VpcID is the peer's VPC; it must exist before this network deploys.
	VpcID *string
	// CIDR is the peer's range, a literal: routes to it are written into this stack.
	CIDR string
}

// PeerRoute sends the traffic for another region's CIDR over an existing peering connection.
type PeerRoute struct {
	Region, CIDR string
	ConnectionID *string
}

// Peering is the peering connections one VPC requested, by peer region.
type Peering struct {
	constructs.Construct
	Connections map[string]*string
}

// NewPeering requests a peering connection from vpc to each peer and routes vpc's private
// subnets (the service's tasks) and isolated ones (the databases' answers) to it. In one account
// a connection is accepted without a peering role, cross-region too
// (AWS::EC2::VPCPeeringConnection), so it needs no custom resource. The peer's side routes back
// with NewPeerRoutes, in a stack of its region that deploys after this one.
func NewPeering(scope constructs.Construct, id string, vpc awsec2.IVpc, peers []Peer) *Peering {
	check := props.Check(scope, id, "network.NewPeering")
	check.Require("vpc", vpc != nil, "give the VPC that requests the connections")
	check.Require("peers", len(peers) > 0, "list the VPCs of the other regions to peer with")
	seen := map[string]bool{}
	for i, peer := range peers {
		field := fmt.Sprintf("peers[%d]", i)
		check.RegionOnce(field+".Region", peer.Region, peerRegionHint, "peer region", seen)
		check.Require(field+".VpcID", peer.VpcID != nil, "give the peer VPC's ID, such as a weak reference to its network stack's VPC")
		check.CIDR(field+".CIDR", peer.CIDR, "give the peer VPC's range, such as 10.1.0.0/16")
	}
	check.Done()
	c := constructs.NewConstruct(scope, jsii.String(id))
	p := &Peering{Construct: c, Connections: map[string]*string{}}
	for _, peer := range peers {
		connection := awsec2.NewCfnVPCPeeringConnection(c, jsii.String("To-"+peer.Region), &awsec2.CfnVPCPeeringConnectionProps{
			VpcId: vpc.VpcId(), PeerVpcId: peer.VpcID, PeerRegion: jsii.String(peer.Region),
		})
		p.Connections[peer.Region] = connection.Ref()
		addRoutes(c, vpc, PeerRoute{Region: peer.Region, CIDR: peer.CIDR, ConnectionID: connection.Ref()})
	}
	return p
}

// NewPeerRoutes routes vpc's private and isolated subnets to other regions over peering
// connections they requested. CfnRoute is used because the VPC construct adds routes only to
// subnets it creates.
func NewPeerRoutes(scope constructs.Construct, id string, vpc awsec2.IVpc, routes []PeerRoute) constructs.Construct {
	check := props.Check(scope, id, "network.NewPeerRoutes")
	check.Require("vpc", vpc != nil, "give the VPC whose subnets route back")
	check.Require("routes", len(routes) > 0, "list the other regions' ranges and the connections they requested")
	seen := map[string]bool{}
	for i, route := range routes {
		field := fmt.Sprintf("routes[%d]", i)
		check.RegionOnce(field+".Region", route.Region, peerRegionHint, "peer region", seen)
		check.CIDR(field+".CIDR", route.CIDR, "give the other region's VPC range, such as 10.1.0.0/16")
		check.Require(field+".ConnectionID", route.ConnectionID != nil, "give the peering connection the other region requested")
	}
	check.Done()
	c := constructs.NewConstruct(scope, jsii.String(id))
	for _, route := range routes {
		addRoutes(c, vpc, route)
	}
	return c
}

// peerRegionHint says what a peer's region is: it names the peer's constructs.
const peerRegionHint = "give the peer's region code, such as us-east-1"

func addRoutes(scope constructs.Construct, vpc awsec2.IVpc, route PeerRoute) {
	subnets := append(append([]awsec2.ISubnet{}, *vpc.PrivateSubnets()...), *vpc.IsolatedSubnets()...)
	for i, subnet := range subnets {
		awsec2.NewCfnRoute(scope, jsii.String(fmt.Sprintf("To-%s-%d", route.Region, i)), &awsec2.CfnRouteProps{
			RouteTableId:           subnet.RouteTable().RouteTableId(),
			DestinationCidrBlock:   jsii.String(route.CIDR),
			VpcPeeringConnectionId: route.ConnectionID,
		})
	}
}

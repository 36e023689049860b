package stacks

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"

	"github.com/example/platform/lib/network"
)

// NetworkStack holds a region's VPC. It is stateless, so it has no termination protection.
type NetworkStack struct {
	awscdk.Stack
	Network *network.Network
}

// NewNetworkStack builds the network tier of region; its flow logs are encrypted with the
// region's key, so it deploys after the keys stack.
func NewNetworkStack(stage awscdk.Stage, place placement, keys *KeysStack) *NetworkStack {
	stack := newStack(stage, place, TierNetwork,
		fmt.Sprintf("%s %s network in %s: VPC, NAT, endpoints, flow logs", place.platform.Name, place.env.Name, place.region.Region))
	net := network.New(stack, "Network", network.Props{
		CIDR:              place.region.CIDR,
		AvailabilityZones: place.region.AvailabilityZones,
		NatGateways:       place.region.NatGateways,
		Key:               keys.Key.Key,
		FlowLogRetention:  logRetention(place.env),
	})
	return &NetworkStack{Stack: stack, Network: net}
}

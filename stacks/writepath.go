package stacks

import (
	"github.com/example/platform/lib/config"
	"github.com/example/platform/lib/network"
)

// The write path: every region's service writes to the Aurora global writer endpoint, which
// always names the writer instance of the current primary cluster, in whichever region a
// switchover or failover put it. The regions' VPCs are peered in a full mesh; each database
// admits the other regions' task subnets, and each region's tasks may reach the other regions'
// database subnets. Security groups cannot name a group in another region, so both sides use
// the subnet ranges, computed from config as the VPC construct allocates them.

// remoteTaskRanges are the private (task) subnets of every other region of env that are peered
// with region: the sources region's database admits.
func remoteTaskRanges(env config.Environment, region string) []string {
	return remoteRanges(env, region, func(l network.Layout) []string { return l.Private })
}

// remoteDatabaseRanges are the isolated (database) subnets of every other region of env that
// are peered with region: where region's tasks may send PostgreSQL.
func remoteDatabaseRanges(env config.Environment, region string) []string {
	return remoteRanges(env, region, func(l network.Layout) []string { return l.Isolated })
}

func remoteRanges(env config.Environment, region string, group func(network.Layout) []string) []string {
	if !env.PeersRegions() {
		return nil
	}
	var ranges []string
	for _, r := range env.Regions {
		if r.Region != region {
			ranges = append(ranges, group(network.SubnetLayout(r.CIDR, len(r.AvailabilityZones)))...)
		}
	}
	return ranges
}

// peeringRequests are the peering connections region i requests: one to each earlier region.
// Its data stack holds them, not its network stack: a network that waited for the earlier
// regions' networks would push every later stack of its region one pipeline step later, one
// region after another, while the data stacks already wait for every network (the secondary
// regions' for the primary's data, in one shared step).
func peeringRequests(env config.Environment, regions []*RegionStacks, i int) []network.Peer {
	if !env.PeersRegions() {
		return nil
	}
	var peers []network.Peer
	for _, earlier := range regions[:i] {
		peers = append(peers, network.Peer{
			Region: earlier.Region.Region, VpcID: earlier.Network.Network.Vpc.VpcId(), CIDR: earlier.Region.CIDR,
		})
	}
	return peers
}

// peeringReturnRoutes are region i's routes back over the connections later regions requested
// to it. They live in i's app stack: the first stack of region i that deploys after every later
// region's data stack.
func peeringReturnRoutes(env config.Environment, regions []*RegionStacks, i int) []network.PeerRoute {
	if !env.PeersRegions() {
		return nil
	}
	var routes []network.PeerRoute
	for _, later := range regions[i+1:] {
		routes = append(routes, network.PeerRoute{
			Region: later.Region.Region, CIDR: later.Region.CIDR,
			ConnectionID: later.Data.Peering.Connections[regions[i].Region.Region],
		})
	}
	return routes
}

package test

import (
	"testing"

	"github.com/example/platform/lib/config"
	"github.com/example/platform/stacks"
	"github.com/example/platform/test/constructkit"
	"github.com/example/platform/test/testkit"
)

// Every two regions of an environment are peered exactly once, the later region requesting,
// and each side routes its private and isolated subnets to the other's range over that one
// connection: the path a region's tasks take to the writer wherever it runs.
func TestWritePath_EveryPairOfRegionsIsPeeredOnceWithRoutesBothWays(t *testing.T) {
	pairs := 0
	eachEnvironment(t, func(t *testing.T, p *testkit.Platform, env config.Environment) {
		name := func(r config.Region, tier string) string {
			return stacks.StackName(p.Config.Name, env.Name, r.Region, tier)
		}
		for j, later := range env.Regions {
			connections := templateResources(t, p, name(later, stacks.TierData)).ofType("AWS::EC2::VPCPeeringConnection")
			if len(connections) != j {
				t.Errorf("%s requests %d peering connections, want one to each of the %d earlier regions", later.Region, len(connections), j)
			}
			for _, earlier := range env.Regions[:j] {
				pairs++
				var connection string
				for id, c := range connections {
					if c["PeerRegion"] == earlier.Region && stackOutputOf(c["PeerVpcId"]) == name(earlier, stacks.TierNetwork) {
						connection = id
					}
				}
				if connection == "" {
					t.Errorf("%s has no peering connection to %s's VPC", later.Region, earlier.Region)
					continue
				}
				// The requester routes to the earlier region over its own connection; the earlier
				// region routes back over the same one, read from the requester's stack.
				there := routesTo(t, p, name(later, stacks.TierData), earlier.CIDR)
				back := routesTo(t, p, name(earlier, stacks.TierApp), later.CIDR)
				subnets := 2 * len(later.AvailabilityZones)
				if len(there) != subnets || len(back) != 2*len(earlier.AvailabilityZones) {
					t.Errorf("%s<->%s: %d routes there and %d back, want one per private and isolated subnet on each side", later.Region, earlier.Region, len(there), len(back))
				}
				for _, r := range there {
					if refTo(r["VpcPeeringConnectionId"]) != connection {
						t.Errorf("%s routes %s over %v, not its connection %s", later.Region, earlier.CIDR, r["VpcPeeringConnectionId"], connection)
					}
				}
				for _, r := range back {
					if stackOutputOf(r["VpcPeeringConnectionId"]) != name(later, stacks.TierData) {
						t.Errorf("%s routes back to %s over %v, not %s's connection", earlier.Region, later.CIDR, r["VpcPeeringConnectionId"], later.Region)
					}
				}
			}
		}
	})
	constructkit.CheckedSomething(t, pairs, "pair of regions in either config")
}

// Peering can be switched off (a user with their own Transit Gateway); then no region requests
// a connection, adds a route or admits another region's tasks.
func TestWritePath_PeeringOffLeavesNoConnectionRouteOrRemoteRule(t *testing.T) {
	p := withoutPeering(t)
	routes, dataGroups, egress := 0, 0, 0
	for _, name := range p.StackNames() {
		resources := templateResources(t, p, name)
		for _, resourceType := range []string{"AWS::EC2::VPCPeeringConnection"} {
			if n := len(resources.ofType(resourceType)); n > 0 {
				t.Errorf("%s holds %d %s with peering off", name, n, resourceType)
			}
		}
		for id, route := range resources.ofType("AWS::EC2::Route") {
			routes++
			if route["VpcPeeringConnectionId"] != nil {
				t.Errorf("%s/%s routes over a peering connection with peering off", name, id)
			}
		}
		for id, group := range resources.ofType("AWS::EC2::SecurityGroup") {
			if tierOf(name) != stacks.TierData {
				continue
			}
			dataGroups++
			if group["SecurityGroupIngress"] != nil {
				t.Errorf("%s/%s admits other regions with peering off: %v", name, id, group["SecurityGroupIngress"])
			}
		}
		for id, rule := range resources.ofType("AWS::EC2::SecurityGroupEgress") {
			egress++
			if rule["CidrIp"] != nil && rule["FromPort"] == 5432.0 {
				t.Errorf("%s/%s sends PostgreSQL to %v with peering off", name, id, rule["CidrIp"])
			}
		}
	}
	constructkit.CheckedSomething(t, routes, "route")
	constructkit.CheckedSomething(t, dataGroups, "security group in a data stack")
	constructkit.CheckedSomething(t, egress, "security group egress rule")
}

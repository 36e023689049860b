package preflight

import (
	"maps"
	"slices"
	"strconv"
)

// Needs are the quotas the assembly's stacks in t use, and how much of each (only those it uses).
func (a *Assembly) Needs(t Target) []quota {
	counts := map[string]float64{}
	perAZ, perVPC := map[string]float64{}, map[string]float64{}
	for _, s := range a.stacksIn(t) {
		counts["Elastic IPs"] += float64(len(resources(s, "AWS::EC2::EIP")))
		counts["VPCs"] += float64(len(resources(s, "AWS::EC2::VPC")))
		subnets := resources(s, "AWS::EC2::Subnet")
		for id, nat := range resources(s, "AWS::EC2::NatGateway") {
			zone := id // a subnet's zone unknown before deployment counts as a zone of its own
			if ref, ok := nat["SubnetId"].(map[string]any)["Ref"].(string); ok {
				if z, ok := literal(subnets[ref]["AvailabilityZone"], t.Account, t.Region); ok {
					zone = z
				}
			}
			perAZ[s.Name+zone]++
		}
		for _, e := range resources(s, "AWS::EC2::VPCEndpoint") {
			if e["VpcEndpointType"] == "Interface" {
				perVPC[s.Name+refOf(e["VpcId"])]++
			}
		}
		for _, lb := range resources(s, "AWS::ElasticLoadBalancingV2::LoadBalancer") {
			if typ, ok := lb["Type"].(string); !ok || typ == "application" {
				counts["Application Load Balancers"]++
			}
		}
		counts["Fargate On-Demand vCPUs"] += fargateVCPUs(s.Template.Resources)
		for _, d := range resources(s, "AWS::CloudFront::Distribution") {
			config, _ := d["DistributionConfig"].(map[string]any)
			behaviors, _ := config["CacheBehaviors"].([]any)
			counts["cache behaviors per distribution"] = max(counts["cache behaviors per distribution"], float64(len(behaviors)))
		}
	}
	counts["NAT gateways per AZ"] = maxOf(perAZ)
	counts["interface endpoints per VPC"] = maxOf(perVPC)
	counts["active peering connections per VPC"] = a.peerings(t)
	var out []quota
	for _, what := range sortedKeys(quotaCodes) {
		if counts[what] > 0 {
			code := quotaCodes[what]
			out = append(out, quota{service: code[0], code: code[1], what: what, need: counts[what]})
		}
	}
	return out
}

// peerings are the peering connections of t's VPC: those its stacks request and those other
// regions' stacks request of it.
func (a *Assembly) peerings(t Target) float64 {
	n := 0.0
	for _, s := range a.Stacks {
		for _, p := range resources(s, "AWS::EC2::VPCPeeringConnection") {
			peerRegion, ok := p["PeerRegion"].(string)
			if !ok {
				peerRegion = s.Region
			}
			peerAccount, ok := p["PeerOwnerId"].(string)
			if !ok {
				peerAccount = s.Account
			}
			if (s.Account == t.Account && s.Region == t.Region) || (peerAccount == t.Account && peerRegion == t.Region) {
				n++
			}
		}
	}
	return n
}

// fargateVCPUs is the most vCPUs the template's Fargate services run at once: each service's
// most tasks (its scaling maximum, else its desired count) times its task's vCPUs, times the
// share of tasks a deployment runs beside the old ones (MaximumPercent, 200 by default).
func fargateVCPUs(template map[string]map[string]any) float64 {
	total := 0.0
	for id, r := range template {
		props, _ := r["Properties"].(map[string]any)
		if r["Type"] != "AWS::ECS::Service" || (props["LaunchType"] != nil && props["LaunchType"] != "FARGATE") {
			continue
		}
		task, _ := template[refOf(props["TaskDefinition"])]["Properties"].(map[string]any)
		cpu, _ := strconv.ParseFloat(stringOf(task["Cpu"]), 64)
		tasks, _ := props["DesiredCount"].(float64)
		tasks = max(tasks, 1)
		for _, target := range template {
			tp, _ := target["Properties"].(map[string]any)
			if target["Type"] == "AWS::ApplicationAutoScaling::ScalableTarget" && mentions(tp["ResourceId"], id) {
				m, _ := tp["MaxCapacity"].(float64)
				tasks = max(tasks, m)
			}
		}
		percent := 200.0
		if dc, ok := props["DeploymentConfiguration"].(map[string]any); ok {
			if p, ok := dc["MaximumPercent"].(float64); ok {
				percent = p
			}
		}
		total += cpu / 1024 * tasks * percent / 100
	}
	return total
}

// refOf is the logical ID a {"Ref": id} names ("" otherwise).
func refOf(v any) string {
	m, _ := v.(map[string]any)
	ref, _ := m["Ref"].(string)
	return ref
}

func stringOf(v any) string {
	s, _ := v.(string)
	return s
}

// mentions reports whether a template value refers to the logical ID id anywhere.
func mentions(v any, id string) bool {
	switch v := v.(type) {
	case string:
		return v == id
	case []any:
		for _, x := range v {
			if mentions(x, id) {
				return true
			}
		}
	case map[string]any:
		for _, x := range v {
			if mentions(x, id) {
				return true
			}
		}
	}
	return false
}

func maxOf(m map[string]float64) float64 {
	out := 0.0
	for _, v := range m {
		out = max(out, v)
	}
	return out
}

func sortedKeys[V any](m map[string]V) []string { return slices.Sorted(maps.Keys(m)) }

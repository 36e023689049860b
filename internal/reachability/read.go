package reachability

import (
	"fmt"
	"net/netip"
	"sort"
	"strconv"
	"strings"

	"github.com/example/platform/internal/assembly"
)

func (m *Model) readRoute(s *assembly.Stack, id string, props map[string]any) {
	table := m.tables[m.identity(s, id, "RouteTableId", props["RouteTableId"], "AWS::EC2::RouteTable")]
	if table == nil {
		return
	}
	r := route{where: key(s, id)}
	switch {
	case props["DestinationCidrBlock"] != nil:
		r.dest = m.prefix(s, id, "DestinationCidrBlock", props["DestinationCidrBlock"])
		if !r.dest.IsValid() {
			return
		}
	case props["DestinationPrefixListId"] != nil:
		r.prefixes, _ = m.str(s, props["DestinationPrefixListId"])
	default:
		return // IPv6 only
	}
	switch {
	case props["NatGatewayId"] != nil:
		r.kind, r.target = targetNAT, m.identity(s, id, "NatGatewayId", props["NatGatewayId"], "AWS::EC2::NatGateway")
	case props["VpcPeeringConnectionId"] != nil:
		r.kind, r.target = targetPeering, m.identity(s, id, "VpcPeeringConnectionId", props["VpcPeeringConnectionId"], "AWS::EC2::VPCPeeringConnection")
	case props["GatewayId"] != nil:
		if target, ok := m.resolve(s, props["GatewayId"]); ok && target.typ() == "AWS::EC2::InternetGateway" {
			r.kind, r.target = targetIGW, target.key()
		} else {
			r.kind, r.target = targetOther, jsonOf(props["GatewayId"])
		}
	default:
		for _, name := range []string{"TransitGatewayId", "NetworkInterfaceId", "InstanceId", "VpcEndpointId", "EgressOnlyInternetGatewayId", "CarrierGatewayId", "LocalGatewayId", "CoreNetworkArn"} {
			if props[name] != nil {
				r.kind, r.target = targetOther, name+" "+jsonOf(props[name])
			}
		}
	}
	if r.kind == "" || r.target == "" {
		return
	}
	table.routes = append(table.routes, r)
}

// readGatewayEndpoint adds a gateway endpoint's route (its service's prefix list) to each route
// table it lists.
func (m *Model) readGatewayEndpoint(s *assembly.Stack, id string, props map[string]any) {
	if props["VpcEndpointType"] != "Gateway" {
		return
	}
	service, ok := m.str(s, props["ServiceName"])
	if !ok {
		m.problem(s, id, "ServiceName %s cannot be resolved", jsonOf(props["ServiceName"]))
		return
	}
	for _, raw := range list(props["RouteTableIds"]) {
		if table := m.tables[m.identity(s, id, "RouteTableIds", raw, "AWS::EC2::RouteTable")]; table != nil {
			table.routes = append(table.routes, route{where: key(s, id), prefixes: service, kind: targetEndpoint, target: key(s, id)})
		}
	}
}

func (m *Model) readNACLEntry(s *assembly.Stack, id string, props map[string]any) {
	acl := m.nacls[m.identity(s, id, "NetworkAclId", props["NetworkAclId"], "AWS::EC2::NetworkAcl")]
	if acl == nil || props["CidrBlock"] == nil {
		return // IPv6 entries do not match IPv4 flows
	}
	e := naclEntry{where: key(s, id), egress: props["Egress"] == true || props["Egress"] == "true", allow: props["RuleAction"] == "allow"}
	var ok bool
	if e.number, ok = m.num(s, props["RuleNumber"]); !ok {
		m.problem(s, id, "RuleNumber %s cannot be resolved", jsonOf(props["RuleNumber"]))
		return
	}
	protocol, _ := m.num(s, props["Protocol"])
	e.protocol = protocolName(strconv.Itoa(protocol))
	e.cidr = m.prefix(s, id, "CidrBlock", props["CidrBlock"])
	e.from, e.to = 0, 65535
	if ports, _ := props["PortRange"].(map[string]any); ports != nil && e.protocol != "-1" {
		e.from, _ = m.num(s, ports["From"])
		e.to, _ = m.num(s, ports["To"])
	}
	if e.cidr.IsValid() {
		acl.entries = append(acl.entries, e)
	}
}

func (m *Model) readEndpointGroup(s *assembly.Stack, id string, props map[string]any) {
	listener, ok := m.resolve(s, props["ListenerArn"])
	if !ok || listener.typ() != "AWS::GlobalAccelerator::Listener" {
		m.problem(s, id, "ListenerArn %s does not name a listener", jsonOf(props["ListenerArn"]))
		return
	}
	var ports [][2]int
	listenerProps, _ := listener.resource()["Properties"].(map[string]any)
	overrides := map[int]int{}
	for _, raw := range list(props["PortOverrides"]) {
		o, _ := raw.(map[string]any)
		from, _ := m.num(s, o["ListenerPort"])
		to, _ := m.num(s, o["EndpointPort"])
		overrides[from] = to
	}
	for _, raw := range list(listenerProps["PortRanges"]) {
		r, _ := raw.(map[string]any)
		from, _ := m.num(listener.stack, r["FromPort"])
		to, _ := m.num(listener.stack, r["ToPort"])
		ports = append(ports, [2]int{from, to})
	}
	// A port override delivers a listener port to another endpoint port.
	var delivered [][2]int
	for _, r := range ports {
		lo := r[0]
		for _, from := range sortedInts(overrides) {
			if from < r[0] || from > r[1] {
				continue
			}
			if lo <= from-1 {
				delivered = append(delivered, [2]int{lo, from - 1})
			}
			delivered = append(delivered, [2]int{overrides[from], overrides[from]})
			lo = from + 1
		}
		if lo <= r[1] {
			delivered = append(delivered, [2]int{lo, r[1]})
		}
	}
	for i, raw := range list(props["EndpointConfigurations"]) {
		c, _ := raw.(map[string]any)
		target, ok := m.resolve(s, c["EndpointId"])
		if !ok {
			m.problem(s, id, "EndpointConfigurations[%d].EndpointId %s cannot be resolved", i, jsonOf(c["EndpointId"]))
			continue
		}
		// Client IP preservation is on by default for Application Load Balancer endpoints.
		preserve := c["ClientIPPreservationEnabled"] != false
		m.accelerated[target.key()] = append(m.accelerated[target.key()], acceleratorEndpoint{where: key(s, id), ports: delivered, preserve: preserve})
	}
}

func sortedInts(m map[int]int) []int {
	keys := make([]int, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Ints(keys)
	return keys
}

// Keys of a resource's properties (at any depth) that hold security groups and, beside them,
// subnets: how a resource places its members.
var (
	groupKeys  = []string{"SecurityGroups", "SecurityGroupIds", "VpcSecurityGroupIds", "vpcSecurityGroupIds"}
	subnetKeys = []string{"Subnets", "SubnetIds", "vpcSubnetIds", "DBSubnetGroupName"}
)

func (m *Model) readAttachments(s *assembly.Stack, id string, value any) {
	switch v := value.(type) {
	case map[string]any:
		for _, gk := range groupKeys {
			if v[gk] == nil {
				continue
			}
			var subnets []string
			for _, sk := range subnetKeys {
				for _, target := range m.targets(s, v[sk]) {
					switch target.typ() {
					case "AWS::EC2::Subnet":
						subnets = append(subnets, target.key())
					case "AWS::RDS::DBSubnetGroup":
						props, _ := target.resource()["Properties"].(map[string]any)
						for _, sn := range m.targets(target.stack, props["SubnetIds"]) {
							subnets = append(subnets, sn.key())
						}
					}
				}
			}
			for _, target := range m.targets(s, v[gk]) {
				if target.typ() == "AWS::EC2::SecurityGroup" {
					m.attachments[target.key()] = append(m.attachments[target.key()], attachment{resource: key(s, id), subnets: subnets})
				}
			}
		}
		for _, k := range sortedKeys(v) {
			m.readAttachments(s, id, v[k])
		}
	case []any:
		for _, child := range v {
			m.readAttachments(s, id, child)
		}
	}
}

// ruleGroup is the group a standalone rule belongs to; it must be in the rule's account and
// region.
func (m *Model) ruleGroup(s *assembly.Stack, id string, props map[string]any) *group {
	g := m.groups[m.identity(s, id, "GroupId", props["GroupId"], "AWS::EC2::SecurityGroup")]
	if g == nil {
		return nil
	}
	if owner := m.stacks[stackOf(g.id)]; owner.Account != s.Account || owner.Region != s.Region {
		m.problem(s, id, "adds a rule to %s, which is in %s/%s, not in the rule's %s/%s", g.id, owner.Account, owner.Region, s.Account, s.Region)
		return nil
	}
	return g
}

func (m *Model) rule(s *assembly.Stack, where string, raw any, egress bool) (rule, bool) {
	props, _ := raw.(map[string]any)
	r := rule{where: where, protocol: protocolName(fmt.Sprint(props["IpProtocol"]))}
	if r.protocol == "-1" {
		r.from, r.to = 0, 65535
	} else {
		var okFrom, okTo bool
		r.from, okFrom = m.num(s, props["FromPort"])
		r.to, okTo = m.num(s, props["ToPort"])
		if !okFrom || !okTo {
			m.problems = append(m.problems, fmt.Sprintf("%s: ports %s to %s cannot be resolved", where, jsonOf(props["FromPort"]), jsonOf(props["ToPort"])))
			return r, false
		}
		if r.from == -1 || r.to == -1 { // all ports (or, for ICMP, all types)
			r.from, r.to = 0, 65535
		}
	}
	source, peerGroup, prefixes := "CidrIp", "SourceSecurityGroupId", "SourcePrefixListId"
	if egress {
		peerGroup, prefixes = "DestinationSecurityGroupId", "DestinationPrefixListId"
	}
	switch {
	case props[source] != nil:
		value, ok := m.str(s, props[source])
		prefix, err := netip.ParsePrefix(value)
		if !ok || err != nil {
			m.problems = append(m.problems, fmt.Sprintf("%s: %s %s cannot be resolved to a CIDR", where, source, jsonOf(props[source])))
			return r, false
		}
		r.cidr = prefix.Masked()
	case props["CidrIpv6"] != nil:
		r.ipv6 = true
	case props[peerGroup] != nil:
		target, ok := m.resolve(s, props[peerGroup])
		if !ok || target.typ() != "AWS::EC2::SecurityGroup" {
			m.problems = append(m.problems, fmt.Sprintf("%s: %s %s does not name a security group of the assembly", where, peerGroup, jsonOf(props[peerGroup])))
			return r, false
		}
		r.peerGroup = target.key()
	case props[prefixes] != nil:
		if target, ok := m.resolve(s, props[prefixes]); ok {
			r.prefixes = target.key()
		} else if value, ok := m.str(s, props[prefixes]); ok {
			r.prefixes = value
		} else {
			m.problems = append(m.problems, fmt.Sprintf("%s: %s %s cannot be resolved", where, prefixes, jsonOf(props[prefixes])))
			return r, false
		}
	default:
		m.problems = append(m.problems, fmt.Sprintf("%s: a rule with no peer (CloudFormation adds nothing)", where))
		return r, false
	}
	return r, true
}

func protocolName(p string) string {
	switch strings.ToLower(p) {
	case "6", "tcp":
		return "tcp"
	case "17", "udp":
		return "udp"
	case "1", "icmp":
		return "icmp"
	case "-1", "all":
		return "-1"
	}
	return strings.ToLower(p)
}

// Package reachability decides, offline, whether a network flow between two places of a
// synthesized platform is allowed. It builds a model of the network from the templates of a
// cloud assembly (security groups and their rules in any stack, subnets, route tables and routes,
// gateway endpoints, VPC peering connections, network ACLs, Global Accelerator endpoint groups)
// and evaluates a flow against every layer: the source's egress rules, the destination's ingress
// rules, the routes there and back, and the network ACLs in both directions. A verdict says
// which layers refuse a flow and why.
//
// Values that cross stacks are followed to what they name: Ref and Fn::GetAtt within a stack,
// Fn::GetStackOutput to the producer's output and from there to the resource. A value the model
// cannot follow is a problem (Model.Problems), never silently a pass.
package reachability

import (
	"encoding/json"
	"fmt"
	"net/netip"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/example/platform/internal/assembly"
)

// Model is the network of one assembly.
type Model struct {
	stacks  map[string]*assembly.Stack
	vpcs    map[string]*vpc
	subnets map[string]*subnet
	groups  map[string]*group
	tables  map[string]*routeTable
	nacls   map[string]*nacl
	// peerings are VPC peering connections by identity.
	peerings map[string]*peering
	// natSubnet is the subnet each NAT gateway sits in.
	natSubnet map[string]string
	// attachments are the resources each security group is attached to, with their subnets.
	attachments map[string][]attachment
	// accelerated are Global Accelerator endpoints, by the identity of the resource they target.
	accelerated map[string][]acceleratorEndpoint
	problems    []string
}

type vpc struct {
	id   string
	cidr netip.Prefix
	// igws are the internet gateways attached to it.
	igws []string
}

type subnet struct {
	id, name string // identity, and the aws-cdk:subnet-name tag (public, private, isolated)
	cidr     netip.Prefix
	vpc      string
	table    string // explicitly associated route table; "" is the VPC's main table (local only)
	nacl     string // explicitly associated network ACL; "" is the VPC's default ACL (allows all)
}

func (s *subnet) String() string {
	stack, _, _ := strings.Cut(s.id, "/")
	name := s.name
	if name == "" {
		name = "subnet"
	} else {
		name += " subnet"
	}
	return fmt.Sprintf("%s %s (%s)", name, s.cidr, stack)
}

type group struct {
	id, vpc         string
	ingress, egress []rule
}

// rule is one security group rule. Exactly one peer is set.
type rule struct {
	where     string // stack/logicalId of the rule resource, or of the group for inline rules
	protocol  string // tcp, udp, icmp, or -1 for all
	from, to  int
	cidr      netip.Prefix
	ipv6      bool
	peerGroup string
	prefixes  string // prefix list ID
}

type routeTable struct {
	id, vpc string
	routes  []route
}

type targetKind string

const (
	targetLocal    targetKind = "local"
	targetIGW      targetKind = "internet gateway"
	targetNAT      targetKind = "NAT gateway"
	targetPeering  targetKind = "VPC peering connection"
	targetEndpoint targetKind = "gateway endpoint"
	targetOther    targetKind = "other target"
)

type route struct {
	where    string
	dest     netip.Prefix // zero when the destination is a prefix list
	prefixes string       // destination prefix list, or a gateway endpoint's service name
	kind     targetKind
	target   string
}

type peering struct {
	id, vpc, peerVPC string
}

func (p *peering) joins(a, b string) bool {
	return (p.vpc == a && p.peerVPC == b) || (p.vpc == b && p.peerVPC == a)
}

type nacl struct {
	id, vpc string
	entries []naclEntry
}

type naclEntry struct {
	where    string
	number   int
	egress   bool
	allow    bool
	protocol string // as in security group rules: tcp, udp, icmp, -1
	from, to int
	cidr     netip.Prefix
}

type attachment struct {
	resource string // identity of the resource holding the group (load balancer, service, ...)
	subnets  []string
}

type acceleratorEndpoint struct {
	where string
	// ports are the endpoint ports the accelerator's listener delivers to.
	ports    [][2]int
	preserve bool
}

// Build reads every stack's network resources. Identities are "stackName/logicalId".
func Build(stacks []*assembly.Stack) *Model {
	m := &Model{
		stacks: assembly.ByName(stacks), vpcs: map[string]*vpc{}, subnets: map[string]*subnet{},
		groups: map[string]*group{}, tables: map[string]*routeTable{}, nacls: map[string]*nacl{},
		peerings: map[string]*peering{}, natSubnet: map[string]string{},
		attachments: map[string][]attachment{}, accelerated: map[string][]acceleratorEndpoint{},
	}
	// Containers first (VPCs, subnets, tables, groups, gateways), then what refers to them.
	each := func(types map[string]func(s *assembly.Stack, id string, props map[string]any)) {
		for _, s := range stacks {
			for _, id := range sortedKeys(s.Template.Resources) {
				resource := s.Template.Resources[id]
				t, _ := resource["Type"].(string)
				if read, ok := types[t]; ok {
					props, _ := resource["Properties"].(map[string]any)
					read(s, id, props)
				}
			}
		}
	}
	each(map[string]func(*assembly.Stack, string, map[string]any){
		"AWS::EC2::VPC": func(s *assembly.Stack, id string, props map[string]any) {
			m.vpcs[key(s, id)] = &vpc{id: key(s, id), cidr: m.prefix(s, id, "CidrBlock", props["CidrBlock"])}
		},
	})
	each(map[string]func(*assembly.Stack, string, map[string]any){
		"AWS::EC2::Subnet": func(s *assembly.Stack, id string, props map[string]any) {
			sn := &subnet{id: key(s, id), cidr: m.prefix(s, id, "CidrBlock", props["CidrBlock"]), vpc: m.identity(s, id, "VpcId", props["VpcId"], "AWS::EC2::VPC")}
			for _, raw := range list(props["Tags"]) {
				if tag, _ := raw.(map[string]any); tag["Key"] == "aws-cdk:subnet-name" {
					sn.name, _ = tag["Value"].(string)
				}
			}
			m.subnets[sn.id] = sn
		},
		"AWS::EC2::RouteTable": func(s *assembly.Stack, id string, props map[string]any) {
			m.tables[key(s, id)] = &routeTable{id: key(s, id), vpc: m.identity(s, id, "VpcId", props["VpcId"], "AWS::EC2::VPC")}
		},
		"AWS::EC2::NetworkAcl": func(s *assembly.Stack, id string, props map[string]any) {
			m.nacls[key(s, id)] = &nacl{id: key(s, id), vpc: m.identity(s, id, "VpcId", props["VpcId"], "AWS::EC2::VPC")}
		},
		"AWS::EC2::SecurityGroup": func(s *assembly.Stack, id string, props map[string]any) {
			g := &group{id: key(s, id), vpc: m.identity(s, id, "VpcId", props["VpcId"], "AWS::EC2::VPC")}
			for i, raw := range list(props["SecurityGroupIngress"]) {
				if r, ok := m.rule(s, fmt.Sprintf("%s (ingress %d)", key(s, id), i), raw, false); ok {
					g.ingress = append(g.ingress, r)
				}
			}
			egress, declared := props["SecurityGroupEgress"]
			if !declared {
				// CloudFormation adds an allow-all egress rule to a group created without one.
				g.egress = append(g.egress, rule{where: key(s, id) + " (no SecurityGroupEgress: CloudFormation's allow-all default)", protocol: "-1", to: 65535, cidr: netip.MustParsePrefix("0.0.0.0/0")})
			}
			for i, raw := range list(egress) {
				if r, ok := m.rule(s, fmt.Sprintf("%s (egress %d)", key(s, id), i), raw, true); ok {
					g.egress = append(g.egress, r)
				}
			}
			m.groups[g.id] = g
		},
		"AWS::EC2::VPCGatewayAttachment": func(s *assembly.Stack, id string, props map[string]any) {
			if props["InternetGatewayId"] == nil {
				return // a VPN gateway
			}
			v := m.vpcs[m.identity(s, id, "VpcId", props["VpcId"], "AWS::EC2::VPC")]
			if igw := m.identity(s, id, "InternetGatewayId", props["InternetGatewayId"], "AWS::EC2::InternetGateway"); v != nil && igw != "" {
				v.igws = append(v.igws, igw)
			}
		},
		"AWS::EC2::NatGateway": func(s *assembly.Stack, id string, props map[string]any) {
			m.natSubnet[key(s, id)] = m.identity(s, id, "SubnetId", props["SubnetId"], "AWS::EC2::Subnet")
		},
		"AWS::EC2::VPCPeeringConnection": func(s *assembly.Stack, id string, props map[string]any) {
			p := &peering{id: key(s, id), vpc: m.identity(s, id, "VpcId", props["VpcId"], "AWS::EC2::VPC"),
				peerVPC: m.identity(s, id, "PeerVpcId", props["PeerVpcId"], "AWS::EC2::VPC")}
			if region, ok := props["PeerRegion"].(string); ok && p.peerVPC != "" {
				if producer := m.stacks[stackOf(p.peerVPC)]; producer != nil && producer.Region != region {
					m.problem(s, id, "PeerRegion %s, but its PeerVpcId is a VPC in %s", region, producer.Region)
				}
			}
			m.peerings[p.id] = p
		},
	})
	each(map[string]func(*assembly.Stack, string, map[string]any){
		"AWS::EC2::SubnetRouteTableAssociation": func(s *assembly.Stack, id string, props map[string]any) {
			sn := m.subnets[m.identity(s, id, "SubnetId", props["SubnetId"], "AWS::EC2::Subnet")]
			if table := m.identity(s, id, "RouteTableId", props["RouteTableId"], "AWS::EC2::RouteTable"); sn != nil && table != "" {
				sn.table = table
			}
		},
		"AWS::EC2::SubnetNetworkAclAssociation": func(s *assembly.Stack, id string, props map[string]any) {
			sn := m.subnets[m.identity(s, id, "SubnetId", props["SubnetId"], "AWS::EC2::Subnet")]
			if acl := m.identity(s, id, "NetworkAclId", props["NetworkAclId"], "AWS::EC2::NetworkAcl"); sn != nil && acl != "" {
				sn.nacl = acl
			}
		},
		"AWS::EC2::Route":           m.readRoute,
		"AWS::EC2::VPCEndpoint":     m.readGatewayEndpoint,
		"AWS::EC2::NetworkAclEntry": m.readNACLEntry,
		"AWS::EC2::SecurityGroupIngress": func(s *assembly.Stack, id string, props map[string]any) {
			if g := m.ruleGroup(s, id, props); g != nil {
				if r, ok := m.rule(s, key(s, id), props, false); ok {
					g.ingress = append(g.ingress, r)
				}
			}
		},
		"AWS::EC2::SecurityGroupEgress": func(s *assembly.Stack, id string, props map[string]any) {
			if g := m.ruleGroup(s, id, props); g != nil {
				if r, ok := m.rule(s, key(s, id), props, true); ok {
					g.egress = append(g.egress, r)
				}
			}
		},
		"AWS::GlobalAccelerator::EndpointGroup": m.readEndpointGroup,
	})
	for _, s := range stacks {
		for _, id := range sortedKeys(s.Template.Resources) {
			m.readAttachments(s, id, s.Template.Resources[id]["Properties"])
		}
	}
	for _, acl := range m.nacls {
		sort.SliceStable(acl.entries, func(i, j int) bool { return acl.entries[i].number < acl.entries[j].number })
	}
	return m
}

// Problems are the values the model could not follow: each names the stack, the resource, the
// property and the value. A flow verdict is only as good as a model without problems.
func (m *Model) Problems() []string { return slices.Clone(m.problems) }

// NetworkACLs counts the network ACLs the templates declare. With none, every subnet has its
// VPC's default network ACL, which allows all traffic in and out.
func (m *Model) NetworkACLs() int { return len(m.nacls) }

// Subnets are the identities of the subnets of the VPC that stack's template declares, whose
// aws-cdk:subnet-name tag is name (every subnet of the stack when name is ""), sorted.
func (m *Model) Subnets(stack, name string) []string {
	var out []string
	for id, sn := range m.subnets {
		if stackOf(id) == stack && (name == "" || sn.name == name) {
			out = append(out, id)
		}
	}
	sort.Strings(out)
	return out
}

// Placement is where a security group's members are: the subnets of every resource that carries
// the group (a load balancer's Subnets, a service's AwsvpcConfiguration, a cluster's subnet
// group, a function's VPC config, an interface endpoint's SubnetIds), sorted.
func (m *Model) Placement(group string) []string {
	seen := map[string]bool{}
	for _, a := range m.attachments[group] {
		for _, sn := range a.subnets {
			seen[sn] = true
		}
	}
	return sortedKeys(seen)
}

// Group reports whether identity is a security group of the model.
func (m *Model) Group(identity string) bool { return m.groups[identity] != nil }

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

// target is a resource a value names.
type target struct {
	stack *assembly.Stack
	id    string
	attr  string
}

func (t target) key() string                  { return key(t.stack, t.id) }
func (t target) resource() map[string]any     { return t.stack.Template.Resources[t.id] }
func (t target) typ() string                  { s, _ := t.resource()["Type"].(string); return s }
func key(s *assembly.Stack, id string) string { return s.Name + "/" + id }
func stackOf(identity string) string          { s, _, _ := strings.Cut(identity, "/"); return s }

// resolve follows a Ref, an Fn::GetAtt or an Fn::GetStackOutput (through the producer's output)
// to the resource it names.
func (m *Model) resolve(s *assembly.Stack, value any) (target, bool) {
	v, _ := value.(map[string]any)
	if len(v) != 1 {
		return target{}, false
	}
	if id, ok := v["Ref"].(string); ok {
		if _, ok := s.Template.Resources[id]; ok {
			return target{stack: s, id: id}, true
		}
		return target{}, false
	}
	if att, ok := v["Fn::GetAtt"]; ok {
		var id, attr string
		switch a := att.(type) {
		case []any:
			if len(a) == 2 {
				id, _ = a[0].(string)
				attr, _ = a[1].(string)
			}
		case string:
			id, attr, _ = strings.Cut(a, ".")
		}
		if _, ok := s.Template.Resources[id]; ok {
			return target{stack: s, id: id, attr: attr}, true
		}
		return target{}, false
	}
	if ref, ok := v["Fn::GetStackOutput"].(map[string]any); ok {
		name, _ := ref["StackName"].(string)
		output, _ := ref["OutputName"].(string)
		producer := m.stacks[name]
		if producer == nil {
			return target{}, false
		}
		out, _ := producer.Template.Outputs[output].(map[string]any)
		if out == nil {
			return target{}, false
		}
		return m.resolve(producer, out["Value"])
	}
	return target{}, false
}

// targets are the resources a value names: one reference, a list of them, or an Fn::Join of
// them (a comma-separated parameter such as a serverless application's subnet IDs).
func (m *Model) targets(s *assembly.Stack, value any) []target {
	if t, ok := m.resolve(s, value); ok {
		return []target{t}
	}
	var out []target
	switch v := value.(type) {
	case []any:
		for _, child := range v {
			out = append(out, m.targets(s, child)...)
		}
	case map[string]any:
		if join, ok := v["Fn::Join"].([]any); ok && len(join) == 2 {
			out = append(out, m.targets(s, join[1])...)
		}
	}
	return out
}

// identity is the identity of the resource of type resourceType that a property names; "" (and
// a problem) if it names none.
func (m *Model) identity(s *assembly.Stack, id, property string, value any, resourceType string) string {
	t, ok := m.resolve(s, value)
	if !ok || t.typ() != resourceType {
		m.problem(s, id, "%s %s does not name an %s of the assembly", property, jsonOf(value), resourceType)
		return ""
	}
	return t.key()
}

// str is a string value: a literal, an Fn::Join of strings, a pseudo parameter, or an attribute
// the model knows (a VPC's or a subnet's CidrBlock).
func (m *Model) str(s *assembly.Stack, value any) (string, bool) {
	switch v := value.(type) {
	case string:
		return v, true
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64), true
	case map[string]any:
		if join, ok := v["Fn::Join"].([]any); ok && len(join) == 2 {
			sep, _ := join[0].(string)
			var parts []string
			for _, part := range list(join[1]) {
				p, ok := m.str(s, part)
				if !ok {
					return "", false
				}
				parts = append(parts, p)
			}
			return strings.Join(parts, sep), true
		}
		switch v["Ref"] {
		case "AWS::Region":
			return s.Region, true
		case "AWS::AccountId":
			return s.Account, true
		case "AWS::Partition":
			return "aws", true
		case "AWS::URLSuffix":
			return "amazonaws.com", true
		}
		t, ok := m.resolve(s, value)
		if !ok {
			return "", false
		}
		props, _ := t.resource()["Properties"].(map[string]any)
		switch {
		case t.attr == "CidrBlock" && (t.typ() == "AWS::EC2::VPC" || t.typ() == "AWS::EC2::Subnet"):
			return m.str(t.stack, props["CidrBlock"])
		case t.attr == "Endpoint.Port":
			port, ok := m.num(s, value)
			return strconv.Itoa(port), ok
		}
	}
	return "", false
}

// num is an integer value: a literal, a numeric string, or a database's Endpoint.Port (its Port
// property, or its engine's default).
func (m *Model) num(s *assembly.Stack, value any) (int, bool) {
	switch v := value.(type) {
	case float64:
		return int(v), true
	case string:
		n, err := strconv.Atoi(v)
		return n, err == nil
	case map[string]any:
		t, ok := m.resolve(s, value)
		if !ok || t.attr != "Endpoint.Port" || (t.typ() != "AWS::RDS::DBCluster" && t.typ() != "AWS::RDS::DBInstance") {
			return 0, false
		}
		props, _ := t.resource()["Properties"].(map[string]any)
		if props["Port"] != nil {
			return m.num(t.stack, props["Port"])
		}
		engine, _ := props["Engine"].(string)
		switch {
		case strings.Contains(engine, "postgres"):
			return 5432, true
		case strings.Contains(engine, "mysql"), engine == "aurora", strings.Contains(engine, "mariadb"):
			return 3306, true
		}
	}
	return 0, false
}

func (m *Model) prefix(s *assembly.Stack, id, property string, value any) netip.Prefix {
	text, ok := m.str(s, value)
	prefix, err := netip.ParsePrefix(text)
	if !ok || err != nil || !prefix.Addr().Is4() {
		m.problem(s, id, "%s %s cannot be resolved to an IPv4 CIDR", property, jsonOf(value))
		return netip.Prefix{}
	}
	return prefix.Masked()
}

func (m *Model) problem(s *assembly.Stack, id, format string, args ...any) {
	m.problems = append(m.problems, key(s, id)+": "+fmt.Sprintf(format, args...))
}

func list(value any) []any {
	l, _ := value.([]any)
	return l
}

func jsonOf(value any) string {
	data, _ := json.Marshal(value)
	return string(data)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

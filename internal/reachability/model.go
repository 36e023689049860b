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
	"fmt"
	"net/netip"
	"slices"
	"sort"
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
		"AWS::EC2::SecurityGroup": m.readSecurityGroup,
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
		"AWS::EC2::VPCPeeringConnection": m.readPeering,
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

// readSecurityGroup reads a group and its inline rules.
func (m *Model) readSecurityGroup(s *assembly.Stack, id string, props map[string]any) {
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
}

// readPeering reads a peering connection, and checks that its peer VPC is in its PeerRegion.
func (m *Model) readPeering(s *assembly.Stack, id string, props map[string]any) {
	p := &peering{id: key(s, id), vpc: m.identity(s, id, "VpcId", props["VpcId"], "AWS::EC2::VPC"),
		peerVPC: m.identity(s, id, "PeerVpcId", props["PeerVpcId"], "AWS::EC2::VPC")}
	if region, ok := props["PeerRegion"].(string); ok && p.peerVPC != "" {
		if producer := m.stacks[stackOf(p.peerVPC)]; producer != nil && producer.Region != region {
			m.problem(s, id, "PeerRegion %s, but its PeerVpcId is a VPC in %s", region, producer.Region)
		}
	}
	m.peerings[p.id] = p
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

package reachability

import (
	"fmt"
	"net/netip"
	"sort"
	"strings"
)

// Layer is a part of the network that can refuse a flow.
type Layer string

const (
	SecurityGroups Layer = "security groups"
	Accelerator    Layer = "Global Accelerator"
	Routes         Layer = "routes"
	NetworkACLs    Layer = "network ACLs"
)

var layers = []Layer{SecurityGroups, Accelerator, Routes, NetworkACLs}

// Outcome is what a flow gets.
type Outcome int

const (
	// Denied: no address of the source reaches any address of the destination.
	Denied Outcome = iota
	// Partly: some pairs of addresses get through and some do not.
	Partly
	// Allowed: every address of the source reaches every address of the destination.
	Allowed
)

func (o Outcome) String() string { return [...]string{"denied", "partly allowed", "allowed"}[o] }

// Finding is one reason a layer refuses (all or part of) a flow.
type Finding struct {
	Layer  Layer
	Reason string
}

// Verdict is the evaluation of one flow.
type Verdict struct {
	Outcome Outcome
	// RefusedBy are the layers that each refuse the whole flow on their own, in the order
	// security groups, Global Accelerator, routes, network ACLs.
	RefusedBy []Layer
	// Findings say why, layer by layer; empty when the flow is allowed.
	Findings []Finding
	// Notes say what the verdict assumed (for example, a subnet's default network ACL).
	Notes []string
}

// Allowed reports whether every address of the source reaches every address of the destination.
func (v Verdict) Allowed() bool { return v.Outcome == Allowed }

// DeniedBy reports whether layer alone refuses the whole flow.
func (v Verdict) DeniedBy(layer Layer) bool {
	for _, l := range v.RefusedBy {
		if l == layer {
			return true
		}
	}
	return false
}

// String is the outcome and, for a refused flow, up to two reasons per layer.
func (v Verdict) String() string {
	if v.Outcome == Allowed {
		return "allowed"
	}
	var out strings.Builder
	out.WriteString(v.Outcome.String())
	if len(v.RefusedBy) > 0 {
		names := make([]string, len(v.RefusedBy))
		for i, l := range v.RefusedBy {
			names[i] = string(l)
		}
		out.WriteString(" by " + strings.Join(names, ", "))
	}
	for _, l := range layers {
		var reasons []string
		for _, f := range v.Findings {
			if f.Layer == l {
				reasons = append(reasons, f.Reason)
			}
		}
		if len(reasons) == 0 {
			continue
		}
		fmt.Fprintf(&out, "; %s: %s", l, strings.Join(reasons[:min(2, len(reasons))], "; "))
		if len(reasons) > 2 {
			fmt.Fprintf(&out, " (and %d more)", len(reasons)-2)
		}
	}
	return out.String()
}

type kind int

const (
	members     kind = iota // the members of a security group, in some subnets
	hosts                   // any address of some subnets, whatever its own groups allow
	internet                // the internet, in through an internet gateway or out through NAT
	accelerated             // internet clients through Global Accelerator (addresses preserved)
	prefixList              // internet addresses in a managed prefix list (CloudFront's)
	service                 // an AWS service behind a gateway endpoint (S3, DynamoDB)
)

// Endpoint is one end of a flow.
type Endpoint struct {
	// Name is how verdicts name it.
	Name       string
	kind       kind
	group      string
	subnets    []string
	prefixList string
	service    string
}

// Members are the members of security group (identity "stack/logicalId") placed in subnets
// (identities): the source's egress or the destination's ingress rules apply.
func Members(name, group string, subnets []string) Endpoint {
	return Endpoint{Name: name, kind: members, group: group, subnets: subnets}
}

// Hosts are any addresses of subnets whose own security groups allow the flow: only the other
// end's rules, the routes and the network ACLs apply.
func Hosts(name string, subnets []string) Endpoint {
	return Endpoint{Name: name, kind: hosts, subnets: subnets}
}

// Internet is any public address: as a source it comes in through an internet gateway, as a
// destination it is reached through a NAT or an internet gateway (AWS's public API endpoints
// are such a destination).
func Internet() Endpoint { return Endpoint{Name: "internet", kind: internet} }

// ThroughAccelerator is any public address reaching a Global Accelerator endpoint, which sees the
// client's own address (client IP preservation).
func ThroughAccelerator() Endpoint {
	return Endpoint{Name: "internet through Global Accelerator", kind: accelerated}
}

// PrefixList is the public addresses of a managed prefix list (such as CloudFront's
// origin-facing servers), coming in through an internet gateway.
func PrefixList(name, id string) Endpoint {
	return Endpoint{Name: fmt.Sprintf("%s (%s)", name, id), kind: prefixList, prefixList: id}
}

// GatewayService is an AWS service reached through a gateway endpoint of the source's VPC:
// "s3" or "dynamodb".
func GatewayService(name string) Endpoint {
	return Endpoint{Name: name + " gateway endpoint", kind: service, service: name}
}

// Flow is traffic that a source opens to a destination port.
type Flow struct {
	From, To Endpoint
	// Protocol is tcp (the default) or udp.
	Protocol string
	Port     int
}

// ephemeral are the ports a connection's replies go to, as network ACLs must allow them: the
// range AWS recommends, which covers NAT gateways, load balancers and Lambda.
var ephemeral = [2]int{1024, 65535}

type status int

const (
	fail status = iota
	partial
	pass
)

// addrs is a set of IPv4 addresses: every address of cidr except those in except; when group or
// prefixList is set, the members of that group or prefix list (inside cidr).
type addrs struct {
	name       string
	cidr       netip.Prefix
	except     []netip.Prefix
	group      string
	prefixList string
}

var (
	anyIPv4 = netip.MustParsePrefix("0.0.0.0/0")
	// notInternet are the ranges no internet client has: private, shared, loopback, link-local.
	notInternet = []netip.Prefix{
		netip.MustParsePrefix("10.0.0.0/8"), netip.MustParsePrefix("172.16.0.0/12"),
		netip.MustParsePrefix("192.168.0.0/16"), netip.MustParsePrefix("100.64.0.0/10"),
		netip.MustParsePrefix("127.0.0.0/8"), netip.MustParsePrefix("169.254.0.0/16"),
	}
)

func publicAddrs(name, prefixList string) addrs {
	return addrs{name: name, cidr: anyIPv4, except: notInternet, prefixList: prefixList}
}

// within reports how much of the set a CIDR covers.
func (a addrs) within(c netip.Prefix) status {
	switch {
	case !c.IsValid():
		return fail
	case contains(c, a.cidr):
		return pass
	case !c.Overlaps(a.cidr):
		return fail
	}
	for _, e := range a.except {
		if contains(e, c) {
			return fail
		}
	}
	return partial
}

func contains(outer, inner netip.Prefix) bool {
	return outer.Bits() <= inner.Bits() && outer.Contains(inner.Addr())
}

type point struct {
	sn  *subnet
	set addrs
}

type check struct {
	layer  Layer
	status status
	reason string
}

// Evaluate decides a flow for every pair of the source's and the destination's subnets: it is
// allowed when every pair passes every layer. An error means the flow names something the
// model does not have.
func (m *Model) Evaluate(f Flow) (Verdict, error) {
	if f.Protocol == "" {
		f.Protocol = "tcp"
	}
	sources, err := m.points(f.From)
	if err != nil {
		return Verdict{}, err
	}
	destinations, err := m.points(f.To)
	if err != nil {
		return Verdict{}, err
	}
	if sources[0].sn == nil && destinations[0].sn == nil {
		return Verdict{}, fmt.Errorf("%s → %s: one end of a flow must be inside a VPC", f.From.Name, f.To.Name)
	}
	if f.To.kind == accelerated || f.From.kind == service {
		return Verdict{}, fmt.Errorf("%s → %s: Global Accelerator's clients are only a source, a gateway endpoint's service only a destination", f.From.Name, f.To.Name)
	}
	var v Verdict
	pairs, passed, refused := 0, 0, map[Layer]int{}
	seen, defaultACL := map[Finding]bool{}, map[string]bool{}
	for _, src := range sources {
		for _, dst := range destinations {
			if dst.sn == nil && f.To.kind == service {
				region := m.stacks[stackOf(src.sn.id)].Region
				dst.set = publicAddrs(f.To.Name, "com.amazonaws."+region+"."+f.To.service)
			}
			pairs++
			worst := map[Layer]status{}
			pairStatus := pass
			for _, c := range m.pair(f, src, dst, defaultACL) {
				if s, ok := worst[c.layer]; !ok || c.status < s {
					worst[c.layer] = c.status
				}
				pairStatus = min(pairStatus, c.status)
				if c.status != pass {
					finding := Finding{Layer: c.layer, Reason: c.reason}
					if !seen[finding] {
						seen[finding] = true
						v.Findings = append(v.Findings, finding)
					}
				}
			}
			switch pairStatus {
			case pass:
				passed++
			case partial:
				v.Outcome = Partly
			}
			for l, s := range worst {
				if s == fail {
					refused[l]++
				}
			}
		}
	}
	if passed == pairs {
		v.Outcome = Allowed
	} else if passed > 0 {
		v.Outcome = Partly
	}
	for _, l := range layers {
		if refused[l] == pairs {
			v.RefusedBy = append(v.RefusedBy, l)
		}
	}
	switch {
	case len(defaultACL) > 0 && len(m.nacls) == 0:
		v.Notes = append(v.Notes, "network ACLs: the assembly declares none, so every subnet has its VPC's default network ACL, which allows all inbound and outbound traffic")
	case len(defaultACL) > 0:
		names := make([]string, 0, len(defaultACL))
		for name := range defaultACL {
			names = append(names, name)
		}
		sort.Strings(names)
		v.Notes = append(v.Notes, "network ACLs: no network ACL is associated with "+strings.Join(names, ", ")+
			", so each has its VPC's default network ACL, which allows all inbound and outbound traffic")
	}
	return v, nil
}

func (m *Model) points(e Endpoint) ([]point, error) {
	switch e.kind {
	case internet:
		return []point{{set: publicAddrs("the internet", "")}}, nil
	case accelerated:
		return []point{{set: publicAddrs("internet clients", "")}}, nil
	case prefixList:
		return []point{{set: publicAddrs(e.Name, e.prefixList)}}, nil
	case service:
		return []point{{}}, nil // the set depends on the source's region
	}
	var g *group
	if e.kind == members {
		if g = m.groups[e.group]; g == nil {
			return nil, fmt.Errorf("%s: no security group %s in the assembly", e.Name, e.group)
		}
	}
	if len(e.subnets) == 0 {
		return nil, fmt.Errorf("%s: placed in no subnet", e.Name)
	}
	var out []point
	for _, id := range e.subnets {
		sn := m.subnets[id]
		switch {
		case sn == nil:
			return nil, fmt.Errorf("%s: no subnet %s in the assembly", e.Name, id)
		case !sn.cidr.IsValid():
			return nil, fmt.Errorf("%s: subnet %s has no CIDR the model could read", e.Name, id)
		case g != nil && sn.vpc != g.vpc:
			return nil, fmt.Errorf("%s: group %s is in VPC %s, but subnet %s is in %s", e.Name, g.id, g.vpc, id, sn.vpc)
		}
		out = append(out, point{sn: sn, set: addrs{name: fmt.Sprintf("%s (%s)", sn.cidr, e.Name), cidr: sn.cidr, group: e.group}})
	}
	return out, nil
}

// pair checks one pair of a source and a destination point against every layer.
func (m *Model) pair(f Flow, src, dst point, defaultACL map[string]bool) []check {
	var checks []check
	port := fmt.Sprintf("%s/%d", f.Protocol, f.Port)
	if f.From.kind == members {
		s, rule := m.allows(m.groups[f.From.group], true, dst.set, f.Protocol, f.Port)
		checks = append(checks, check{SecurityGroups, s, groupReason(s, f.From.Name+" egress", "to", dst.set.name, port, rule)})
	}
	if f.To.kind == members {
		s, rule := m.allows(m.groups[f.To.group], false, src.set, f.Protocol, f.Port)
		checks = append(checks, check{SecurityGroups, s, groupReason(s, f.To.Name+" ingress", "from", src.set.name, port, rule)})
	}
	acl := func(sn *subnet, egress bool, peer addrs, lo, hi int) {
		if sn.nacl == "" {
			defaultACL[sn.String()] = true
			return
		}
		s, reason := m.naclAllows(m.nacls[sn.nacl], egress, peer, f.Protocol, lo, hi)
		if s != pass {
			direction, preposition := "inbound", "from"
			if egress {
				direction, preposition = "outbound", "to"
			}
			reason = fmt.Sprintf("the network ACL of %s refuses %s traffic %s %s on %s/%d-%d: %s", sn, direction, preposition, peer.name, f.Protocol, lo, hi, reason)
		}
		checks = append(checks, check{NetworkACLs, s, reason})
	}
	// The request goes from the source to the destination port, the reply back to an ephemeral
	// port: network ACLs are stateless and see both.
	both := func(sn *subnet, outbound bool, peer addrs) {
		if outbound { // sn opens the connection
			acl(sn, true, peer, f.Port, f.Port)
			acl(sn, false, peer, ephemeral[0], ephemeral[1])
		} else {
			acl(sn, false, peer, f.Port, f.Port)
			acl(sn, true, peer, ephemeral[0], ephemeral[1])
		}
	}
	switch {
	case src.sn != nil && dst.sn != nil:
		checks = append(checks, m.routeBetween(src.sn, dst.sn, false), m.routeBetween(dst.sn, src.sn, true))
		if src.sn != dst.sn { // traffic within a subnet crosses no network ACL
			both(src.sn, true, dst.set)
			both(dst.sn, false, src.set)
		}
	case f.From.kind == accelerated:
		checks = append(checks, m.throughAccelerator(f, dst.sn))
		// With client IP preservation, a subnet's network ACL applies to the replies only.
		acl(dst.sn, true, src.set, ephemeral[0], ephemeral[1])
	case dst.sn != nil: // from the internet or a prefix list of it, through an internet gateway
		checks = append(checks, m.fromInternet(dst.sn))
		both(dst.sn, false, src.set)
	case f.To.kind == internet:
		c, nat := m.toInternet(src.sn)
		checks = append(checks, c)
		both(src.sn, true, dst.set)
		if nat != nil && nat != src.sn {
			both(nat, false, src.set)
			both(nat, true, dst.set)
		}
	case f.To.kind == service:
		checks = append(checks, m.toService(src.sn, dst.set))
		both(src.sn, true, dst.set)
	}
	return checks
}

func groupReason(s status, who, preposition, peer, port, rule string) string {
	switch s {
	case fail:
		return fmt.Sprintf("%s has no rule %s %s on %s", who, preposition, peer, port)
	case partial:
		return fmt.Sprintf("%s admits only part of %s on %s (%s)", who, peer, port, rule)
	}
	return ""
}

// allows is how much of peer a group's rules admit (ingress) or reach (egress) on a port, and
// the best rule.
func (m *Model) allows(g *group, egress bool, peer addrs, protocol string, port int) (status, string) {
	rules := g.ingress
	if egress {
		rules = g.egress
	}
	best, where := fail, ""
	for _, r := range rules {
		if r.ipv6 || (r.protocol != "-1" && (r.protocol != protocol || port < r.from || port > r.to)) {
			continue
		}
		s := fail
		switch {
		case r.peerGroup != "":
			if r.peerGroup == peer.group {
				s = pass
			}
		case r.prefixes != "":
			// A managed prefix list holds the addresses of AWS services; no other client sends
			// from them.
			if r.prefixes == peer.prefixList {
				s = pass
			}
		default:
			s = peer.within(r.cidr)
		}
		if s > best {
			best, where = s, fmt.Sprintf("%s: %s", r.where, r.cidr)
		}
		if best == pass {
			break
		}
	}
	return best, where
}

// naclAllows decides a network ACL for every port of lo-hi and every address of peer: entries in
// rule-number order, the first that matches decides, and what none matches is denied.
func (m *Model) naclAllows(acl *nacl, egress bool, peer addrs, protocol string, lo, hi int) (status, string) {
	remaining := [][2]int{{lo, hi}}
	allowed, denied, reason := false, false, ""
	for _, e := range acl.entries {
		if e.egress != egress || (e.protocol != "-1" && e.protocol != protocol) {
			continue
		}
		covered := peer.within(e.cidr)
		if covered == fail || !overlapsAny(remaining, e.from, e.to) {
			continue
		}
		if e.allow {
			allowed = true
		} else {
			denied = true
			if reason == "" {
				reason = fmt.Sprintf("entry %d (%s) denies %s", e.number, e.where, e.cidr)
			}
		}
		if covered == pass {
			remaining = subtract(remaining, e.from, e.to)
		}
	}
	if len(remaining) > 0 {
		denied = true
		if reason == "" {
			reason = fmt.Sprintf("no entry allows ports %v, so the final * entry denies them", remaining)
		}
	}
	switch {
	case !denied:
		return pass, ""
	case !allowed:
		return fail, reason
	}
	return partial, reason
}

func overlapsAny(ranges [][2]int, lo, hi int) bool {
	for _, r := range ranges {
		if r[0] <= hi && lo <= r[1] {
			return true
		}
	}
	return false
}

func subtract(ranges [][2]int, lo, hi int) [][2]int {
	var out [][2]int
	for _, r := range ranges {
		if r[1] < lo || r[0] > hi {
			out = append(out, r)
			continue
		}
		if r[0] < lo {
			out = append(out, [2]int{r[0], lo - 1})
		}
		if r[1] > hi {
			out = append(out, [2]int{hi + 1, r[1]})
		}
	}
	return out
}

// lookup is the route a subnet's table takes to a set of addresses: a gateway endpoint's
// prefix-list route for its service, else the longest prefix that holds the whole set (the
// VPC's local route first among equals). A subnet without an associated table has the VPC's
// main table: its local route only.
func (m *Model) lookup(sn *subnet, set addrs) (route, bool) {
	var best route
	bits := -1
	if v := m.vpcs[sn.vpc]; v != nil && contains(v.cidr, set.cidr) {
		best, bits = route{where: "the local route", dest: v.cidr, kind: targetLocal}, v.cidr.Bits()
	}
	if table := m.tables[sn.table]; table != nil {
		for _, r := range table.routes {
			if r.prefixes != "" {
				if set.prefixList != "" && r.prefixes == set.prefixList {
					return r, true
				}
				continue
			}
			if contains(r.dest, set.cidr) && r.dest.Bits() > bits {
				best, bits = r, r.dest.Bits()
			}
		}
	}
	return best, bits >= 0
}

// routeBetween checks that a's table sends traffic for b's addresses to b: locally within a VPC,
// or through a peering connection that joins exactly a's and b's VPCs (peering is not
// transitive).
func (m *Model) routeBetween(a, b *subnet, back bool) check {
	from := "no route from"
	if back {
		from = "no route back from"
	}
	r, ok := m.lookup(a, addrs{cidr: b.cidr})
	switch {
	case !ok:
		return check{Routes, fail, fmt.Sprintf("%s %s to %s", from, a, b.cidr)}
	case a.vpc == b.vpc && r.kind == targetLocal:
		return check{Routes, pass, ""}
	case a.vpc == b.vpc:
		return check{Routes, fail, fmt.Sprintf("%s %s to %s locally: %s sends it to %s %s", from, a, b.cidr, r.where, r.kind, r.target)}
	case r.kind == targetPeering:
		p := m.peerings[r.target]
		if p != nil && p.joins(a.vpc, b.vpc) {
			return check{Routes, pass, ""}
		}
		joins := "an unknown connection"
		if p != nil {
			joins = fmt.Sprintf("a connection between %s and %s", p.vpc, p.peerVPC)
		}
		return check{Routes, fail, fmt.Sprintf("%s %s to %s: %s sends it to %s, %s; peering is not transitive", from, a, b.cidr, r.where, r.target, joins)}
	}
	return check{Routes, fail, fmt.Sprintf("%s %s to %s through a peering connection: %s sends it to %s %s", from, a, b.cidr, r.where, r.kind, r.target)}
}

// igwAttached reports whether an internet gateway is attached to the subnet's VPC.
func (m *Model) igwAttached(sn *subnet, igw string) bool {
	v := m.vpcs[sn.vpc]
	if v == nil {
		return false
	}
	for _, attached := range v.igws {
		if igw == "" || attached == igw {
			return true
		}
	}
	return false
}

// fromInternet checks that internet traffic can reach the subnet and be answered: its table
// routes the internet to the VPC's internet gateway.
func (m *Model) fromInternet(sn *subnet) check {
	r, ok := m.lookup(sn, publicAddrs("", ""))
	if ok && r.kind == targetIGW && m.igwAttached(sn, r.target) {
		return check{Routes, pass, ""}
	}
	goes := "it has no route for 0.0.0.0/0"
	if ok {
		goes = fmt.Sprintf("%s sends 0.0.0.0/0 to %s %s", r.where, r.kind, r.target)
	}
	return check{Routes, fail, fmt.Sprintf("%s has no route to an internet gateway, so internet traffic neither reaches it nor is answered (%s)", sn, goes)}
}

// toInternet checks that the subnet reaches the internet: through an internet gateway, or a NAT
// gateway in a subnet that does. It returns the NAT gateway's subnet, if any.
func (m *Model) toInternet(sn *subnet) (check, *subnet) {
	r, ok := m.lookup(sn, publicAddrs("", ""))
	switch {
	case !ok:
		return check{Routes, fail, fmt.Sprintf("no route from %s to the internet", sn)}, nil
	case r.kind == targetIGW && m.igwAttached(sn, r.target):
		return check{Routes, pass, ""}, nil
	case r.kind == targetNAT:
		nat := m.subnets[m.natSubnet[r.target]]
		if nat == nil {
			return check{Routes, fail, fmt.Sprintf("%s sends %s's internet traffic to %s, which is in no subnet of the assembly", r.where, sn, r.target)}, nil
		}
		if through, ok := m.lookup(nat, publicAddrs("", "")); ok && through.kind == targetIGW && m.igwAttached(nat, through.target) {
			return check{Routes, pass, ""}, nat
		}
		return check{Routes, fail, fmt.Sprintf("%s sends %s's internet traffic to %s, whose %s has no route to an internet gateway", r.where, sn, r.target, nat)}, nat
	}
	return check{Routes, fail, fmt.Sprintf("no route from %s to the internet: %s sends it to %s %s", sn, r.where, r.kind, r.target)}, nil
}

// toService checks that the subnet's table sends the service's prefix list to a gateway endpoint.
func (m *Model) toService(sn *subnet, set addrs) check {
	r, ok := m.lookup(sn, set)
	if ok && r.kind == targetEndpoint {
		return check{Routes, pass, ""}
	}
	goes := "and no route for it at all"
	if ok {
		goes = fmt.Sprintf("it would go to %s %s", r.kind, r.target)
	}
	return check{Routes, fail, fmt.Sprintf("the route table of %s has no gateway endpoint route for %s (%s)", sn, set.prefixList, goes)}
}

// throughAccelerator checks that Global Accelerator delivers the port to a resource carrying the
// destination's group, preserving client addresses, and that its VPC has an internet gateway
// attached (which Global Accelerator requires for endpoints in private subnets).
func (m *Model) throughAccelerator(f Flow, sn *subnet) check {
	if f.To.kind != members {
		return check{Accelerator, fail, fmt.Sprintf("Global Accelerator delivers only to endpoints; %s names no security group", f.To.Name)}
	}
	if !m.igwAttached(sn, "") {
		return check{Routes, fail, fmt.Sprintf("the VPC of %s has no internet gateway attached, which Global Accelerator needs to deliver internet traffic into it", sn)}
	}
	var endpoints []string
	for _, a := range m.attachments[f.To.group] {
		for _, e := range m.accelerated[a.resource] {
			endpoints = append(endpoints, e.where)
			for _, r := range e.ports {
				if f.Port >= r[0] && f.Port <= r[1] {
					if !e.preserve {
						return check{Accelerator, fail, fmt.Sprintf("%s delivers %s/%d to %s without client IP preservation: the endpoint sees the accelerator's addresses, not the client's", e.where, f.Protocol, f.Port, a.resource)}
					}
					return check{Accelerator, pass, ""}
				}
			}
		}
	}
	if len(endpoints) == 0 {
		return check{Accelerator, fail, fmt.Sprintf("no Global Accelerator endpoint group targets a resource of %s", f.To.Name)}
	}
	return check{Accelerator, fail, fmt.Sprintf("no listener of %s delivers %s/%d to %s", strings.Join(endpoints, ", "), f.Protocol, f.Port, f.To.Name)}
}

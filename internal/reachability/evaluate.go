package reachability

import (
	"fmt"
	"net/netip"
	"sort"
	"strings"
)

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

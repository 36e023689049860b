package reachability

import (
	"fmt"
	"strings"
)

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

package reachability

import (
	"fmt"
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

package network

import (
	"fmt"
	"net/netip"
)

// Layout is where a VPC's subnets fall in its range, one CIDR per availability zone. Other
// regions' security groups admit a region's tasks and reach its databases by these ranges
// (security groups cannot refer to groups in another region), so they are computed from the
// VPC's CIDR alone, exactly as the VPC construct allocates them.
type Layout struct {
	Private, Public, Isolated []string
}

// SubnetLayout is the layout of a VPC with cidr over zones availability zones. CDK allocates
// subnets in the order of the subnet configuration, each group in AZ order, packing each block
// after the previous one: the private subnets take a quarter of the range each (prefix+2),
// then the public and isolated ones a 64th each (prefix+6).
func SubnetLayout(cidr string, zones int) Layout {
	vpc, err := netip.ParsePrefix(cidr)
	if err != nil || !vpc.Addr().Is4() || vpc.Masked() != vpc || zones < 1 {
		panic(fmt.Sprintf("network.SubnetLayout(%q, %d): give a VPC's IPv4 range without host bits, such as 10.0.0.0/16, and its number of zones", cidr, zones))
	}
	next := vpc.Addr()
	allocate := func(bits int) []string {
		var out []string
		for range zones {
			block := netip.PrefixFrom(next, bits)
			out = append(out, block.String())
			next = lastAddr(block).Next()
		}
		return out
	}
	private := allocate(vpc.Bits() + 2)
	public := allocate(vpc.Bits() + 6)
	isolated := allocate(vpc.Bits() + 6)
	return Layout{Private: private, Public: public, Isolated: isolated}
}

func lastAddr(p netip.Prefix) netip.Addr {
	a := p.Addr().As4()
	host := 32 - p.Bits()
	for i := 3; i >= 0 && host > 0; i-- {
		n := min(host, 8)
		a[i] |= byte(1<<n - 1)
		host -= n
	}
	return netip.AddrFrom4(a)
}

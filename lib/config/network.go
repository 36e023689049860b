package config

import (
	"fmt"
	"net/netip"
	"regexp"
	"strings"
)

// privateRanges are RFC 1918: VPCs are routed and peered privately, never on public space.
var privateRanges = []netip.Prefix{
	netip.MustParsePrefix("10.0.0.0/8"),
	netip.MustParsePrefix("172.16.0.0/12"),
	netip.MustParsePrefix("192.168.0.0/16"),
}

const (
	// largestVPCPrefix is the largest VPC AWS allows; smallestVPCPrefix leaves room for
	// three AZs of public, private and isolated subnets.
	largestVPCPrefix  = 16
	smallestVPCPrefix = 20
)

var prefixListPattern = regexp.MustCompile(`^pl-[0-9a-f]{8,17}$`)

func validateRegion(path string, region Region, found *problems) {
	if checkRegion(found, path+".region", region.Region) {
		validateZones(path+".availabilityZones", region, found)
	}
	if region.CIDR == "" {
		found.add(path+".cidr", "required; a private range from /16 to /20 such as 10.0.0.0/16")
	} else if _, err := parseVPCCIDR(region.CIDR); err != nil {
		found.add(path+".cidr", err.Error())
	}
	if dial := region.TrafficDialPercent; dial != nil && (*dial < 0 || *dial > 100) {
		found.addf(path+".trafficDialPercent", "%s: must be 0 to 100 (the share of the region's accelerator traffic)",
			found.value(path+".trafficDialPercent", *dial))
	}
	switch {
	case region.CloudFrontPrefixListID == "" && IsRegion(region.Region):
		found.addf(path+".cloudFrontPrefixListId", "required for %s, whose CloudFront origin-facing prefix list the platform does not know; "+
			"find it with: aws ec2 describe-managed-prefix-lists --region %s --filters Name=prefix-list-name,Values=com.amazonaws.global.cloudfront.origin-facing",
			region.Region, region.Region)
	case region.CloudFrontPrefixListID != "" && !prefixListPattern.MatchString(region.CloudFrontPrefixListID):
		found.addf(path+".cloudFrontPrefixListId", "%s is not a prefix list ID such as pl-3b927c52",
			found.quoted(path+".cloudFrontPrefixListId", region.CloudFrontPrefixListID))
	}
	if region.NatGateways < 1 || region.NatGateways > AvailabilityZoneCount {
		found.addf(path+".natGateways", "%s: must be 1 to %d (one per AZ for production)", found.value(path+".natGateways", region.NatGateways), AvailabilityZoneCount)
	}
}

func validateZones(path string, region Region, found *problems) {
	if len(region.AvailabilityZones) != AvailabilityZoneCount {
		found.addf(path, "%d zones listed: the VPC spans exactly %d, such as %s",
			len(region.AvailabilityZones), AvailabilityZoneCount, strings.Join(defaultAvailabilityZones(region.Region), ", "))
		return
	}
	known := map[string]bool{}
	for _, zone := range availabilityZones(region.Region) {
		known[zone] = true
	}
	extraPath := strings.TrimSuffix(path, "availabilityZones") + "extraAvailabilityZones"
	for k, zone := range region.ExtraAvailabilityZones {
		if !isZoneName(zone, region.Region) {
			found.addf(fmt.Sprintf("%s[%d]", extraPath, k), "%q is not an availability zone name of %s; write one such as %sd", zone, region.Region, region.Region)
		}
		known[zone] = true
	}
	seen := map[string]bool{}
	for k, zone := range region.AvailabilityZones {
		zonePath := fmt.Sprintf("%s[%d]", path, k)
		switch {
		case !isZoneName(zone, region.Region):
			found.addf(zonePath, "%q is not an availability zone of %s; use names such as %sa", zone, region.Region, region.Region)
		case !known[zone]:
			found.addf(zonePath, "%q is not an availability zone of %s, which has %s; if your account has it (or AWS opened it lately), add it to %s",
				zone, region.Region, strings.Join(availabilityZones(region.Region), ", "), extraPath)
		case seen[zone]:
			found.addf(zonePath, "%s is listed twice; list three different zones", zone)
		}
		seen[zone] = true
	}
}

func isZoneName(zone, region string) bool {
	suffix, inRegion := strings.CutPrefix(zone, region)
	return inRegion && len(suffix) == 1 && suffix[0] >= 'a' && suffix[0] <= 'z'
}

// parseVPCCIDR accepts a private network address from /16 to /20.
func parseVPCCIDR(cidr string) (netip.Prefix, error) {
	prefix, err := netip.ParsePrefix(cidr)
	if err != nil || !prefix.Addr().Is4() {
		return prefix, fmt.Errorf("%q is not an IPv4 CIDR such as 10.0.0.0/16", cidr)
	}
	if prefix.Masked() != prefix {
		return prefix, fmt.Errorf("%s has host bits set; did you mean %s?", cidr, prefix.Masked())
	}
	if prefix.Bits() < largestVPCPrefix {
		return prefix, fmt.Errorf("%s is larger than AWS allows for a VPC; use /%d to /%d", cidr, largestVPCPrefix, smallestVPCPrefix)
	}
	if prefix.Bits() > smallestVPCPrefix {
		return prefix, fmt.Errorf("%s is too small for three AZs of public, private and isolated subnets; use /%d to /%d",
			cidr, largestVPCPrefix, smallestVPCPrefix)
	}
	for _, private := range privateRanges {
		if private.Contains(prefix.Addr()) {
			return prefix, nil
		}
	}
	return prefix, fmt.Errorf("%s is not a private range; use 10.0.0.0/8, 172.16.0.0/12 or 192.168.0.0/16 space", cidr)
}

// validateCIDRsDisjoint rejects overlaps anywhere in the platform, across environments too:
// every VPC may be peered or routed to another one day.
func validateCIDRsDisjoint(p *Platform, found *problems) {
	type vpc struct {
		path, where string
		prefix      netip.Prefix
	}
	var seen []vpc
	for i, env := range p.Environments {
		for j, region := range env.Regions {
			prefix, err := parseVPCCIDR(region.CIDR)
			if err != nil {
				continue // reported by validateRegion
			}
			current := vpc{fmt.Sprintf("environments[%d].regions[%d].cidr", i, j), env.Name + "/" + region.Region, prefix}
			for _, other := range seen {
				if other.prefix.Overlaps(current.prefix) {
					found.addf(current.path, "%s overlaps %s (%s, %s); pick a range outside %s",
						region.CIDR, other.path, other.where, other.prefix, other.prefix)
				}
			}
			seen = append(seen, current)
		}
	}
}

package config

import (
	"sort"
	"strings"
)

// regions are the commercial AWS regions (partition aws). The platform's templates use the aws
// partition's service principals and ARNs, so GovCloud and China regions are not accepted.
var regions = map[string]bool{
	"af-south-1": true, "ap-east-1": true, "ap-east-2": true, "ap-northeast-1": true,
	"ap-northeast-2": true, "ap-northeast-3": true, "ap-south-1": true, "ap-south-2": true,
	"ap-southeast-1": true, "ap-southeast-2": true, "ap-southeast-3": true, "ap-southeast-4": true,
	"ap-southeast-5": true, "ap-southeast-6": true, "ap-southeast-7": true, "ca-central-1": true,
	"ca-west-1": true, "eu-central-1": true, "eu-central-2": true, "eu-north-1": true,
	"eu-south-1": true, "eu-south-2": true, "eu-west-1": true, "eu-west-2": true, "eu-west-3": true,
	"il-central-1": true, "me-central-1": true, "me-south-1": true, "mx-central-1": true,
	"sa-east-1": true, "us-east-1": true, "us-east-2": true, "us-west-1": true, "us-west-2": true,
}

// zoneLetters are the letters of each region's availability-zone names, <region><letter>, as new
// accounts see them ("AWS Availability Zones", docs.aws.amazon.com/global-infrastructure/latest/
// regions/aws-availability-zones.html, read 2026-12-04). Older accounts in the oldest regions
// map zones to names of their own (ap-northeast-1b, ca-central-1c) and a region may open a zone
// after this was written: a region's extraAvailabilityZones names those.
var zoneLetters = map[string]string{
	"af-south-1": "abc", "ap-east-1": "abc", "ap-east-2": "abc", "ap-northeast-1": "acd",
	"ap-northeast-2": "abcd", "ap-northeast-3": "abc", "ap-south-1": "abc", "ap-south-2": "abc",
	"ap-southeast-1": "abc", "ap-southeast-2": "abc", "ap-southeast-3": "abc", "ap-southeast-4": "abc",
	"ap-southeast-5": "abc", "ap-southeast-6": "abc", "ap-southeast-7": "abc", "ca-central-1": "abd",
	"ca-west-1": "abc", "eu-central-1": "abc", "eu-central-2": "abc", "eu-north-1": "abc",
	"eu-south-1": "abc", "eu-south-2": "abc", "eu-west-1": "abc", "eu-west-2": "abc", "eu-west-3": "abc",
	"il-central-1": "abc", "me-central-1": "abc", "me-south-1": "abc", "mx-central-1": "abc",
	"sa-east-1": "abc", "us-east-1": "abcdef", "us-east-2": "abc", "us-west-1": "abc", "us-west-2": "abcd",
}

// availabilityZones are the zone names of region the table knows, in order.
func availabilityZones(region string) []string {
	var zones []string
	for _, letter := range zoneLetters[region] {
		zones = append(zones, region+string(letter))
	}
	return zones
}

// IsRegion reports whether code is a commercial AWS region the platform can deploy to.
func IsRegion(code string) bool { return regions[code] }

// Regions are the region codes IsRegion accepts, sorted.
func Regions() []string {
	all := make([]string, 0, len(regions))
	for r := range regions {
		all = append(all, r)
	}
	sort.Strings(all)
	return all
}

func defaultAvailabilityZones(region string) []string {
	if zones := availabilityZones(region); len(zones) >= AvailabilityZoneCount {
		return zones[:AvailabilityZoneCount]
	}
	return []string{region + "a", region + "b", region + "c"}
}

// closestRegion suggests the known region nearest to a mistyped code, or "" when none is close.
func closestRegion(code string) string {
	known := make([]string, 0, len(regions))
	for r := range regions {
		known = append(known, r)
	}
	sort.Strings(known)
	return closest(code, known)
}

// closest is the word of known nearest to a mistyped one, ignoring case, or "" when none is
// within two edits: what a "did you mean" suggests. Ties go to the earlier word of known.
func closest(word string, known []string) string {
	best, bestDistance := "", 3
	for _, k := range known {
		if d := editDistance(strings.ToLower(word), strings.ToLower(k)); d < bestDistance {
			best, bestDistance = k, d
		}
	}
	return best
}

func editDistance(a, b string) int {
	previous := make([]int, len(b)+1)
	current := make([]int, len(b)+1)
	for j := range previous {
		previous[j] = j
	}
	for i := 1; i <= len(a); i++ {
		current[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			current[j] = min(previous[j]+1, current[j-1]+1, previous[j-1]+cost)
		}
		previous, current = current, previous
	}
	return previous[len(b)]
}

// cloudFrontPrefixLists are the IDs of the managed prefix list
// com.amazonaws.global.cloudfront.origin-facing, which differ per region. Synthesis may not
// look them up, so they are listed here; a region missing from the list needs
// cloudFrontPrefixListId in config.
var cloudFrontPrefixLists = map[string]string{
	"ap-northeast-1": "pl-58a04531", "ap-northeast-2": "pl-22a6434b", "ap-northeast-3": "pl-31a14458",
	"ap-south-1": "pl-9aa247f3", "ap-southeast-1": "pl-31a34658", "ap-southeast-2": "pl-b8a742d1",
	"ca-central-1": "pl-38a64351", "eu-central-1": "pl-a3a144ca", "eu-north-1": "pl-fab65393",
	"eu-west-1": "pl-4fa04526", "eu-west-2": "pl-93a247fa", "eu-west-3": "pl-75b1541c",
	"sa-east-1": "pl-5da64334", "us-east-1": "pl-3b927c52", "us-east-2": "pl-b6a144df",
	"us-west-1": "pl-4ea04527", "us-west-2": "pl-82a045eb",
}

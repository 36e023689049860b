package config

import (
	"fmt"
	"net/mail"
	"net/netip"
	"regexp"
	"strings"
)

var (
	platformNamePattern    = regexp.MustCompile(`^[a-z][a-z0-9-]{0,14}[a-z0-9]$`)
	environmentNamePattern = regexp.MustCompile(`^[a-z][a-z0-9-]{0,10}[a-z0-9]$`)
	accountPattern         = regexp.MustCompile(`^[0-9]{12}$`)
	tagValuePattern        = regexp.MustCompile(`^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,256}$`)
	connectionArnPattern   = regexp.MustCompile(`^arn:aws:(codeconnections|codestar-connections):([a-z0-9-]+):([0-9]{12}):connection/[0-9a-f-]{36}$`)
	repositoryPattern      = regexp.MustCompile(`^[A-Za-z0-9_.-]+/[A-Za-z0-9_./-]+$`)
	codeCommitPattern      = regexp.MustCompile(`^[A-Za-z0-9_.-]{1,100}$`)
	branchPattern          = regexp.MustCompile(`^[A-Za-z0-9._/-]{1,255}$`)
	domainPattern          = regexp.MustCompile(`^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$`)
	hostedZonePattern      = regexp.MustCompile(`^Z[A-Z0-9]{5,32}$`)
	dbInstanceClassPattern = regexp.MustCompile(`^db\.[a-z][a-z0-9-]*\.[a-z0-9]+$`)
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
	maxDBInstances    = 16 // Aurora: one writer and up to 15 readers
	maxTaskCount      = 1000
)

func validate(p *Platform, found *problems) {
	checkPattern(found, "name", p.Name, platformNamePattern,
		"2-16 lowercase letters, digits and hyphens, starting with a letter (it prefixes every stack and bucket name)")
	checkTagValue(found, "owner", p.Owner, true)
	checkTagValue(found, "costCentre", p.CostCentre, false)
	validateEmails(p.AlertEmails, found)
	validatePipeline(p.Pipeline, found)
	validateApprovers(p.Pipeline.Approvers, found)
	validateService(p.Service, found)
	if len(p.Environments) == 0 {
		found.add("environments", "required; list at least one environment, e.g. {\"name\": \"prod\", ...}")
	}
	seenNames := map[string]int{}
	for i, env := range p.Environments {
		path := fmt.Sprintf("environments[%d]", i)
		if first, dup := seenNames[env.Name]; dup && env.Name != "" {
			found.addf(path+".name", "%q is also the name of environments[%d]; environment names must be unique", env.Name, first)
		} else {
			seenNames[env.Name] = i
		}
		validateEnvironment(path, env, found)
		validatePipelineStage(path, env, found)
	}
	validateCIDRsDisjoint(p, found)
}

func validateEmails(emails []string, found *problems) {
	if len(emails) == 0 {
		found.add("alertEmails", "required; list at least one address that receives alarms and approval requests")
	}
	for i, email := range emails {
		address, err := mail.ParseAddress(email)
		if err != nil || address.Address != email || !strings.Contains(email[strings.LastIndex(email, "@")+1:], ".") {
			found.addf(fmt.Sprintf("alertEmails[%d]", i), "%q is not an e-mail address; write a bare address such as oncall@example.com", email)
		}
	}
}

func validatePipeline(pipeline Pipeline, found *problems) {
	checkAccount(found, "pipeline.account", pipeline.Account)
	checkRegion(found, "pipeline.region", pipeline.Region)
	source := pipeline.Source
	switch {
	case source.CodeConnections != nil && source.CodeCommit != nil:
		found.add("pipeline.source", "set one of codeConnections or codeCommit, not both")
	case source.CodeConnections == nil && source.CodeCommit == nil:
		found.add("pipeline.source", "required; set codeConnections {connectionArn, repository} or codeCommit {repository}")
	case source.CodeConnections != nil:
		c := source.CodeConnections
		checkPattern(found, "pipeline.source.codeConnections.connectionArn", c.ConnectionArn, connectionArnPattern,
			"a CodeConnections ARN such as arn:aws:codeconnections:us-east-1:111111111111:connection/<uuid>")
		checkPattern(found, "pipeline.source.codeConnections.repository", c.Repository, repositoryPattern, "owner/name")
		switch c.Provider {
		case ProviderGitHub, ProviderGitLab, ProviderBitbucket:
		default:
			found.addf("pipeline.source.codeConnections.provider", "%q is not a provider; use %s, %s or %s, as the connection's "+
				"provider type says (aws codeconnections get-connection --connection-arn <arn>); only %s repositories get pull-request checks",
				c.Provider, ProviderGitHub, ProviderGitLab, ProviderBitbucket, ProviderGitHub)
		}
	default:
		checkPattern(found, "pipeline.source.codeCommit.repository", source.CodeCommit.Repository, codeCommitPattern,
			"a CodeCommit repository name: up to 100 letters, digits, '.', '_' or '-'")
	}
	checkPattern(found, "pipeline.source.branch", source.Branch, branchPattern, "a branch name such as main")
}

func validateEnvironment(path string, env Environment, found *problems) {
	checkPattern(found, path+".name", env.Name, environmentNamePattern,
		"2-12 lowercase letters, digits and hyphens, starting with a letter, such as staging or prod")
	if env.Name == ToolingName {
		found.addf(path+".name", "%q names the tooling account's stacks (the pipeline and the image repositories); pick another name", env.Name)
	}
	checkAccount(found, path+".account", env.Account)
	if len(env.Regions) == 0 {
		found.add(path+".regions", "required; list at least one region, the primary first")
	}
	seen := map[string]int{}
	for j, region := range env.Regions {
		regionPath := fmt.Sprintf("%s.regions[%d]", path, j)
		if first, dup := seen[region.Region]; dup && region.Region != "" {
			found.addf(regionPath+".region", "%s is already %s.regions[%d]; list each region once", region.Region, path, first)
		} else {
			seen[region.Region] = j
		}
		validateRegion(regionPath, region, found)
	}
	validateSizing(path+".sizing", env.Sizing, found)
	validateDeployment(path+".deployment", env.Deployment, found)
	validateDatabase(path+".database", env.Database, found)
	validateEdge(path+".edge", env.Edge, found)
	validateEvents(path+".events", env.Events, found)
	if env.DNS != nil {
		checkPattern(found, path+".dns.domainName", env.DNS.DomainName, domainPattern,
			"the lowercase name of the environment's hosted zone, such as example.com")
		checkPattern(found, path+".dns.hostedZoneId", env.DNS.HostedZoneID, hostedZonePattern,
			"a Route 53 hosted zone ID such as Z0123456789ABCDEFGHIJ")
	}
}

var (
	// staticPathPattern is a CloudFront path pattern: the characters CloudFront accepts.
	staticPathPattern = regexp.MustCompile(`^/[A-Za-z0-9_.*$/~"'@:+&-]{1,254}$`)
	prefixListPattern = regexp.MustCompile(`^pl-[0-9a-f]{8,17}$`)
)

func validateEdge(path string, e Edge, found *problems) {
	switch e.PriceClass {
	case PriceClass100, PriceClass200, PriceClassAll:
	default:
		found.addf(path+".priceClass", "%q is not a price class; use %s, %s or %s", e.PriceClass, PriceClass100, PriceClass200, PriceClassAll)
	}
	// WAF's rate-based rules accept 10 and up; below 100 per 5 minutes a browser loading
	// one page with its assets would be blocked.
	if e.RateLimit < 100 || e.RateLimit > 2000000000 {
		found.addf(path+".rateLimit", "%d: must be 100 to 2000000000 requests per client IP in 5 minutes", e.RateLimit)
	}
	seen := map[string]bool{}
	for i, pattern := range e.StaticPaths {
		itemPath := fmt.Sprintf("%s.staticPaths[%d]", path, i)
		switch {
		case !staticPathPattern.MatchString(pattern) || pattern == "/*":
			found.addf(itemPath, "%q is not a path pattern for cached content; write one such as /static/* (not /*, which is every request)", pattern)
		case strings.HasPrefix(pattern, HealthPathPrefix):
			found.addf(itemPath, "%q: paths under %s are the platform's own health routes and are never cached", pattern, HealthPathPrefix)
		case seen[pattern]:
			found.addf(itemPath, "%q is listed twice", pattern)
		}
		seen[pattern] = true
	}
	if a := e.Accelerator; a.HealthCheckIntervalSeconds != 10 && a.HealthCheckIntervalSeconds != 30 {
		found.addf(path+".accelerator.healthCheckIntervalSeconds", "%d: Global Accelerator checks every 10 or 30 seconds", a.HealthCheckIntervalSeconds)
	}
	if t := e.Accelerator.HealthCheckThreshold; t < 1 || t > 10 {
		found.addf(path+".accelerator.healthCheckThreshold", "%d: must be 1 to 10", t)
	}
}

// HealthPathPrefix starts the CloudFront paths that reach one region's health check
// (<prefix><region>), for Route 53 health checks and the pipeline's smoke test.
const HealthPathPrefix = "/.platform/health/"

// globalDatabaseMajors are the Aurora PostgreSQL major versions that support global databases.
var globalDatabaseMajors = map[string]bool{"13": true, "14": true, "15": true, "16": true, "17": true}

var engineVersionPattern = regexp.MustCompile(`^[0-9]+\.[0-9]+$`)

func validateDatabase(path string, d Database, found *problems) {
	switch {
	case !engineVersionPattern.MatchString(d.EngineVersion):
		found.addf(path+".engineVersion", "%q is not an Aurora PostgreSQL version; write major.minor, such as 16.6", d.EngineVersion)
	case !globalDatabaseMajors[d.EngineMajorVersion()]:
		found.addf(path+".engineVersion", "%s: Aurora global databases need PostgreSQL 13 to 17", d.EngineVersion)
	}
}

func validateDeployment(path string, d Deployment, found *problems) {
	switch d.Strategy {
	case StrategyBlueGreen, StrategyLinear, StrategyCanary:
	default:
		found.addf(path+".strategy", "%q is not a strategy; use %s, %s or %s", d.Strategy, StrategyBlueGreen, StrategyLinear, StrategyCanary)
	}
	// ECS accepts bake times up to 1440 minutes; beyond a day a deployment blocks the next.
	if d.BakeTimeMinutes < 1 || d.BakeTimeMinutes > 1440 {
		found.addf(path+".bakeTimeMinutes", "%d: must be 1 to 1440", d.BakeTimeMinutes)
	}
	if d.StepPercent < 1 || d.StepPercent > 99 {
		found.addf(path+".stepPercent", "%d: must be 1 to 99 (a share of traffic per step)", d.StepPercent)
	}
	if d.StepMinutes < 1 || d.StepMinutes > 1440 {
		found.addf(path+".stepMinutes", "%d: must be 1 to 1440", d.StepMinutes)
	}
}

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
		found.addf(path+".trafficDialPercent", "%d: must be 0 to 100 (the share of the region's accelerator traffic)", *dial)
	}
	switch {
	case region.CloudFrontPrefixListID == "" && IsRegion(region.Region):
		found.addf(path+".cloudFrontPrefixListId", "required for %s, whose CloudFront origin-facing prefix list the platform does not know; "+
			"find it with: aws ec2 describe-managed-prefix-lists --region %s --filters Name=prefix-list-name,Values=com.amazonaws.global.cloudfront.origin-facing",
			region.Region, region.Region)
	case region.CloudFrontPrefixListID != "" && !prefixListPattern.MatchString(region.CloudFrontPrefixListID):
		found.addf(path+".cloudFrontPrefixListId", "%q is not a prefix list ID such as pl-3b927c52", region.CloudFrontPrefixListID)
	}
	if region.NatGateways < 1 || region.NatGateways > AvailabilityZoneCount {
		found.addf(path+".natGateways", "%d: must be 1 to %d (one per AZ for production)", region.NatGateways, AvailabilityZoneCount)
	}
}

func validateZones(path string, region Region, found *problems) {
	if len(region.AvailabilityZones) != AvailabilityZoneCount {
		found.addf(path, "%d zones listed: the VPC spans exactly %d, such as %s",
			len(region.AvailabilityZones), AvailabilityZoneCount, strings.Join(defaultAvailabilityZones(region.Region), ", "))
		return
	}
	seen := map[string]bool{}
	for k, zone := range region.AvailabilityZones {
		zonePath := fmt.Sprintf("%s[%d]", path, k)
		suffix, inRegion := strings.CutPrefix(zone, region.Region)
		switch {
		case !inRegion || len(suffix) != 1 || suffix[0] < 'a' || suffix[0] > 'z':
			found.addf(zonePath, "%q is not an availability zone of %s; use names such as %sa", zone, region.Region, region.Region)
		case seen[zone]:
			found.addf(zonePath, "%s is listed twice; list three different zones", zone)
		}
		seen[zone] = true
	}
}

// validSizes maps Fargate CPU units to the memory sizes (MiB) AWS accepts with them.
var validSizes = map[int][]int{
	256:   {512, 1024, 2048},
	512:   steps(1024, 4096, 1024),
	1024:  steps(2048, 8192, 1024),
	2048:  steps(4096, 16384, 1024),
	4096:  steps(8192, 30720, 1024),
	8192:  steps(16384, 61440, 4096),
	16384: steps(32768, 122880, 8192),
}

func steps(from, to, step int) []int {
	var sizes []int
	for size := from; size <= to; size += step {
		sizes = append(sizes, size)
	}
	return sizes
}

func validateSizing(path string, s Sizing, found *problems) {
	memories, cpuOK := validSizes[s.TaskCPU]
	if !cpuOK {
		found.addf(path+".taskCpu", "%d is not a Fargate CPU size; use 256, 512, 1024, 2048, 4096, 8192 or 16384", s.TaskCPU)
	} else if !contains(memories, s.TaskMemoryMiB) {
		found.addf(path+".taskMemoryMiB", "%d MiB does not go with taskCpu %d; Fargate accepts %s MiB",
			s.TaskMemoryMiB, s.TaskCPU, describeSizes(memories))
	}
	if s.MinCapacity < 1 || s.MinCapacity > maxTaskCount {
		found.addf(path+".minCapacity", "%d: must be 1 to %d", s.MinCapacity, maxTaskCount)
	}
	if s.MaxCapacity < s.MinCapacity || s.MaxCapacity > maxTaskCount {
		found.addf(path+".maxCapacity", "%d: must be from minCapacity (%d) to %d", s.MaxCapacity, s.MinCapacity, maxTaskCount)
	}
	checkPattern(found, path+".dbInstanceClass", s.DBInstanceClass, dbInstanceClassPattern, "an Aurora instance class such as db.r7g.large")
	if s.DBInstances < 1 || s.DBInstances > maxDBInstances {
		found.addf(path+".dbInstances", "%d: must be 1 to %d (one writer and up to 15 readers)", s.DBInstances, maxDBInstances)
	}
	if s.BackupRetentionDays < 1 || s.BackupRetentionDays > 35 {
		found.addf(path+".backupRetentionDays", "%d: Aurora keeps automated backups for 1 to 35 days", s.BackupRetentionDays)
	}
}

func describeSizes(sizes []int) string {
	if len(sizes) <= 4 {
		return strings.Trim(strings.Join(strings.Fields(fmt.Sprint(sizes)), ", "), "[]")
	}
	return fmt.Sprintf("%d to %d in steps of %d", sizes[0], sizes[len(sizes)-1], sizes[1]-sizes[0])
}

func contains(list []int, value int) bool {
	for _, v := range list {
		if v == value {
			return true
		}
	}
	return false
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

func checkPattern(found *problems, path, value string, pattern *regexp.Regexp, want string) {
	switch {
	case value == "":
		found.addf(path, "required; %s", want)
	case !pattern.MatchString(value):
		found.addf(path, "%q is not valid; want %s", value, want)
	}
}

func checkTagValue(found *problems, path, value string, required bool) {
	if value == "" && !required {
		return
	}
	checkPattern(found, path, value, tagValuePattern, "up to 256 letters, digits, spaces and _.:/=+-@ (it becomes a tag value)")
}

func checkAccount(found *problems, path, account string) {
	checkPattern(found, path, account, accountPattern, "a 12-digit AWS account ID such as 111111111111")
}

// checkRegion reports whether region is a known region code, reporting it if not.
func checkRegion(found *problems, path, region string) bool {
	switch {
	case region == "":
		found.add(path, "required; an AWS region code such as us-east-1")
	case !IsRegion(region):
		hint := "use a commercial AWS region code such as us-east-1"
		if guess := closestRegion(region); guess != "" {
			hint = "did you mean " + guess + "?"
		}
		found.addf(path, "%q is not an AWS region; %s", region, hint)
	default:
		return true
	}
	return false
}

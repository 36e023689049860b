package config

import (
	"fmt"
	"net/mail"
	"regexp"
	"strings"
)

// Validation is split by what it checks: this file the platform and each environment as a
// whole; pipeline.go the pipeline; network.go regions, zones and CIDRs; sizing.go the service's
// and database's size and the deployments; edge.go CloudFront, WAF and Global Accelerator;
// service.go the service.

var (
	platformNamePattern    = regexp.MustCompile(`^[a-z][a-z0-9-]{0,14}[a-z0-9]$`)
	environmentNamePattern = regexp.MustCompile(`^[a-z][a-z0-9-]{0,10}[a-z0-9]$`)
	accountPattern         = regexp.MustCompile(`^[0-9]{12}$`)
	tagValuePattern        = regexp.MustCompile(`^[\p{L}\p{Z}\p{N}_.:/=+\-@]{1,256}$`)
	domainPattern          = regexp.MustCompile(`^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$`)
	hostedZonePattern      = regexp.MustCompile(`^Z[A-Z0-9]{5,32}$`)
)

func validate(p *Platform, found *problems) {
	checkPattern(found, "name", p.Name, platformNamePattern,
		"2-16 lowercase letters, digits and hyphens, starting with a letter (it prefixes every stack and bucket name)")
	checkTagValue(found, "owner", p.Owner, true)
	checkTagValue(found, "costCentre", p.CostCentre, false)
	validateTagKeys(p.Tags.Keys, found)
	if p.CostCentre == "" && !found.defaulted["tags.keys.costCentre"] {
		// A key named for a tag policy that requires it, with no value to tag, would leave every
		// resource without it and every create refused.
		found.addf("tags.keys.costCentre", "%s names the cost-centre tag, but costCentre is not set, so no resource would carry it; "+
			"set costCentre, or drop tags.keys.costCentre", found.quoted("tags.keys.costCentre", p.Tags.Keys.CostCentre))
	}
	validateEmails(p.AlertEmails, found)
	validatePipeline(p.Pipeline, found)
	validateApprovers(p, found)
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
		validateLogSearch(path+".monitoring", p.Name, env, found)
	}
	validateCIDRsDisjoint(p, found)
	validateBaseline(p, found)
	validatePermissionsBoundary(p, found)
	validatePlan(p, found)
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

func validateEnvironment(path string, env Environment, found *problems) {
	checkPattern(found, path+".name", env.Name, environmentNamePattern,
		"2-12 lowercase letters, digits and hyphens, starting with a letter, such as staging or prod")
	if env.Name == ToolingName {
		found.addf(path+".name", "%q names the tooling account's stacks (the pipeline and the image repositories); pick another name", env.Name)
	}
	if env.Name == BaselineName {
		found.addf(path+".name", "%q names the pipeline stage of every account's security baseline; pick another name", env.Name)
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
	validateEdge(path+".edge", env.Edge, len(env.Regions), found)
	validateMonitoring(path+".monitoring", env.Monitoring, found)
	if env.HasObserver() {
		validateObserver(path, env, found)
	}
	validateFootprint(path, env, found)
	validateBudget(path+".budget", env.Budget, found)
	validateEvents(path+".events", env.Events, found)
	validateBackupAndDrills(path, env, found)
	validateRecovery(path+".recovery", env.Recovery, env.Monitoring, env.HasRecovery() && len(env.Regions) > 1, found)
	if env.DNS != nil {
		checkPattern(found, path+".dns.domainName", env.DNS.DomainName, domainPattern,
			"the lowercase name of the environment's hosted zone, such as example.com")
		checkPattern(found, path+".dns.hostedZoneId", env.DNS.HostedZoneID, hostedZonePattern,
			"a Route 53 hosted zone ID such as Z0123456789ABCDEFGHIJ")
	}
}

func checkPattern(found *problems, path, value string, pattern *regexp.Regexp, want string) {
	switch {
	case value == "":
		found.addf(path, "required; %s", want)
	case !pattern.MatchString(value):
		found.addf(path, "%s is not valid; want %s", found.quoted(path, value), want)
	}
}

func checkTagValue(found *problems, path, value string, required bool) {
	if value == "" && !required {
		return
	}
	checkPattern(found, path, value, tagValuePattern, "up to 256 letters, digits, spaces and _.:/=+-@ (it becomes a tag value)")
}

// IsAccount reports whether account is a 12-digit AWS account ID.
func IsAccount(account string) bool { return accountPattern.MatchString(account) }

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

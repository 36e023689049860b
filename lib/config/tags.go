package config

import (
	"regexp"
	"strings"
	"unicode/utf8"
)

// Tags configures the tags every resource of the platform carries.
type Tags struct {
	// Keys are the tag keys, for an organization whose tag policy enforces its own keys or
	// capitalisation (such as Environment or CostCenter).
	Keys TagKeys `json:"keys,omitempty"`
}

// TagKeys name the platform's tags. Each is 1 to 128 letters, digits, spaces and _.:/=+-@, not
// starting with aws: or rds:, and no two are the same (ignoring case, as IAM compares tag keys). Every
// reader of a tag (cost filters, IAM conditions, Resilience Hub's application) uses these.
type TagKeys struct {
	// Platform is the key of the tag whose value is the platform's name. Default: platform.
	Platform string `json:"platform,omitempty"`
	// Environment is the key of the tag whose value is the environment's name (tooling, baseline
	// for the stacks of no environment). Default: environment.
	Environment string `json:"environment,omitempty"`
	// Owner is the key of the tag whose value is owner. Default: owner.
	Owner string `json:"owner,omitempty"`
	// CostCentre is the key of the tag whose value is costCentre, where it is set. Default:
	// cost-centre.
	CostCentre string `json:"costCentre,omitempty"`
}

// Default tag keys.
const (
	DefaultPlatformTagKey    = "platform"
	DefaultEnvironmentTagKey = "environment"
	DefaultOwnerTagKey       = "owner"
	DefaultCostCentreTagKey  = "cost-centre"
)

// tagKeyPattern is what AWS allows in a tag key (Tag in the Resource Groups Tagging API
// reference): letters, digits and spaces representable in UTF-8, and _.:/=+-@.
var tagKeyPattern = regexp.MustCompile(`^[\p{L}\p{Z}\p{N}_.:/=+\-@]+$`)

// maxTagKeyLength is AWS's longest tag key, in Unicode characters.
const maxTagKeyLength = 128

// reservedTagPrefixes start tag keys that AWS keeps: aws: everywhere, rds: on the database's
// instances and clusters (RDS's Tag.Key), which carry the platform's tags too.
var reservedTagPrefixes = []string{"aws:", "rds:"}

// reservedTagPrefix is the reserved prefix key starts with, in any case, or "".
func reservedTagPrefix(key string) string {
	for _, prefix := range reservedTagPrefixes {
		if strings.HasPrefix(strings.ToLower(key), prefix) {
			return prefix
		}
	}
	return ""
}

func applyTagDefaults(d defaulted, k *TagKeys) {
	d.string("tags.keys.platform", &k.Platform, DefaultPlatformTagKey)
	d.string("tags.keys.environment", &k.Environment, DefaultEnvironmentTagKey)
	d.string("tags.keys.owner", &k.Owner, DefaultOwnerTagKey)
	d.string("tags.keys.costCentre", &k.CostCentre, DefaultCostCentreTagKey)
}

func validateTagKeys(k TagKeys, found *problems) {
	seen := map[string]string{}
	for _, f := range []struct{ name, key string }{
		{"platform", k.Platform}, {"environment", k.Environment}, {"owner", k.Owner}, {"costCentre", k.CostCentre},
	} {
		path := "tags.keys." + f.name
		switch {
		case utf8.RuneCountInString(f.key) < 1 || utf8.RuneCountInString(f.key) > maxTagKeyLength || !tagKeyPattern.MatchString(f.key):
			found.addf(path, "%s is not a tag key; want 1 to %d letters, digits, spaces and _.:/=+-@, such as %q",
				found.quoted(path, f.key), maxTagKeyLength, strings.ToUpper(f.name[:1])+f.name[1:])
		case reservedTagPrefix(f.key) != "":
			found.addf(path, "%s starts with %s, which AWS keeps for its own tags; name a key of your organization's, such as %q",
				found.quoted(path, f.key), reservedTagPrefix(f.key), strings.ToUpper(f.name[:1])+f.name[1:])
		case seen[strings.ToLower(f.key)] != "":
			found.addf(path, "%s is also tags.keys.%s (tag keys are compared ignoring case); give each tag its own key",
				found.quoted(path, f.key), seen[strings.ToLower(f.key)])
		default:
			seen[strings.ToLower(f.key)] = f.name
		}
	}
}

// TagsOf are the tags every resource of environment carries (its name, or tooling or baseline for
// the stacks of no environment, and the bootstrap stack's), under the keys tags.keys names.
func (p *Platform) TagsOf(environment string) map[string]string {
	keys := p.Tags.Keys
	tags := map[string]string{
		keys.Platform:    p.Name,
		keys.Environment: environment,
		keys.Owner:       p.Owner,
	}
	if p.CostCentre != "" {
		tags[keys.CostCentre] = p.CostCentre
	}
	return tags
}

package stacks

import (
	"regexp"
	"strings"
	"testing"

	"github.com/example/platform/lib/probes"
)

// Canary names must be valid for the longest platform (16 characters) and environment (12)
// names config accepts: CreateCanary takes ^[0-9a-z_\-]+$, and Synthetics names the canary's
// function and log group after its first 21 characters (DeleteCanary), so the platform keeps to
// 21 (probes.MaxNameLength). Cut to fit, they still differ for every environment and region.
func TestNames_CanaryNamesFitForTheLongestConfigNames(t *testing.T) {
	valid := regexp.MustCompile(`^[0-9a-z_-]+$`)
	platform := "p" + strings.Repeat("x", 15)
	seen := map[string]string{}
	for _, environment := range []string{"e" + strings.Repeat("y", 11), "e" + strings.Repeat("y", 10) + "z"} {
		for _, region := range []string{"us-east-1", "us-west-2", "ap-southeast-2", "ap-southeast-3"} {
			name := CanaryName(platform, environment, region)
			if len(name) > probes.MaxNameLength || !valid.MatchString(name) {
				t.Errorf("canary name %q (%d characters) is not valid: at most %d of a-z, 0-9, - and _", name, len(name), probes.MaxNameLength)
			}
			where := environment + "/" + region
			if other, dup := seen[name]; dup {
				t.Errorf("canary name %q is %s's and %s's", name, where, other)
			}
			seen[name] = where
		}
	}
	if name := CanaryName("acme", "prod", "us-east-1"); !strings.HasPrefix(name, "acme-prod-") {
		t.Errorf("CanaryName(acme, prod, us-east-1) = %q, want it to start with acme-prod- (people find it by its environment)", name)
	}
	// SSM parameter names: at most 1011 characters of a-z, A-Z, 0-9, _.-/ (PutParameter).
	ssm := regexp.MustCompile(`^/[A-Za-z0-9_.\-/]+$`)
	for _, name := range []string{SiteAddressParameter(platform, "e"+strings.Repeat("y", 11)), APIAddressParameter(platform, "e"+strings.Repeat("y", 11))} {
		if len(name) > 1011 || !ssm.MatchString(name) {
			t.Errorf("SSM parameter name %q is not valid", name)
		}
	}
}

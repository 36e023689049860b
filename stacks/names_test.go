package stacks

import (
	"regexp"
	"strings"
	"testing"

	"github.com/example/platform/lib/config"
)

// The event tier's fixed names must be valid for the longest platform (16 characters) and
// environment (12) names config accepts: EventBridge takes bus names of 1-256 of [/.-_A-Za-z0-9]
// and archive names of 1-48 of [.-_A-Za-z0-9]; SQS queue names of 1-80 of [A-Za-z0-9_-].
func TestNames_EventNamesAreValidForTheLongestConfigNames(t *testing.T) {
	platform, environment := "p"+strings.Repeat("x", 15), "e"+strings.Repeat("y", 11)
	for _, c := range []struct {
		what, name string
		max        int
		pattern    string
	}{
		{"event bus", EventBusName(platform, environment), 256, `^[/.\-_A-Za-z0-9]+$`},
		{"event archive", EventArchiveName(platform, environment), 48, `^[.\-_A-Za-z0-9]+$`},
		{"work queue", WorkQueueName(platform, environment), 80, `^[A-Za-z0-9_-]+$`},
	} {
		if len(c.name) > c.max || !regexp.MustCompile(c.pattern).MatchString(c.name) {
			t.Errorf("%s name %q (%d characters) is not valid: at most %d of %s", c.what, c.name, len(c.name), c.max, c.pattern)
		}
	}
	if source := EventSource("acme", "api"); source != "acme.api" {
		t.Errorf("event source %q, want <platform>.<service>", source)
	}
}

// The backup vault's name must be 2-50 of [a-zA-Z0-9-_] (AWS::Backup::BackupVault
// BackupVaultName) and an IAM role's at most 64 of [\w+=,.@-], for the longest platform,
// environment and region names config accepts.
func TestNames_BackupAndDrillNamesAreValidForTheLongestConfigNames(t *testing.T) {
	platform, environment, region := "p"+strings.Repeat("x", 15), "e"+strings.Repeat("y", 11), "ap-southeast-7"
	for _, c := range []struct {
		what, name string
		max        int
		pattern    string
	}{
		{"backup vault", BackupVaultName(platform, environment), 50, `^[a-zA-Z0-9\-_]{2,}$`},
		{"backup plan", BackupPlanName(platform, environment), 50, `^[a-zA-Z0-9\-_.]+$`},
		{"backup role", BackupRoleName(platform, environment, region), 64, `^[\w+=,.@-]+$`},
		{"drill", DrillName(platform, environment, region, DrillDatabaseSwitchover), 128, `^[\w+=,.@-]+$`},
	} {
		if len(c.name) > c.max || !regexp.MustCompile(c.pattern).MatchString(c.name) {
			t.Errorf("%s name %q (%d characters) is not valid: at most %d of %s", c.what, c.name, len(c.name), c.max, c.pattern)
		}
	}
}

// The recovery tier's fixed names are valid for the longest platform and environment names and
// every region config accepts, and two plans of one account never share a name (plans are
// global): Region switch takes plan names of 1-32 letters, digits and hyphens, starting and
// ending with a letter or digit; Resilience Hub takes 2-60 of [A-Za-z0-9_-]; IAM role names are
// at most 64 of [\w+=,.@-].
func TestNames_RecoveryNamesAreValidAndPlanNamesUniqueForTheLongestConfigNames(t *testing.T) {
	platforms := []string{"acme", "p" + strings.Repeat("x", 15)}
	environments := []string{"prod", "e" + strings.Repeat("y", 11), "e" + strings.Repeat("y", 10) + "z"}
	plan := regexp.MustCompile(`^[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,30}[a-zA-Z0-9])?$`)
	seen := map[string]string{}
	checked := 0
	for _, platform := range platforms {
		for _, environment := range environments {
			for _, region := range config.Regions() {
				checked++
				name := PlanName(platform, environment, region)
				if !plan.MatchString(name) {
					t.Errorf("plan name %q (%d characters) is not valid: %s", name, len(name), plan)
				}
				key := platform + "/" + environment + "/" + region
				if other, taken := seen[name]; taken {
					t.Errorf("plans %s and %s are both named %q", other, key, name)
				}
				seen[name] = key
			}
			if name := ResilienceName(platform, environment); !regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_\-]{1,59}$`).MatchString(name) {
				t.Errorf("Resilience Hub name %q is not valid", name)
			}
			if name := RecoveryApproverRoleName(platform, environment); len(name) > 64 || !regexp.MustCompile(`^[\w+=,.@-]+$`).MatchString(name) {
				t.Errorf("approver role name %q is not valid", name)
			}
		}
	}
	if checked == 0 {
		t.Fatal("no region to name a plan for")
	}
	if got := PlanName("acme", "prod", "eu-west-1"); got != "acme-prod-eu-west-1" {
		t.Errorf("a short plan name is shortened: %q", got)
	}
}

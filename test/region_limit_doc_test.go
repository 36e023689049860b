package test

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/example/platform/lib/config"
	"github.com/example/platform/lib/plan"
	"github.com/example/platform/test/constructkit"
)

const (
	regionLimitBegin = "<!-- The limits below are generated from lib/plan's arithmetic by test/region_limit_doc_test.go: UPDATE_GOLDEN=1 go test ./test -run TestDocs_RegionLimitIsThePlans -->"
	regionLimitEnd   = "<!-- end of the generated region limits -->"
)

// defaultRegionLimits are the most regions of the first environment and of a later one when
// the config leaves approval and protection to their defaults, from docs/configuration.md's
// minimal config (two environments), as the loader defaults and checks it.
func defaultRegionLimits(t *testing.T) (first, later int) {
	t.Helper()
	doc, err := os.ReadFile(filepath.Join(constructkit.RepoRoot(t), "docs", "configuration.md"))
	if err != nil {
		t.Fatal(err)
	}
	p, err := config.Parse("docs/configuration.md's minimal config", minimalConfigOf(t, string(doc)))
	if err != nil {
		t.Fatal(err)
	}
	if len(p.Environments) < 2 {
		t.Fatal("docs/configuration.md's minimal config needs two environments to show the later one's limit")
	}
	return plan.MaxRegions(p, p.Environments[0]), plan.MaxRegions(p, p.Environments[1])
}

// regionLimits is the generated statement of the limit: per approval and protection, the actions
// an environment's stage runs once and the regions that fit beside them.
func regionLimits(t *testing.T) string {
	yes, no := true, false
	perRegion := len(plan.RegionalTiers()) * plan.ActionsPerStack
	var b strings.Builder
	fmt.Fprintf(&b, "| Environment | Actions it runs once | Most regions (%d actions each) |\n|---|---|---|\n", perRegion)
	for _, c := range []struct {
		what             string
		gated, protected *bool
	}{
		{"without approval (the first environment's default), protected", &no, &yes},
		{"with approval (every later environment's default), protected", &yes, &yes},
		{"without approval, unprotected", &no, &no},
		{"with approval, unprotected", &yes, &no},
	} {
		env := config.Environment{Name: "env", ManualApproval: c.gated, TerminationProtection: c.protected, Regions: []config.Region{{Region: "us-east-1"}}}
		p := &config.Platform{Environments: []config.Environment{env}}
		stage, _ := plan.New(p).Environment(env.Name)
		fmt.Fprintf(&b, "| %s | %d | %d |\n", c.what, stage.Actions()-perRegion, plan.MaxRegions(p, env))
	}
	first, later := defaultRegionLimits(t)
	fmt.Fprintf(&b, "\nWith the defaults, that is %s.\n", regionLimitPhrase(first, later))
	return b.String()
}

// regionLimitPhrase is how the docs state the limit wherever they state it.
func regionLimitPhrase(first, later int) string {
	return fmt.Sprintf("at most %d regions in the first environment and %d in each later one", first, later)
}

// docs/delivery.md's Scale states the region limit as lib/plan computes it, between markers.
func TestDocs_RegionLimitIsThePlans(t *testing.T) {
	file := filepath.Join(constructkit.RepoRoot(t), "docs", "delivery.md")
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	want := regionLimits(t)
	before, rest, ok1 := strings.Cut(string(data), regionLimitBegin+"\n")
	got, after, ok2 := strings.Cut(rest, regionLimitEnd)
	if !ok1 || !ok2 {
		t.Fatalf("docs/delivery.md has no generated region limits between %q and %q", regionLimitBegin, regionLimitEnd)
	}
	if got == want {
		return
	}
	if os.Getenv("UPDATE_GOLDEN") == "1" {
		if err := os.WriteFile(file, []byte(before+regionLimitBegin+"\n"+want+regionLimitEnd+after), 0o644); err != nil {
			t.Fatal(err)
		}
		t.Log("rewrote docs/delivery.md's region limits")
		return
	}
	t.Errorf("docs/delivery.md's region limits are not lib/plan's: run UPDATE_GOLDEN=1 go test ./test -run TestDocs_RegionLimitIsThePlans. They should read:\n%s", want)
}

// Wherever the README or docs/ name a region limit, it is the rule with lib/plan's figures, not
// one number for every environment.
func TestDocs_EveryRegionLimitIsTheRule(t *testing.T) {
	root := constructkit.RepoRoot(t)
	first, later := defaultRegionLimits(t)
	files, err := filepath.Glob(filepath.Join(root, "docs", "*.md"))
	if err != nil {
		t.Fatal(err)
	}
	limit := regexp.MustCompile(`(?i)at most (\d+|one|two|three|four|five|six|seven|eight|nine|ten) regions(?: in the first environment and \d+ in each later one)?|(?i)\b(?:six|seven) regions at most`)
	want := regionLimitPhrase(first, later)
	for _, file := range append(files, filepath.Join(root, "README.md")) {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		for _, said := range limit.FindAllString(strings.Join(strings.Fields(string(data)), " "), -1) {
			if said != want {
				rel, _ := filepath.Rel(root, file)
				t.Errorf("%s says %q; the limit is %q (lib/plan.MaxRegions)", rel, said, want)
			}
		}
	}
}

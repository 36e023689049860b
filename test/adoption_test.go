package test

// Adopting an organization that runs the security services already (issue 26) and enforces its
// own tag keys (issue 30): config/existing-organization.json, whose staging and prod accounts
// are the organization's (GuardDuty, Security Hub with centrally configured standards, Config
// and an organization trail in every region) and whose tooling account runs none of them.

import (
	"fmt"
	"sort"
	"strings"
	"testing"

	"github.com/example/platform/internal/assembly"
	"github.com/example/platform/lib/baseline"
	"github.com/example/platform/lib/config"
	"github.com/example/platform/stacks"
	"github.com/example/platform/test/testkit"
)

const existingOrganization = "config/existing-organization.json"

// serviceResources are the resources of a security service that exist once per account-region
// (or account): what the baseline creates, and may not where the organization runs the service.
var serviceResources = []string{
	"AWS::GuardDuty::Detector", "AWS::SecurityHub::Hub", "AWS::SecurityHub::FindingAggregator",
	"AWS::Config::ConfigurationRecorder", "AWS::Config::DeliveryChannel", "AWS::CloudTrail::Trail",
}

// routesOf are a baseline stack's EventBridge rules by what they route: guardduty, securityhub, root.
func routesOf(s *assembly.Stack) map[string]string {
	routes := map[string]string{}
	for id, rule := range resourcesOf(s, "AWS::Events::Rule") {
		pattern := plainJSON(propertiesOf(rule)["EventPattern"])
		switch {
		case strings.Contains(pattern, `"source":["aws.guardduty"]`):
			routes["guardduty"] = id
		case strings.Contains(pattern, `"source":["aws.securityhub"]`):
			routes["securityhub"] = id
		case strings.Contains(pattern, `"type":["Root"]`):
			routes["root"] = id
		}
	}
	return routes
}

// In the organization's accounts the baseline creates no detector, hub, aggregator, recorder,
// delivery channel or trail (a second one fails to create), subscribes no standard (the
// organization's central configuration owns them), and keeps every Config rule and the routes of
// high and critical findings and of root activity to the alert topic; the tooling account's
// baseline creates all of them.
func TestAdoption_TheOrganizationsAccountsCreateNoServiceYetKeepTheRulesAndRoutes(t *testing.T) {
	p := testkit.Synth(t, existingOrganization)
	a := assemblyOf(t, p)
	organization := map[string]bool{}
	for _, env := range p.Config.Environments {
		organization[env.Account] = true
	}
	home, checked := homes(p), map[string]int{}
	for _, s := range a.stacks {
		if tierOf(s.Name) != stacks.TierBaseline {
			continue
		}
		checked[fmt.Sprint(organization[s.Account])]++
		for _, resourceType := range serviceResources {
			got := len(resourcesOf(s, resourceType))
			want := 0
			if !organization[s.Account] {
				want = 1
				if (resourceType == "AWS::CloudTrail::Trail" || resourceType == "AWS::SecurityHub::FindingAggregator") && s.Region != home[s.Account] {
					want = 0 // the account's, in its home region
				}
			}
			if got != want {
				t.Errorf("%s has %d %s, want %d", s.Name, got, resourceType, want)
			}
		}
		standards := len(resourcesOf(s, "AWS::SecurityHub::Standard"))
		if wantStandards := len(baseline.Standards()) * btoi(!organization[s.Account]); standards != wantStandards {
			t.Errorf("%s subscribes %d standards, want %d", s.Name, standards, wantStandards)
		}
		if rules := len(resourcesOf(s, "AWS::Config::ConfigRule")); rules != len(baseline.ManagedRules()) {
			t.Errorf("%s evaluates %d Config rules, want all %d", s.Name, rules, len(baseline.ManagedRules()))
		}
		routes := routesOf(s)
		for _, route := range []string{"guardduty", "securityhub", "root"} {
			if id, ok := routes[route]; !ok {
				t.Errorf("%s routes no %s events to its alert topic", s.Name, route)
			} else {
				checkRouteReachesTopic(t, s, id)
			}
		}
	}
	if checked["true"] == 0 || checked["false"] == 0 {
		t.Errorf("baselines checked in the organization's accounts and the tooling account: %v; want both", checked)
	}
}

// tagsOf are a resource's tags, whichever of CloudFormation's two shapes it uses (a list of
// Key/Value, or a map), and whether it has any.
func tagsOf(resource map[string]any) (map[string]string, bool) {
	out := map[string]string{}
	switch tags := propertiesOf(resource)["Tags"].(type) {
	case []any:
		for _, tag := range tags {
			kv, _ := tag.(map[string]any)
			out[fmt.Sprint(kv["Key"])] = fmt.Sprint(kv["Value"])
		}
		return out, true
	case map[string]any:
		for k, v := range tags {
			out[k] = fmt.Sprint(v)
		}
		return out, true
	}
	return out, false
}

// Every stack, and every resource of every type that carries tags (its own, or its stack's,
// which CloudFormation propagates), is tagged with the keys the organization's tag policy
// enforces (Platform, Environment, Owner, CostCenter) and none of the platform's default keys,
// so the policy's create-time check passes.
func TestTags_EveryTaggableResourceCarriesTheOrganizationsKeys(t *testing.T) {
	p := testkit.Synth(t, existingOrganization)
	a := assemblyOf(t, p)
	keys := p.Config.Tags.Keys
	if keys.Environment != "Environment" || keys.CostCentre != "CostCenter" {
		t.Fatalf("%s names the keys %+v; the test is about the organization's", existingOrganization, keys)
	}
	taggable := map[string]bool{}
	for _, s := range a.stacks {
		for _, r := range s.Template.Resources {
			if _, ok := tagsOf(r); ok {
				taggable[fmt.Sprint(r["Type"])] = true
			}
		}
	}
	stackTags := map[string]map[string]string{}
	for _, artifact := range p.Artifacts() {
		stackTags[*artifact.StackName()] = map[string]string{}
		for k, v := range *artifact.Tags() {
			stackTags[*artifact.StackName()][k] = *v
		}
	}
	resourcesChecked := 0
	for _, s := range a.stacks {
		env := stacks.TierBaseline // an account's, whichever environments share it
		if tierOf(s.Name) != stacks.TierBaseline {
			env = environmentOf(p, s.Name).Name
		}
		want := map[string]string{keys.Platform: p.Config.Name, keys.Environment: env, keys.Owner: p.Config.Owner, keys.CostCentre: p.Config.CostCentre}
		inherited, ok := stackTags[s.Name]
		if !ok {
			t.Errorf("%s is not an artifact of the assembly", s.Name)
		}
		checkTags(t, s.Name, inherited, want)
		ids := make([]string, 0, len(s.Template.Resources))
		for id := range s.Template.Resources {
			ids = append(ids, id)
		}
		sort.Strings(ids)
		for _, id := range ids {
			r := s.Template.Resources[id]
			if !taggable[fmt.Sprint(r["Type"])] {
				continue
			}
			resourcesChecked++
			// CloudFormation gives each resource that takes tags the stack's, unless it names the
			// key itself.
			tags, _ := tagsOf(r)
			for k, v := range inherited {
				if _, own := tags[k]; !own {
					tags[k] = v
				}
			}
			checkTags(t, s.Name+"/"+id, tags, want)
		}
	}
	checkedSomething(t, resourcesChecked, "tagged resource")
}

func checkTags(t *testing.T, where string, tags, want map[string]string) {
	t.Helper()
	for key, value := range want {
		if tags[key] != value {
			t.Errorf("%s: tag %s is %q, want %q (tags %v)", where, key, tags[key], value, tags)
		}
	}
	for _, old := range []string{"platform", "environment", "owner", "cost-centre"} {
		if _, ok := tags[old]; ok {
			t.Errorf("%s carries the default key %s, which the organization's tag policy refuses", where, old)
		}
	}
}

// What depends on a service is there wherever the service runs, the baseline's or the
// organization's, and nowhere it is off: every Config rule where a recorder runs, and Security
// Hub's standards where the hub runs and its standards are the platform's to subscribe.
func TestBaseline_RulesAndStandardsFollowTheirServicesMode(t *testing.T) {
	eachBaseline(t, func(t *testing.T, p *testkit.Platform, a *deployed) {
		checked := 0
		for _, s := range a.stacks {
			if tierOf(s.Name) != stacks.TierBaseline {
				continue
			}
			checked++
			wantRules := len(baseline.ManagedRules()) * btoi(modeAt(p, config.ConfigRecorder, s).Runs())
			if got := len(resourcesOf(s, "AWS::Config::ConfigRule")); got != wantRules {
				t.Errorf("%s evaluates %d Config rules, want %d (config %s)", s.Name, got, wantRules, modeAt(p, config.ConfigRecorder, s))
			}
			wantStandards := len(baseline.Standards()) * btoi(p.Config.OwnsSecurityHubStandards(s.Account, s.Region))
			if got := len(resourcesOf(s, "AWS::SecurityHub::Standard")); got != wantStandards {
				t.Errorf("%s subscribes %d standards, want %d (securityHub %s)", s.Name, got, wantStandards, modeAt(p, config.SecurityHub, s))
			}
		}
		checkedSomething(t, checked, "baseline stack")
	})
}

package test

import (
	"testing"

	"github.com/example/platform/lib/config"
	"github.com/example/platform/stacks"
	"github.com/example/platform/test/constructkit"
	"github.com/example/platform/test/testkit"
)

func TestEdge_OriginGroupSendsToThePrimaryThenTheFirstSecondary(t *testing.T) {
	eachEnvironment(t, func(t *testing.T, p *testkit.Platform, env config.Environment) {
		if len(env.Regions) < 2 {
			t.Skip("one region: nothing to fail over to")
		}
		app := func(r config.Region) string {
			return stacks.StackName(p.Config.Name, env.Name, r.Region, stacks.TierApp)
		}
		distributions := edgeResources(t, p, env).ofType("AWS::CloudFront::Distribution")
		constructkit.CheckedSomething(t, len(distributions), "distribution")
		for _, distribution := range distributions {
			cfg := distribution["DistributionConfig"].(map[string]any)
			origins := map[string]any{}
			for _, o := range cfg["Origins"].([]any) {
				origins[o.(map[string]any)["Id"].(string)] = o.(map[string]any)["DomainName"]
			}
			var members []any
			for _, m := range cfg["OriginGroups"].(map[string]any)["Items"].([]any)[0].(map[string]any)["Members"].(map[string]any)["Items"].([]any) {
				members = append(members, origins[m.(map[string]any)["OriginId"].(string)])
			}
			if len(members) != 2 {
				t.Fatalf("origin group has %d members, want 2", len(members))
			}
			if env.DNS != nil {
				// The primary member is the failover name, the fallback the first secondary's own.
				if members[0] != "origin."+env.DNS.DomainName || members[1] != env.Secondaries()[0].Region+".origin."+env.DNS.DomainName {
					t.Errorf("origin group members = %v", members)
				}
				continue
			}
			if got := []string{stackOutputOf(members[0]), stackOutputOf(members[1])}; got[0] != app(env.Primary()) || got[1] != app(env.Secondaries()[0]) {
				t.Errorf("origin group members come from %v, want the primary's then the first secondary's app stack", got)
			}
		}
	})
}

func TestEdge_WebACLIsCloudFrontScopedWithManagedRulesAndTheConfiguredRateLimit(t *testing.T) {
	eachEnvironment(t, func(t *testing.T, p *testkit.Platform, env config.Environment) {
		res := edgeResources(t, p, env)
		acls := res.ofType("AWS::WAFv2::WebACL")
		if len(acls) != 1 {
			t.Fatalf("%d web ACLs, want 1", len(acls))
		}
		for id, acl := range acls {
			if acl["Scope"] != "CLOUDFRONT" {
				t.Errorf("scope %v, want CLOUDFRONT", acl["Scope"])
			}
			groups, limit := map[string]bool{}, 0.0
			for _, r := range acl["Rules"].([]any) {
				statement := r.(map[string]any)["Statement"].(map[string]any)
				if g, ok := statement["ManagedRuleGroupStatement"].(map[string]any); ok {
					groups[g["Name"].(string)] = true
				}
				if rate, ok := statement["RateBasedStatement"].(map[string]any); ok {
					limit = rate["Limit"].(float64)
				}
			}
			for _, want := range []string{"AWSManagedRulesCommonRuleSet", "AWSManagedRulesKnownBadInputsRuleSet", "AWSManagedRulesAmazonIpReputationList", "AWSManagedRulesSQLiRuleSet"} {
				if !groups[want] {
					t.Errorf("web ACL lacks %s", want)
				}
			}
			if limit != float64(env.Edge.RateLimit) {
				t.Errorf("rate limit %v, want %d from config", limit, env.Edge.RateLimit)
			}
			distributions := res.ofType("AWS::CloudFront::Distribution")
			constructkit.CheckedSomething(t, len(distributions), "distribution")
			for _, d := range distributions {
				attached := d["DistributionConfig"].(map[string]any)["WebACLId"].(map[string]any)["Fn::GetAtt"].([]any)[0]
				if attached != id {
					t.Errorf("distribution uses web ACL %v, want %s", attached, id)
				}
			}
		}
	})
}

func TestEdge_HealthCheckPerRegionAndFailoverRecordsWhenThereIsADomain(t *testing.T) {
	eachEnvironment(t, func(t *testing.T, p *testkit.Platform, env config.Environment) {
		res := edgeResources(t, p, env)
		checks := map[string]bool{}
		for _, c := range res.ofType("AWS::Route53::HealthCheck") {
			// Only the regions' endpoint checks have a path (the writer gate's checks have none).
			if path, ok := c["HealthCheckConfig"].(map[string]any)["ResourcePath"].(string); ok {
				checks[path] = true
			}
		}
		for _, r := range env.Regions {
			if !checks[config.HealthPathPrefix+r.Region] {
				t.Errorf("no health check for %s", r.Region)
			}
		}
		failover := map[string]int{}
		for _, record := range res.ofType("AWS::Route53::RecordSet") {
			if f, ok := record["Failover"].(string); ok {
				failover[f]++
				if env.DNS == nil || record["Name"] != "origin."+env.DNS.DomainName+"." {
					t.Errorf("failover record for %v: want one only for origin.<domain>, and only with a domain", record["Name"])
				}
			}
		}
		want := map[string]int{}
		if env.DNS != nil && len(env.Regions) > 1 {
			want = map[string]int{"PRIMARY": 1, "SECONDARY": 1}
		}
		if len(failover) != len(want) || failover["PRIMARY"] != want["PRIMARY"] || failover["SECONDARY"] != want["SECONDARY"] {
			t.Errorf("failover records %v, want %v", failover, want)
		}
	})
}

func TestAccelerator_EndpointGroupPerRegionAtItsInternalLoadBalancer(t *testing.T) {
	eachEnvironment(t, func(t *testing.T, p *testkit.Platform, env config.Environment) {
		res := templateResources(t, p, stacks.StackName(p.Config.Name, env.Name, stacks.AcceleratorRegion, stacks.TierAccelerator))
		groups := map[string]map[string]any{}
		for _, g := range res.ofType("AWS::GlobalAccelerator::EndpointGroup") {
			groups[g["EndpointGroupRegion"].(string)] = g
		}
		if len(groups) != len(env.Regions) {
			t.Errorf("%d endpoint groups, want one per region (%d)", len(groups), len(env.Regions))
		}
		for _, r := range env.Regions {
			g, ok := groups[r.Region]
			if !ok {
				t.Errorf("no endpoint group in %s", r.Region)
				continue
			}
			if g["TrafficDialPercentage"] != float64(*r.TrafficDialPercent) {
				t.Errorf("%s: traffic dial %v, want %d", r.Region, g["TrafficDialPercentage"], *r.TrafficDialPercent)
			}
			endpoint := g["EndpointConfigurations"].([]any)[0].(map[string]any)
			if endpoint["ClientIPPreservationEnabled"] != true {
				t.Errorf("%s: client addresses not preserved", r.Region)
			}
			if from := stackOutputOf(endpoint["EndpointId"]); from != stacks.StackName(p.Config.Name, env.Name, r.Region, stacks.TierApp) {
				t.Errorf("%s: endpoint comes from %q, want the region's app stack", r.Region, from)
			}
		}
	})
}

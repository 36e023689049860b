package test

// The metric and log stores behind monitoring's switches: Managed Grafana (monitoring.grafana)
// and OpenSearch log search (monitoring.openSearch). example.json leaves both off,
// three-region.json turns both on, so each test sees a switch in both positions.

import (
	"slices"
	"strings"
	"testing"

	"github.com/example/platform/lib/config"
	"github.com/example/platform/lib/monitoring"
	"github.com/example/platform/stacks"
	"github.com/example/platform/test/constructkit"
	"github.com/example/platform/test/testkit"
)

// One Grafana workspace per environment that asks for it, in the edge stack, signing users in
// through IAM Identity Center, with a role the platform writes (customer-managed permissions).
// The role may query exactly the environment's Prometheus workspaces, one per region, by the
// ARNs their app stacks output: no other environment's, no wildcard.
func TestObservability_GrafanaReadsExactlyTheEnvironmentsPrometheusWorkspaces(t *testing.T) {
	checked := 0
	eachEnvironment(t, func(t *testing.T, p *testkit.Platform, env config.Environment) {
		a := assemblyOf(t, p)
		edge := a.byName[stacks.StackName(p.Config.Name, env.Name, stacks.EdgeRegion, stacks.TierEdge)]
		workspaces := resourcesOf(edge, "AWS::Grafana::Workspace")
		if !env.Monitoring.GrafanaOn() {
			if len(workspaces) > 0 {
				t.Errorf("%s has a Grafana workspace, and monitoring.grafana is off", edge.Name)
			}
			return
		}
		if len(workspaces) != 1 {
			t.Fatalf("%s has %d Grafana workspaces, want 1", edge.Name, len(workspaces))
		}
		checked++
		var workspace map[string]any
		for _, w := range workspaces {
			workspace = propertiesOf(w)
		}
		if jsonOf(workspace["AuthenticationProviders"]) != `["AWS_SSO"]` || workspace["PermissionType"] != "CUSTOMER_MANAGED" ||
			workspace["Name"] != stacks.GrafanaWorkspaceName(p.Config.Name, env.Name) {
			t.Errorf("the workspace is %s; want %s signing in through IAM Identity Center (AWS_SSO) with CUSTOMER_MANAGED permissions",
				jsonOf(workspace), stacks.GrafanaWorkspaceName(p.Config.Name, env.Name))
		}
		role := refTo(workspace["RoleArn"])
		if r := edge.Template.Resources[role]; r == nil || r["Type"] != "AWS::IAM::Role" ||
			!strings.Contains(jsonOf(propertiesOf(r)["AssumeRolePolicyDocument"]), `"Service":"grafana.amazonaws.com"`) {
			t.Fatalf("the workspace's role %s is not a role of %s that Managed Grafana assumes", role, edge.Name)
		}
		read := map[string]bool{} // app stacks whose Prometheus workspace the role may query
		for id, policy := range resourcesOf(edge, "AWS::IAM::Policy") {
			props := propertiesOf(policy)
			if !slices.ContainsFunc(asList(props["Roles"]), func(r any) bool { return refTo(r) == role }) {
				continue
			}
			for _, statement := range statementsOf(props) {
				if !strings.Contains(jsonOf(statement["Action"]), `"aps:`) {
					continue
				}
				if got := sortedStrings(stringsOf(statement["Action"])); !slices.Equal(got, sortedStrings(monitoring.PrometheusQueryActions)) {
					t.Errorf("%s/%s: the role may call %v on Prometheus, want the queries %v", edge.Name, id, got, monitoring.PrometheusQueryActions)
				}
				for _, resource := range asList(statement["Resource"]) {
					producer, ok := prometheusWorkspaceOf(a, resource)
					if !ok {
						t.Errorf("%s/%s: the role may query Prometheus on %s, which is not a Prometheus workspace an app stack outputs", edge.Name, id, jsonOf(resource))
						continue
					}
					read[producer] = true
				}
			}
		}
		var want []string
		for _, r := range env.Regions {
			if env.Monitoring.PrometheusOn() {
				want = append(want, stacks.StackName(p.Config.Name, env.Name, r.Region, stacks.TierApp))
			}
		}
		var got []string
		for producer := range read {
			got = append(got, producer)
		}
		if !slices.Equal(sortedStrings(got), sortedStrings(want)) {
			t.Errorf("the Grafana role queries the Prometheus workspaces of %v, want exactly those of %v", sortedStrings(got), want)
		}
	})
	constructkit.CheckedSomething(t, checked, "Grafana workspace in either config")
}

// prometheusWorkspaceOf is the app stack whose Prometheus workspace's ARN value reads (through a
// weak reference), if it is one.
func prometheusWorkspaceOf(a *deployed, value any) (string, bool) {
	refs := weakReferences(value)
	if len(refs) != 1 {
		return "", false
	}
	producer := a.byName[refs[0]["StackName"].(string)]
	if producer == nil || tierOf(producer.Name) != stacks.TierApp {
		return "", false
	}
	output, _ := producer.Template.Outputs[refs[0]["OutputName"].(string)].(map[string]any)
	att, _ := output["Value"].(map[string]any)["Fn::GetAtt"].([]any)
	if len(att) != 2 || att[1] != "Arn" {
		return "", false
	}
	workspace := producer.Template.Resources[refTo(output["Value"])]
	return producer.Name, workspace != nil && workspace["Type"] == "AWS::APS::Workspace"
}

func sortedStrings(s []string) []string {
	out := slices.Clone(s)
	slices.Sort(out)
	return out
}

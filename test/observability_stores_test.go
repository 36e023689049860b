package test

// The metric and log stores behind monitoring's switches: Managed Grafana (monitoring.grafana)
// and OpenSearch log search (monitoring.openSearch). The two-environment fixture leaves both off,
// the three-region one turns both on, so each test sees a switch in both positions.

import (
	"encoding/json"
	"fmt"
	"path"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/example/platform/internal/assembly"
	"github.com/example/platform/lib/config"
	"github.com/example/platform/lib/logsearch"
	"github.com/example/platform/lib/monitoring"
	"github.com/example/platform/stacks"
	"github.com/example/platform/test/constructkit"
	"github.com/example/platform/test/testkit"
)

// A switch that is off creates nothing; each one is on somewhere, or the tests below prove
// nothing.
func TestObservability_StoresExistOnlyWhereTheirSwitchIsOn(t *testing.T) {
	kinds := map[string]func(config.Monitoring) bool{
		"AWS::Grafana::Workspace":               config.Monitoring.GrafanaOn,
		"AWS::OpenSearchServerless::Collection": config.Monitoring.OpenSearchOn,
		"AWS::Logs::SubscriptionFilter":         config.Monitoring.OpenSearchOn,
	}
	on := map[string]int{}
	eachAssembly(t, func(t *testing.T, a *deployed) {
		for _, s := range a.stacks {
			if s.Stage == "" || s.Stage == config.ToolingName || s.Stage == config.BaselineName {
				for kind := range kinds {
					if n := len(resourcesOf(s, kind)); n > 0 {
						t.Errorf("%s has %d %s: the stores belong to environments", s.Name, n, kind)
					}
				}
				continue
			}
			env := environmentOf(a.platform, s.Name)
			for kind, switchedOn := range kinds {
				n := len(resourcesOf(s, kind))
				if !switchedOn(env.Monitoring) && n > 0 {
					t.Errorf("%s has %d %s although %s's switch is off", s.Name, n, kind, env.Name)
				}
				on[kind] += n
			}
		}
	})
	for kind := range kinds {
		constructkit.CheckedSomething(t, on[kind], kind+" in a config that switches it on")
	}
}

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
				if got := sortedStrings(stringsOf(statement["Action"])); !slices.Equal(got, sortedStrings(monitoring.PrometheusQueryActions())) {
					t.Errorf("%s/%s: the role may call %v on Prometheus, want the queries %v", edge.Name, id, got, monitoring.PrometheusQueryActions())
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

// logSearchPolicy is an OpenSearch Serverless policy document as the template writes it: JSON
// joined from strings and references. Each reference is a placeholder in the parsed document,
// and Refs says what it stands for.
type logSearchPolicy struct {
	Text string
	Refs map[string]any
}

// renderPolicy renders a Policy property (a string, or an Fn::Join of strings and references).
func renderPolicy(t *testing.T, value any) logSearchPolicy {
	t.Helper()
	if s, ok := value.(string); ok {
		return logSearchPolicy{Text: s}
	}
	join, _ := value.(map[string]any)["Fn::Join"].([]any)
	if len(join) != 2 || join[0] != "" {
		t.Fatalf("policy %s is neither a string nor joined from parts", jsonOf(value))
	}
	out := logSearchPolicy{Refs: map[string]any{}}
	var b strings.Builder
	for i, part := range asList(join[1]) {
		if s, ok := part.(string); ok {
			b.WriteString(s)
			continue
		}
		placeholder := fmt.Sprintf("REF%d", i)
		out.Refs[placeholder] = part
		b.WriteString(placeholder)
	}
	out.Text = b.String()
	return out
}

// securityRule is a rule of an encryption, network or data access policy.
type securityRule struct {
	ResourceType string
	Resource     []string
	Permission   []string
}

// logSearches are the log search collections of an assembly's stacks: stack, logical ID and name.
type logSearch struct {
	stack *assembly.Stack
	id    string
	name  string
}

func logSearchesOf(a *deployed) []logSearch {
	var found []logSearch
	for _, s := range a.stacks {
		for id, c := range resourcesOf(s, "AWS::OpenSearchServerless::Collection") {
			name, _ := propertiesOf(c)["Name"].(string)
			found = append(found, logSearch{stack: s, id: id, name: name})
		}
	}
	return found
}

// policiesNaming are the stack's resources of resourceType and policy type kind whose rules
// name the collection (its own resource or its indexes), with their rendered documents.
func policiesNaming(t *testing.T, c logSearch, resourceType, kind string) map[string]logSearchPolicy {
	t.Helper()
	found := map[string]logSearchPolicy{}
	for id, r := range resourcesOf(c.stack, resourceType) {
		props := propertiesOf(r)
		if props["Type"] != kind {
			continue
		}
		policy := renderPolicy(t, props["Policy"])
		if strings.Contains(policy.Text, `"collection/`+c.name+`"`) || strings.Contains(policy.Text, `"index/`+c.name+`/`) {
			found[id] = policy
		}
	}
	return found
}

var (
	securityPolicyName = regexp.MustCompile(`^[a-z][a-z0-9-]{2,31}$`)
	collectionName     = regexp.MustCompile(`^[a-z][a-z0-9-]{2,27}$`)
)

// OpenSearch Serverless refuses a collection no encryption policy names, so each collection's
// encryption policy (the region's key, not an AWS-owned one) and network policy come first (its
// DependsOn); names fit what CloudFormation accepts (AWS::OpenSearchServerless::Collection: 3-28
// lowercase letters, digits, hyphens; SecurityPolicy, AccessPolicy, LifecyclePolicy: 3-32) and
// are unique per account and region for each kind, and no two encryption policies of an
// account-region match the same collection.
func TestObservability_LogSearchPoliciesPrecedeTheCollectionWithinServiceLimits(t *testing.T) {
	checked := 0
	eachAssembly(t, func(t *testing.T, a *deployed) {
		for _, c := range logSearchesOf(a) {
			checked++
			collection := c.stack.Template.Resources[c.id]
			env := environmentOf(a.platform, c.stack.Name)
			if want := stacks.LogSearchName(a.platform.Config.Name, env.Name); c.name != want || !collectionName.MatchString(c.name) {
				t.Errorf("%s/%s is named %q; want %q, 3-28 lowercase letters, digits and hyphens", c.stack.Name, c.id, c.name, want)
			}
			if tierOf(c.stack.Name) != stacks.TierLake {
				t.Errorf("%s holds a log search collection; it belongs to the region's lake stack", c.stack.Name)
			}
			for _, kind := range []string{"encryption", "network"} {
				policies := policiesNaming(t, c, "AWS::OpenSearchServerless::SecurityPolicy", kind)
				if len(policies) != 1 {
					t.Errorf("%s/%s: %d %s policies name it, want 1", c.stack.Name, c.id, len(policies), kind)
				}
				for id, policy := range policies {
					if !dependsOnResource(collection, id) {
						t.Errorf("%s/%s does not wait for its %s policy %s (DependsOn): the collection's create fails without it", c.stack.Name, c.id, kind, id)
					}
					if kind != "encryption" {
						continue
					}
					var document struct {
						Rules       []securityRule
						AWSOwnedKey bool
						KmsARN      string
					}
					if err := json.Unmarshal([]byte(policy.Text), &document); err != nil {
						t.Fatalf("%s/%s: %v\n%s", c.stack.Name, id, err, policy.Text)
					}
					if document.AWSOwnedKey || !a.isRegionsKey(c.stack, policy.Refs[document.KmsARN]) {
						t.Errorf("%s/%s encrypts with %s (AWS-owned: %v), want the region's key", c.stack.Name, id, jsonOf(policy.Refs[document.KmsARN]), document.AWSOwnedKey)
					}
				}
			}
		}
		// Names per account and region, and encryption policies that overlap.
		type place struct{ account, region, kind, name string }
		seen := map[place]string{}
		patterns := map[place][]string{} // encryption policy resource patterns by account-region
		for _, s := range a.stacks {
			for _, resourceType := range []string{"AWS::OpenSearchServerless::SecurityPolicy", "AWS::OpenSearchServerless::AccessPolicy", "AWS::OpenSearchServerless::LifecyclePolicy", "AWS::OpenSearchServerless::Collection"} {
				for id, r := range resourcesOf(s, resourceType) {
					props := propertiesOf(r)
					name, _ := props["Name"].(string)
					kind, _ := props["Type"].(string)
					if resourceType == "AWS::OpenSearchServerless::Collection" {
						kind = "collection"
					} else if !securityPolicyName.MatchString(name) {
						t.Errorf("%s/%s: policy name %q is not 3-32 lowercase letters, digits and hyphens starting with a letter", s.Name, id, name)
					}
					key := place{s.Account, s.Region, resourceType + "/" + kind, name}
					if other, ok := seen[key]; ok {
						t.Errorf("%s/%s and %s: two %s named %q in %s/%s", s.Name, id, other, key.kind, name, s.Account, s.Region)
					}
					seen[key] = s.Name + "/" + id
					if kind == "encryption" {
						var document struct{ Rules []securityRule }
						_ = json.Unmarshal([]byte(renderPolicy(t, props["Policy"]).Text), &document)
						at := place{account: s.Account, region: s.Region}
						for _, rule := range document.Rules {
							patterns[at] = append(patterns[at], rule.Resource...)
						}
					}
				}
			}
		}
		for _, c := range logSearchesOf(a) {
			matching := 0
			for _, pattern := range patterns[place{account: c.stack.Account, region: c.stack.Region}] {
				if ok, _ := path.Match(pattern, "collection/"+c.name); ok {
					matching++
				}
			}
			if matching != 1 {
				t.Errorf("%s/%s: %d encryption policy rules of %s/%s match collection/%s, want exactly 1", c.stack.Name, c.id, matching, c.stack.Account, c.stack.Region, c.name)
			}
		}
	})
	constructkit.CheckedSomething(t, checked, "log search collection in either config")
}

// dataPermissions are the permissions a data access policy may grant ("Supported policy
// permissions", Data access control for Amazon OpenSearch Serverless), less aoss:*.
var dataPermissions = map[string][]string{
	"collection": {"aoss:CreateCollectionItems", "aoss:DeleteCollectionItems", "aoss:UpdateCollectionItems", "aoss:DescribeCollectionItems"},
	"index":      {"aoss:ReadDocument", "aoss:WriteDocument", "aoss:CreateIndex", "aoss:DeleteIndex", "aoss:UpdateIndex", "aoss:DescribeIndex"},
}

// The collection's one data access policy names exactly monitoring.logReaders and the role its
// delivery stream writes as: the readers may only read (describe and read documents), the
// delivery role may only create, describe and update the collection's indexes and write
// documents; no aoss:*, nothing outside the collection. The delivery stream writes to this
// collection, waits for it and for the policy (Firehose checks its destination at create),
// and its role may reach the collection's API on this collection only.
func TestObservability_LogSearchDataAccessNamesExactlyTheReadersAndTheDeliveryRole(t *testing.T) {
	checked := 0
	eachAssembly(t, func(t *testing.T, a *deployed) {
		for _, c := range logSearchesOf(a) {
			checked++
			env := environmentOf(a.platform, c.stack.Name)
			var deliveryID, roleID string
			for id, d := range resourcesOf(c.stack, "AWS::KinesisFirehose::DeliveryStream") {
				destination, _ := propertiesOf(d)["AmazonOpenSearchServerlessDestinationConfiguration"].(map[string]any)
				if destination == nil {
					continue
				}
				if deliveryID != "" {
					t.Errorf("%s: two delivery streams index logs (%s, %s)", c.stack.Name, deliveryID, id)
				}
				deliveryID, roleID = id, refTo(destination["RoleARN"])
				if endpoint := jsonOf(destination["CollectionEndpoint"]); endpoint != jsonOf(map[string]any{"Fn::GetAtt": []any{c.id, "CollectionEndpoint"}}) {
					t.Errorf("%s/%s writes to %s, want %s's endpoint", c.stack.Name, id, endpoint, c.id)
				}
			}
			if deliveryID == "" || roleID == "" {
				t.Fatalf("%s: no delivery stream writes to %s", c.stack.Name, c.id)
			}
			policies := policiesNaming(t, c, "AWS::OpenSearchServerless::AccessPolicy", "data")
			if len(policies) != 1 {
				t.Fatalf("%s/%s: %d data access policies name it, want 1", c.stack.Name, c.id, len(policies))
			}
			delivery := c.stack.Template.Resources[deliveryID]
			for id, policy := range policies {
				if !dependsOnResource(delivery, id) || !dependsOnResource(delivery, c.id) {
					t.Errorf("%s/%s does not wait for the collection %s and its data access policy %s", c.stack.Name, deliveryID, c.id, id)
				}
				var statements []struct {
					Rules     []securityRule
					Principal []string
				}
				if err := json.Unmarshal([]byte(policy.Text), &statements); err != nil {
					t.Fatalf("%s/%s: %v\n%s", c.stack.Name, id, err, policy.Text)
				}
				var readers []string
				writers := 0
				for _, st := range statements {
					for _, principal := range st.Principal {
						isDelivery := refTo(policy.Refs[principal]) == roleID
						if isDelivery {
							writers++
						} else {
							readers = append(readers, principal)
						}
						for _, rule := range st.Rules {
							for _, resource := range rule.Resource {
								if resource != "collection/"+c.name && resource != "index/"+c.name+"/*" {
									t.Errorf("%s/%s gives %s %v on %s, outside collection %s", c.stack.Name, id, principal, rule.Permission, resource, c.name)
								}
							}
							for _, permission := range rule.Permission {
								if !slices.Contains(dataPermissions[rule.ResourceType], permission) {
									t.Errorf("%s/%s gives %s %q on a %s: not a documented permission of one, or a wildcard", c.stack.Name, id, principal, permission, rule.ResourceType)
								}
								writes := !strings.HasPrefix(permission, "aoss:Describe") && permission != "aoss:ReadDocument"
								switch {
								case writes && !isDelivery:
									t.Errorf("%s/%s lets the reader %s %s", c.stack.Name, id, principal, permission)
								case isDelivery && !slices.Contains(logsearch.WritePermissions(), permission):
									t.Errorf("%s/%s lets the delivery role %s, beyond %v", c.stack.Name, id, permission, logsearch.WritePermissions())
								}
							}
						}
					}
				}
				if writers != 1 || !slices.Equal(sortedStrings(readers), sortedStrings(env.Monitoring.LogReaders)) {
					t.Errorf("%s/%s names the delivery role %d times and the readers %v; want it once and exactly monitoring.logReaders %v",
						c.stack.Name, id, writers, readers, env.Monitoring.LogReaders)
				}
			}
			// The delivery role's own IAM: the collection's API on this collection only.
			for pid, p := range resourcesOf(c.stack, "AWS::IAM::Policy") {
				props := propertiesOf(p)
				if !slices.ContainsFunc(asList(props["Roles"]), func(r any) bool { return refTo(r) == roleID }) {
					continue
				}
				for _, st := range statementsOf(props) {
					if slices.ContainsFunc(stringsOf(st["Action"]), func(action string) bool { return strings.HasPrefix(action, "aoss:") }) &&
						(jsonOf(st["Action"]) != `"aoss:APIAccessAll"` || jsonOf(st["Resource"]) != jsonOf(map[string]any{"Fn::GetAtt": []any{c.id, "Arn"}})) {
						t.Errorf("%s/%s lets the delivery role %s on %s; want aoss:APIAccessAll on %s only", c.stack.Name, pid, jsonOf(st["Action"]), jsonOf(st["Resource"]), c.id)
					}
				}
			}
		}
	})
	constructkit.CheckedSomething(t, checked, "log search collection in either config")
}

// With log search on, every region's service log group sends every event to its own region's
// delivery stream (in the lake stack, deployed first), and the roles of the log search (the
// delivery's, its processor's, the subscription's) grant no action wildcards.
func TestObservability_ServiceLogsReachTheirRegionsLogSearch(t *testing.T) {
	checked := 0
	eachAssembly(t, func(t *testing.T, a *deployed) {
		for _, env := range a.platform.Config.Environments {
			if !env.Monitoring.OpenSearchOn() {
				continue
			}
			for _, region := range env.Regions {
				checked++
				app := a.byName[stacks.StackName(a.platform.Config.Name, env.Name, region.Region, stacks.TierApp)]
				lake := a.byName[stacks.StackName(a.platform.Config.Name, env.Name, region.Region, stacks.TierLake)]
				filters := resourcesOf(app, "AWS::Logs::SubscriptionFilter")
				if len(filters) != 1 {
					t.Fatalf("%s has %d subscription filters, want 1 (the service's logs)", app.Name, len(filters))
				}
				for id, f := range filters {
					props := propertiesOf(f)
					group := app.Template.Resources[refTo(props["LogGroupName"])]
					destination := a.resourceOf(app, props["DestinationArn"])
					target := lake.Template.Resources[strings.TrimPrefix(destination, lake.Name+"/")]
					switch {
					case props["FilterPattern"] != "":
						t.Errorf("%s/%s filters %v; want every event", app.Name, id, props["FilterPattern"])
					case group == nil || group["Type"] != "AWS::Logs::LogGroup":
						t.Errorf("%s/%s subscribes %s, not a log group of the stack", app.Name, id, jsonOf(props["LogGroupName"]))
					case !strings.HasPrefix(destination, lake.Name+"/") || target == nil || propertiesOf(target)["AmazonOpenSearchServerlessDestinationConfiguration"] == nil:
						t.Errorf("%s/%s sends to %s, want the log search delivery stream of %s", app.Name, id, jsonOf(props["DestinationArn"]), lake.Name)
					}
				}
				if !a.dependsOnStack(app.Name, lake.Name) {
					t.Errorf("%s does not deploy after %s, whose delivery stream its subscription tests at create", app.Name, lake.Name)
				}
				roles := 0
				for _, s := range []*assembly.Stack{app, lake} {
					for pid, p := range resourcesOf(s, "AWS::IAM::Policy") {
						if !strings.Contains(pid, "LogSearch") {
							continue
						}
						roles++
						for _, st := range statementsOf(propertiesOf(p)) {
							for _, action := range stringsOf(st["Action"]) {
								if action == "*" || strings.HasSuffix(action, ":*") {
									t.Errorf("%s/%s allows %q", s.Name, pid, action)
								}
							}
						}
					}
				}
				if roles < 3 {
					t.Errorf("%s and %s: %d log search policies, want those of the delivery, its processor and the subscription", app.Name, lake.Name, roles)
				}
			}
		}
	})
	constructkit.CheckedSomething(t, checked, "region with log search in either config")
}

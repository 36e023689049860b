package constructs_test

import (
	"encoding/json"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2/awscodecommit"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/jsii-runtime-go"

	"github.com/example/platform/lib/pullrequests"
	"github.com/example/platform/test/constructkit"
)

const connection = "arn:aws:codeconnections:us-east-1:111111111111:connection/11111111-2222-3333-4444-555555555555"

var lookupRoles = []string{
	"arn:aws:iam::222222222222:role/cdk-hnb659fds-lookup-role-222222222222-eu-west-1",
	"arn:aws:iam::222222222222:role/cdk-hnb659fds-lookup-role-222222222222-us-east-1",
}

// template synthesizes the checks for props and returns the template's resources.
func template(t *testing.T, props func(s *pullrequests.Props)) map[string]map[string]any {
	t.Helper()
	stack := constructkit.Stack(t, "us-east-1")
	p := pullrequests.Props{Config: "config/acme.json", LookupRoleArns: lookupRoles,
		Key: awskms.NewKey(stack, jsii.String("Key"), nil)}
	props(&p)
	pullrequests.New(stack, "PullRequests", p)
	data, _ := json.Marshal(constructkit.TemplateOf(t, stack).ToJSON())
	var tpl struct{ Resources map[string]map[string]any }
	if err := json.Unmarshal(data, &tpl); err != nil {
		t.Fatal(err)
	}
	return tpl.Resources
}

func pullRequestsOfType(resources map[string]map[string]any, resourceType string) map[string]map[string]any {
	found := map[string]map[string]any{}
	for id, r := range resources {
		if r["Type"] == resourceType {
			found[id] = r
		}
	}
	return found
}

func onlyProject(t *testing.T, resources map[string]map[string]any) map[string]any {
	t.Helper()
	projects := pullRequestsOfType(resources, "AWS::CodeBuild::Project")
	if len(projects) != 1 {
		t.Fatalf("%d projects, want 1", len(projects))
	}
	for _, p := range projects {
		return p
	}
	return nil
}

// statements are every policy statement attached to the resources, as JSON objects.
type statement struct {
	Action   any
	Resource any
}

func policyStatements(policy map[string]any) []statement {
	data, _ := json.Marshal(policy["Properties"].(map[string]any)["PolicyDocument"])
	var doc struct{ Statement []statement }
	_ = json.Unmarshal(data, &doc)
	return doc.Statement
}

func strs(v any) []string {
	switch x := v.(type) {
	case string:
		return []string{x}
	case []any:
		var out []string
		for _, e := range x {
			if s, ok := e.(string); ok {
				out = append(out, s)
			}
		}
		return out
	}
	return nil
}

// A GitHub project with a webhook needs source credentials: the platform's connection, not
// account-level credentials that nothing creates (aws-cdk issue 31726).
func TestPullRequests_GitHubSourceAuthenticatesWithTheConnection(t *testing.T) {
	resources := template(t, func(p *pullrequests.Props) { p.GitHubRepository, p.ConnectionArn = "acme/platform", connection })
	source := onlyProject(t, resources)["Properties"].(map[string]any)["Source"].(map[string]any)
	if source["Type"] != "GITHUB" || !reflect.DeepEqual(source["Auth"], map[string]any{"Type": "CODECONNECTIONS", "Resource": connection}) {
		t.Errorf("source %v, want a GITHUB source with auth CODECONNECTIONS %s", source, connection)
	}
	webhook, _ := onlyProject(t, resources)["Properties"].(map[string]any)["Triggers"].(map[string]any)
	if webhook["Webhook"] != true {
		t.Errorf("triggers %v: pull requests start no build", webhook)
	}
}

// CodeBuild checks the role's access to the connection while it creates the project, so the
// permission is a policy the project waits for (aws-cdk issue 38504), naming only the connection,
// under both service prefixes (IAM matches the action's prefix to the ARN's).
func TestPullRequests_ProjectWaitsForItsPermissionToUseTheConnection(t *testing.T) {
	resources := template(t, func(p *pullrequests.Props) { p.GitHubRepository, p.ConnectionArn = "acme/platform", connection })
	project := onlyProject(t, resources)
	var policyID string
	for id, policy := range pullRequestsOfType(resources, "AWS::IAM::Policy") {
		for _, s := range policyStatements(policy) {
			actions := strs(s.Action)
			sort.Strings(actions)
			if reflect.DeepEqual(actions, []string{"codeconnections:GetConnection", "codeconnections:GetConnectionToken", "codeconnections:UseConnection",
				"codestar-connections:GetConnection", "codestar-connections:GetConnectionToken", "codestar-connections:UseConnection"}) &&
				reflect.DeepEqual(strs(s.Resource), []string{connection}) {
				policyID = id
			} else {
				for _, a := range actions {
					if strings.HasPrefix(a, "codeconnections:") || strings.HasPrefix(a, "codestar-connections:") {
						t.Errorf("%s grants %v on %v; only the connection policy may", id, actions, s.Resource)
					}
				}
			}
		}
	}
	if policyID == "" {
		t.Fatal("no policy lets the project's role get the connection's token and use it")
	}
	if !slices.Contains(strs(project["DependsOn"]), policyID) {
		t.Errorf("the project depends on %v, not on %s: CloudFormation may create it before its role may use the connection", project["DependsOn"], policyID)
	}
}

func TestPullRequests_OlderCodeStarConnectionsArnsGetTheirOwnActions(t *testing.T) {
	older := "arn:aws:codestar-connections:us-east-1:111111111111:connection/11111111-2222-3333-4444-555555555555"
	resources := template(t, func(p *pullrequests.Props) { p.GitHubRepository, p.ConnectionArn = "acme/platform", older })
	found := false
	for _, policy := range pullRequestsOfType(resources, "AWS::IAM::Policy") {
		for _, s := range policyStatements(policy) {
			if slices.Contains(strs(s.Action), "codestar-connections:GetConnectionToken") && reflect.DeepEqual(strs(s.Resource), []string{older}) {
				found = true
			}
		}
	}
	if !found {
		t.Error("a codestar-connections ARN must be granted with the codestar-connections actions (IAM matches the ARN's service prefix)")
	}
}

func TestPullRequests_MayAssumeExactlyTheGivenLookupRoles(t *testing.T) {
	resources := template(t, func(p *pullrequests.Props) { p.GitHubRepository, p.ConnectionArn = "acme/platform", connection })
	var assumable []string
	for _, policy := range pullRequestsOfType(resources, "AWS::IAM::Policy") {
		for _, s := range policyStatements(policy) {
			if slices.Contains(strs(s.Action), "sts:AssumeRole") {
				assumable = append(assumable, strs(s.Resource)...)
			}
		}
	}
	sort.Strings(assumable)
	if !reflect.DeepEqual(assumable, lookupRoles) {
		t.Errorf("the project may assume %v, want exactly %v", assumable, lookupRoles)
	}
}

func TestPullRequests_CodeCommitNeedsNoConnection(t *testing.T) {
	stack := constructkit.Stack(t, "us-east-1")
	repo := awscodecommit.Repository_FromRepositoryName(stack, jsii.String("Repo"), jsii.String("platform"))
	pullrequests.New(stack, "PullRequests", pullrequests.Props{CodeCommit: repo, LookupRoleArns: lookupRoles, Config: "config/globex.json",
		Key: awskms.NewKey(stack, jsii.String("Key"), nil)})
	data, _ := json.Marshal(constructkit.TemplateOf(t, stack).ToJSON())
	var tpl struct{ Resources map[string]map[string]any }
	_ = json.Unmarshal(data, &tpl)
	source := onlyProject(t, tpl.Resources)["Properties"].(map[string]any)["Source"].(map[string]any)
	if source["Type"] != "CODECOMMIT" || source["Auth"] != nil {
		t.Errorf("source %v, want CODECOMMIT without auth", source)
	}
	if len(pullRequestsOfType(tpl.Resources, "AWS::Events::Rule")) != 1 {
		t.Error("no EventBridge rule starts the checks on a CodeCommit pull request")
	}
}

package constructs_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"

	"github.com/example/platform/lib/monitoring"
	"github.com/example/platform/lib/props/propstest"
	"github.com/example/platform/test/constructkit"
)

// The workspace signs users in through IAM Identity Center and reads AWS as a role the platform
// writes: Prometheus on exactly the workspaces given, and nothing else of its own.
func TestGrafana_RoleQueriesExactlyTheGivenPrometheusWorkspaces(t *testing.T) {
	s := constructkit.Stack(t, "us-east-1")
	arns := []*string{
		jsii.String("arn:aws:aps:us-east-1:111111111111:workspace/ws-one"),
		jsii.String("arn:aws:aps:eu-west-1:111111111111:workspace/ws-two"),
	}
	monitoring.NewGrafana(s, "Grafana", monitoring.GrafanaProps{Name: "acme-prod", Prometheus: arns})
	tpl := constructkit.TemplateOf(t, s)
	constructkit.Assert(t, func() {
		tpl.HasResourceProperties(jsii.String("AWS::Grafana::Workspace"), map[string]any{
			"Name": "acme-prod", "AuthenticationProviders": []any{"AWS_SSO"},
			"PermissionType": "CUSTOMER_MANAGED", "AccountAccessType": "CURRENT_ACCOUNT",
			"RoleArn": assertions.Match_AnyValue(),
		})
		tpl.HasResource(jsii.String("AWS::Grafana::Workspace"), map[string]any{"DeletionPolicy": "RetainExceptOnCreate", "UpdateReplacePolicy": "Retain"})
		tpl.HasResourceProperties(jsii.String("AWS::IAM::Role"), map[string]any{
			"AssumeRolePolicyDocument": assertions.Match_ObjectLike(&map[string]any{"Statement": []any{map[string]any{
				"Action": "sts:AssumeRole", "Effect": "Allow", "Principal": map[string]any{"Service": "grafana.amazonaws.com"},
				"Condition": map[string]any{
					"StringEquals": map[string]any{"aws:SourceAccount": "111111111111"},
					"ArnLike":      map[string]any{"aws:SourceArn": assertions.Match_AnyValue()},
				},
			}}}),
		})
	})
	var policies *map[string]*map[string]any
	constructkit.Assert(t, func() { policies = tpl.FindResources(jsii.String("AWS::IAM::Policy"), nil) })
	var prometheus [][]string
	for _, policy := range *policies {
		data, _ := json.Marshal((*policy)["Properties"].(map[string]any)["PolicyDocument"])
		var document struct {
			Statement []struct{ Action, Resource any }
		}
		json.Unmarshal(data, &document)
		for _, st := range document.Statement {
			if strings.Contains(jsonOf(st.Action), "aps:") {
				prometheus = append(prometheus, stringsOf(st.Resource))
			}
		}
	}
	want := []string{"arn:aws:aps:eu-west-1:111111111111:workspace/ws-two", "arn:aws:aps:us-east-1:111111111111:workspace/ws-one"}
	if len(prometheus) != 1 || !slices.Equal(sorted(prometheus[0]), want) {
		t.Errorf("the role reads Prometheus on %v, want exactly %v in one statement", prometheus, want)
	}
}

// Without Prometheus workspaces the role has no Prometheus access at all (not a wildcard).
func TestGrafana_WithoutPrometheusTheRoleReadsNone(t *testing.T) {
	s := constructkit.Stack(t, "us-east-1")
	monitoring.NewGrafana(s, "Grafana", monitoring.GrafanaProps{Name: "acme-prod"})
	tpl := constructkit.TemplateOf(t, s)
	var policies *map[string]*map[string]any
	constructkit.Assert(t, func() { policies = tpl.FindResources(jsii.String("AWS::IAM::Policy"), nil) })
	if data, _ := json.Marshal(policies); strings.Contains(string(data), "aps:") {
		t.Errorf("the role may call Prometheus without a workspace to read: %s", data)
	}
}

func TestGrafana_RefusesABadOrMissingProp(t *testing.T) {
	propstest.Panics(t, func() {
		monitoring.NewGrafana(constructkit.Stack(t, "us-east-1"), "Grafana", monitoring.GrafanaProps{})
	}, "monitoring.NewGrafana(Test/Grafana): Props.Name is required; name the workspace")
	propstest.Panics(t, func() {
		monitoring.NewGrafana(constructkit.Stack(t, "us-east-1"), "Grafana", monitoring.GrafanaProps{Name: "acme prod", Prometheus: []*string{nil}})
	}, `Props.Name "acme prod" is not a workspace name`, "Props.Prometheus[0] is nil")
}

// A workspace reads a Prometheus workspace by its ARN, which NewPrometheus hands on.
func TestGrafana_TakesPrometheusArnsFromNewPrometheus(t *testing.T) {
	s := constructkit.Stack(t, "us-east-1")
	amp := monitoring.NewPrometheus(s, "Prometheus", "acme-prod-us-east-1")
	monitoring.NewGrafana(s, "Grafana", monitoring.GrafanaProps{Name: "acme-prod", Prometheus: []*string{amp.Arn}})
	tpl := constructkit.TemplateOf(t, s)
	var workspaces *map[string]*map[string]any
	constructkit.Assert(t, func() { workspaces = tpl.FindResources(jsii.String("AWS::APS::Workspace"), nil) })
	var policies *map[string]*map[string]any
	constructkit.Assert(t, func() { policies = tpl.FindResources(jsii.String("AWS::IAM::Policy"), nil) })
	data, _ := json.Marshal(policies)
	for id := range *workspaces {
		if !strings.Contains(string(data), `{"Fn::GetAtt":["`+id+`","Arn"]}`) {
			t.Errorf("the role does not name %s's ARN: %s", id, data)
		}
	}
}

func stringsOf(v any) []string {
	switch x := v.(type) {
	case string:
		return []string{x}
	case []any:
		var out []string
		for _, e := range x {
			out = append(out, jsonOf(e))
		}
		for i, s := range out {
			out[i] = strings.Trim(s, `"`)
		}
		return out
	}
	return []string{jsonOf(v)}
}

func sorted(s []string) []string { out := slices.Clone(s); slices.Sort(out); return out }

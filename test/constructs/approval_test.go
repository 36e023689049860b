package constructs_test

import (
	"encoding/json"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"

	"github.com/example/platform/lib/approval"
	"github.com/example/platform/lib/props/propstest"
)

const pipeline = "arn:aws:codepipeline:us-east-1:333333333333:acme-pipeline"

func TestApproval_ThrowsOnABadOrMissingRequiredProp(t *testing.T) {
	for _, c := range []struct {
		name   string
		adjust func(*approval.Props)
		want   string
	}{
		{"no principal", func(p *approval.Props) { p.Principals = nil }, "approval.NewApproverRole(Test/Approver): Props.Principals is required"},
		{"a group", func(p *approval.Props) { p.Principals = []string{"arn:aws:iam::333333333333:group/admins"} },
			`Props.Principals[0] "arn:aws:iam::333333333333:group/admins" is neither an account ID nor an IAM role or user ARN`},
		{"no pipeline", func(p *approval.Props) { p.PipelineArn = "" }, "Props.PipelineArn is required"},
		{"an action of another pipeline", func(p *approval.Props) { p.ApprovalActions = []string{pipeline + "-other/prod/Approve"} },
			"Props.ApprovalActions[0] \"" + pipeline + "-other/prod/Approve\" is not an action of Props.PipelineArn"},
	} {
		t.Run(c.name, func(t *testing.T) {
			stack := awscdk.NewStack(awscdk.NewApp(nil), jsii.String("Test"), nil)
			p := approval.Props{RoleName: "acme-deployment-approver", Principals: []string{"333333333333"}, PipelineArn: pipeline,
				ApprovalActions: []string{pipeline + "/prod/Approve"}}
			c.adjust(&p)
			propstest.Panics(t, func() { approval.NewApproverRole(stack, "Approver", p) }, c.want)
		})
	}
}

// The role trusts exactly the people it is given: a role as it is, a user only signed in with
// MFA, and no account root.
func TestApproval_TrustsTheNamedPeopleAndUsersOnlyWithMFA(t *testing.T) {
	stack := awscdk.NewStack(awscdk.NewApp(nil), jsii.String("Test"), nil)
	approval.NewApproverRole(stack, "Approver", approval.Props{RoleName: "acme-deployment-approver", PipelineArn: pipeline,
		Principals: []string{"arn:aws:iam::333333333333:role/ReleaseManagers", "arn:aws:iam::333333333333:user/dale"}, ApprovalActions: []string{pipeline + "/prod/Approve"}})
	template := assertions.Template_FromStack(stack, nil)
	var roles map[string]map[string]any
	raw, _ := json.Marshal(template.FindResources(jsii.String("AWS::IAM::Role"), nil))
	if err := json.Unmarshal(raw, &roles); err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, role := range roles {
		document, _ := role["Properties"].(map[string]any)["AssumeRolePolicyDocument"].(map[string]any)
		for _, s := range document["Statement"].([]any) {
			statement, _ := json.Marshal(s)
			got = append(got, string(statement))
		}
	}
	sort.Strings(got)
	want := []string{
		`{"Action":"sts:AssumeRole","Condition":{"Bool":{"aws:MultiFactorAuthPresent":"true"}},"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::333333333333:user/dale"}}`,
		`{"Action":"sts:AssumeRole","Effect":"Allow","Principal":{"AWS":"arn:aws:iam::333333333333:role/ReleaseManagers"}}`,
	}
	if !slices.Equal(got, want) {
		t.Errorf("trust statements\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

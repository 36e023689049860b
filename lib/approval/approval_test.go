package approval_test

import (
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
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

// Package approval builds the role that approves a deployment: the one principal the platform
// lets decide at a pipeline's manual approval actions. CloudTrail records who assumed it and
// every PutApprovalResult it made.
package approval

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/example/platform/lib/compliance"
	"github.com/example/platform/lib/props"
)

// Props configures the approver role. Every field is required.
type Props struct {
	// RoleName is what people assume (a fixed name, so they can write it in their tools).
	RoleName string
	// Principals may assume the role: the ARNs of IAM roles or users (a user only signed in
	// with MFA), or account IDs (whatever that account's IAM allows).
	Principals []string
	// PipelineArn is the pipeline whose executions the role may look at.
	PipelineArn string
	// ApprovalActions are the ARNs of the approval actions the role may decide
	// (arn:aws:codepipeline:<region>:<account>:<pipeline>/<stage>/<action>).
	ApprovalActions []string
	// ReviewedProjects are the ARNs of the CodeBuild projects whose builds and logs an approver
	// reads before deciding (arn:aws:codebuild:<region>:<account>:project/<name>), logging to
	// CodeBuild's default log group /aws/codebuild/<name>. Optional.
	ReviewedProjects []string
}

var (
	pipelineArn = regexp.MustCompile(`^arn:aws:codepipeline:[a-z0-9-]+:\d{12}:[A-Za-z0-9.@_-]+$`)
	projectArn  = regexp.MustCompile(`^arn:(aws[a-z-]*):codebuild:([a-z0-9-]+):(\d{12}):project/(.+)$`)
)

// projectLogGroupArn is the ARN of the log streams of a CodeBuild project's default log group.
func projectLogGroupArn(project string) string {
	m := projectArn.FindStringSubmatch(project)
	return fmt.Sprintf("arn:%s:logs:%s:%s:log-group:/aws/codebuild/%s:*", m[1], m[2], m[3], m[4])
}

// check fails with every problem of p, the way a construct fails: a panic naming its path.
func (p Props) check(scope constructs.Construct, id string) {
	c := props.Check(scope, id, "approval.NewApproverRole")
	c.Require("Props.RoleName", p.RoleName != "", "name the role people assume, such as acme-deployment-approver")
	c.Principals("Props.Principals", p.Principals)
	if c.Require("Props.PipelineArn", p.PipelineArn != "", "give the pipeline's ARN, arn:aws:codepipeline:<region>:<account>:<pipeline>") &&
		!pipelineArn.MatchString(p.PipelineArn) {
		c.Failf("Props.PipelineArn", "%q is not a pipeline ARN; give arn:aws:codepipeline:<region>:<account>:<pipeline>", p.PipelineArn)
	}
	c.Require("Props.ApprovalActions", len(p.ApprovalActions) > 0, "list the approval actions the role decides, arn:aws:codepipeline:<region>:<account>:<pipeline>/<stage>/<action>")
	for i, action := range p.ApprovalActions {
		if !strings.HasPrefix(action, p.PipelineArn+"/") {
			c.Failf(fmt.Sprintf("Props.ApprovalActions[%d]", i), "%q is not an action of Props.PipelineArn; give %s/<stage>/<action>", action, p.PipelineArn)
		}
	}
	for i, project := range p.ReviewedProjects {
		if !projectArn.MatchString(project) {
			c.Failf(fmt.Sprintf("Props.ReviewedProjects[%d]", i), "%q is not a CodeBuild project ARN; give arn:aws:codebuild:<region>:<account>:project/<name>", project)
		}
	}
	c.Done()
}

// NewApproverRole creates the role: it may approve or reject exactly ApprovalActions and read
// the pipeline's state and history, nothing else.
func NewApproverRole(scope constructs.Construct, id string, p Props) awsiam.Role {
	p.check(scope, id)
	role := awsiam.NewRole(scope, jsii.String(id), &awsiam.RoleProps{
		RoleName:    jsii.String(p.RoleName),
		Description: jsii.String("Approves or rejects deployments to the platform's gated environments"),
		AssumedBy:   awsiam.NewCompositePrincipal(props.PeopleOf(p.Principals)...),
	})
	role.AddToPrincipalPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid: jsii.String("DecideTheApprovals"), Actions: jsii.Strings("codepipeline:PutApprovalResult"), Resources: jsii.Strings(p.ApprovalActions...),
	}))
	role.AddToPrincipalPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid: jsii.String("SeeWhatIsApproved"),
		Actions: jsii.Strings("codepipeline:GetPipeline", "codepipeline:GetPipelineState", "codepipeline:GetPipelineExecution",
			"codepipeline:ListPipelineExecutions", "codepipeline:ListActionExecutions"),
		Resources: jsii.Strings(p.PipelineArn),
	}))
	// The console lists the account's pipelines before it opens one; the list has no resource.
	role.AddToPrincipalPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid: jsii.String("FindThePipeline"), Actions: jsii.Strings("codepipeline:ListPipelines"), Resources: jsii.Strings("*"),
	}))
	if len(p.ReviewedProjects) > 0 {
		var logGroups []string
		for _, project := range p.ReviewedProjects {
			logGroups = append(logGroups, projectLogGroupArn(project))
		}
		role.AddToPrincipalPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Sid:       jsii.String("ReadTheEvidence"),
			Actions:   jsii.Strings("codebuild:BatchGetProjects", "codebuild:BatchGetBuilds", "codebuild:ListBuildsForProject"),
			Resources: jsii.Strings(p.ReviewedProjects...),
		}))
		role.AddToPrincipalPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Sid: jsii.String("ReadTheEvidencesLogs"), Actions: jsii.Strings("logs:GetLogEvents", "logs:FilterLogEvents"), Resources: jsii.Strings(logGroups...),
		}))
	}
	compliance.Accept(role, compliance.Accepted{Rule: "AwsSolutions-IAM5",
		AppliesTo: []string{"Resource::*", "/^Resource::arn:[^:]+:logs:[^:]+:\\d{12}:log-group:\\/aws\\/codebuild\\/[^*]+:\\*$/"},
		Reason:    "codepipeline:ListPipelines has no resource to scope it to; the reviewed builds' log streams are only known by their log group's ARN with :*."})
	return role
}

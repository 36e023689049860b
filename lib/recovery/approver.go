package recovery

import (
	"fmt"
	"regexp"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/example/platform/lib/compliance"
	"github.com/example/platform/lib/props"
)

// ApproverProps configures an Approver. Every field is required.
type ApproverProps struct {
	// RoleName is the role's name, which the runbook tells people to assume: at most 64
	// characters, unique in the account.
	RoleName string
	// PlanNames are the plans whose approval steps the role may release.
	PlanNames []string
	// Principals may assume the role: the ARNs of IAM roles or users (a user only signed in with
	// MFA), or account IDs (whatever that account's IAM allows).
	Principals []string
}

// Approver is the role whose holder approves a Region switch plan's execution: ARC's manual
// approval step names it, and only it may release the step. The people Principals names assume
// it; it may read the plans and their executions and approve or decline their steps, nothing
// else.
type Approver struct {
	constructs.Construct
	Role awsiam.Role
}

// roleNamePattern is IAM's role name: 1 to 64 of these characters.
var roleNamePattern = regexp.MustCompile(`^[\w+=,.@-]{1,64}$`)

func (p ApproverProps) check(scope constructs.Construct, id string) {
	c := props.Check(scope, id, "recovery.NewApprover")
	if c.Require("Props.RoleName", p.RoleName != "", "name the role people assume to approve, such as acme-prod-recovery-approver") && !roleNamePattern.MatchString(p.RoleName) {
		c.Failf("Props.RoleName", "%q is not an IAM role name; give 1 to 64 letters, digits and +=,.@_-", p.RoleName)
	}
	c.Require("Props.PlanNames", len(p.PlanNames) > 0, "name the plans whose steps the role approves")
	c.Principals("Props.Principals", p.Principals)
	c.Done()
}

// NewApprover builds the approver role.
func NewApprover(scope constructs.Construct, id string, p ApproverProps) *Approver {
	p.check(scope, id)
	c := constructs.NewConstruct(scope, jsii.String(id))
	account := *awscdk.Stack_Of(c).Account()
	role := awsiam.NewRole(c, jsii.String("Role"), &awsiam.RoleProps{
		RoleName:    jsii.String(p.RoleName),
		AssumedBy:   awsiam.NewCompositePrincipal(props.PeopleOf(p.Principals)...),
		Description: jsii.String("Approves the steps of the environment's Region switch plans that wait for a person"),
	})
	var plans []*string
	for _, name := range p.PlanNames {
		plans = append(plans, jsii.String(PlanArns(account, name)))
	}
	role.AddToPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid: jsii.String("ApproveThePlansSteps"),
		// ARC's plan evaluation checks that the approval role holds ApprovePlanExecutionStep;
		// the rest lets the approver see what they approve, on every region's data plane.
		Actions: jsii.Strings("arc-region-switch:ApprovePlanExecutionStep", "arc-region-switch:GetPlan", "arc-region-switch:GetPlanInRegion",
			"arc-region-switch:GetPlanExecution", "arc-region-switch:ListPlanExecutions", "arc-region-switch:ListPlanExecutionEvents"),
		Resources: &plans,
	}))
	var appliesTo []string
	for _, plan := range plans {
		appliesTo = append(appliesTo, "Resource::"+*plan)
	}
	compliance.Accept(role, compliance.Accepted{
		Rule:      "AwsSolutions-IAM5",
		Reason:    fmt.Sprintf("Each plan is named by its fixed name: ARC ends a plan's ARN in a suffix it generates, so the %d plans' ARNs cannot be written before they exist.", len(plans)),
		AppliesTo: appliesTo,
	})
	return &Approver{Construct: c, Role: role}
}

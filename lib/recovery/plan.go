// Package recovery builds what an environment recovers with and is assessed against: the
// Amazon Application Recovery Controller (ARC) Region switch plans that move the environment's
// active region (scale up, approve, switch or fail over the database), the role that approves
// them, the alarm that makes the site's DNS follow the database writer, and the AWS Resilience
// Hub application and policy that hold the environment to its recovery objectives.
package recovery

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsarcregionswitch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/example/platform/lib/compliance"
	"github.com/example/platform/lib/props"
)

// PlanRegion is one of a plan's two regions: what the plan scales, switches and watches there.
type PlanRegion struct {
	// Region is the region's code, such as eu-west-1.
	Region string
	// DatabaseClusterArn is the region's member of the Aurora global database.
	DatabaseClusterArn string
	// ECSClusterArn and ECSServiceArn are the region's service, which the plan scales up when it
	// activates the region.
	ECSClusterArn *string
	ECSServiceArn *string
	// HealthAlarmArn is the region's "region unhealthy" alarm: the plan shows it as the region's
	// application health (ARC associated alarm).
	HealthAlarmArn string
}

// PlanProps configures a Plan. Every field is required.
type PlanProps struct {
	// Name of the plan: 1 to 32 letters, digits and hyphens, unique in the account (a plan is a
	// global resource: its ARN has no region).
	Name string
	// Primary is the environment's primary region, Target the region the plan can move the
	// environment to. The plan activates either: Target to switch or fail over, Primary to fail
	// back.
	Primary, Target PlanRegion
	// GlobalClusterIdentifier names the Aurora global database both regions belong to.
	GlobalClusterIdentifier string
	// RecoveryTimeObjectiveMinutes is the RTO the plan's executions are measured against, 1 to
	// 10080.
	RecoveryTimeObjectiveMinutes float64
	// Approver is the role whose holder releases the approval step (Approver.Role).
	Approver awsiam.IRole
	// Timeouts bound the steps; their worst case (CriticalPathMinutes) must fit in
	// RecoveryTimeObjectiveMinutes.
	Timeouts PlanTimeouts
}

// PlanTimeouts are the longest ARC lets each step run, in minutes (at least 1 each).
type PlanTimeouts struct {
	ScaleUpMinutes, ApprovalMinutes, DatabaseMinutes float64
}

// CriticalPathMinutes is the longest an execution takes: the scale-up and the approval run at
// the same time, then the database moves.
func (t PlanTimeouts) CriticalPathMinutes() float64 {
	return max(t.ScaleUpMinutes, t.ApprovalMinutes) + t.DatabaseMinutes
}

// The steps of every workflow: StepPrepare (StepScaleUp and StepApprove at the same time), then
// StepDatabase.
const (
	// StepPrepare runs the scale-up alongside the approval, so the approver's time and the
	// tasks' start overlap rather than add up.
	StepPrepare = "prepare"
	// StepScaleUp scales the activated region's service to the other region's running tasks.
	StepScaleUp = "scale-up"
	// StepApprove waits for a person before the database moves. ARC runs it in both modes: the
	// manual approval block has no ungraceful behaviour, so a planned switch waits too.
	StepApprove = "approve"
	// StepDatabase switches the global database over (graceful: RPO 0) or fails it over
	// (ungraceful: RPO is the replication lag) to the activated region.
	StepDatabase = "database"
)

// Execution block types and settings, as AWS::ARCRegionSwitch::Plan spells them.
const (
	BlockECSServiceScaling    = "ECSServiceScaling"
	BlockManualApproval       = "ManualApproval"
	BlockAuroraGlobalDatabase = "AuroraGlobalDatabase"
	BlockParallel             = "Parallel"
	// RecoveryApproach: one region holds the database writer and the site's origin; the plan
	// moves both (Global Accelerator keeps every region active: see docs/disaster-recovery.md).
	RecoveryApproach = "activePassive"
)

// Step thresholds, the same for every plan (the timeouts come from Props.Timeouts).
const (
	// targetPercent of the other region's tasks the activated region scales to.
	targetPercent = 100
	// ungracefulMinimumPercent: when the other region is lost, the plan goes on once half of
	// its tasks run in the activated region (autoscaling adds the rest).
	ungracefulMinimumPercent = 50
)

// planNamePattern is AWS::ARCRegionSwitch::Plan's Name.
var planNamePattern = regexp.MustCompile(`^[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,30}[a-zA-Z0-9])?$`)

// regionPattern is the plan's Regions' items.
var regionPattern = regexp.MustCompile(`^[a-z]{2}-[a-z-]+-\d+$`)

// Plan is a Region switch plan and the role it runs as.
type Plan struct {
	constructs.Construct
	Plan awsarcregionswitch.CfnPlan
	// ExecutionRole is what ARC assumes to run the steps.
	ExecutionRole awsiam.Role
}

func (p PlanProps) check(scope constructs.Construct, id string) {
	c := props.Check(scope, id, "recovery.NewPlan")
	if c.Require("Props.Name", p.Name != "", "name the plan, such as acme-prod-eu-west-1") && !planNamePattern.MatchString(p.Name) {
		c.Failf("Props.Name", "%q is not a plan name; Region switch takes 1 to 32 letters, digits and hyphens, starting and ending with a letter or digit", p.Name)
	}
	for _, r := range []struct {
		field string
		r     PlanRegion
	}{{"Props.Primary", p.Primary}, {"Props.Target", p.Target}} {
		if c.Require(r.field+".Region", r.r.Region != "", "give the region's code, such as eu-west-1") && !regionPattern.MatchString(r.r.Region) {
			c.Failf(r.field+".Region", "%q is not a region code; give one such as eu-west-1", r.r.Region)
		}
		if c.Require(r.field+".DatabaseClusterArn", r.r.DatabaseClusterArn != "", "give the region's Aurora cluster ARN, arn:aws:rds:<region>:<account>:cluster:<identifier>") &&
			!strings.HasPrefix(r.r.DatabaseClusterArn, fmt.Sprintf("arn:aws:rds:%s:", r.r.Region)) {
			c.Failf(r.field+".DatabaseClusterArn", "%q is not an Aurora cluster in %s; give arn:aws:rds:%s:<account>:cluster:<identifier>", r.r.DatabaseClusterArn, r.r.Region, r.r.Region)
		}
		c.Require(r.field+".ECSClusterArn", r.r.ECSClusterArn != nil, "give the region's ECS cluster ARN")
		c.Require(r.field+".ECSServiceArn", r.r.ECSServiceArn != nil, "give the region's ECS service ARN")
		c.Require(r.field+".HealthAlarmArn", r.r.HealthAlarmArn != "", "give the ARN of the region's \"region unhealthy\" alarm")
	}
	if p.Primary.Region != "" && p.Primary.Region == p.Target.Region {
		c.Failf("Props.Target.Region", "%s is also Props.Primary.Region; a plan moves an environment between two different regions", p.Target.Region)
	}
	c.Require("Props.GlobalClusterIdentifier", p.GlobalClusterIdentifier != "", "name the Aurora global database both regions belong to")
	if c.Require("Props.RecoveryTimeObjectiveMinutes", p.RecoveryTimeObjectiveMinutes != 0, "give the region-loss RTO in minutes (lib/config's recovery.objectives.region.rtoMinutes)") &&
		(p.RecoveryTimeObjectiveMinutes < 1 || p.RecoveryTimeObjectiveMinutes > 10080) {
		c.Failf("Props.RecoveryTimeObjectiveMinutes", "%v: Region switch takes 1 to 10080 minutes", p.RecoveryTimeObjectiveMinutes)
	}
	c.Require("Props.Approver", p.Approver != nil, "give the role that approves the plan's executions (recovery.NewApprover)")
	t := p.Timeouts
	for _, f := range []struct {
		field   string
		minutes float64
	}{{"ScaleUpMinutes", t.ScaleUpMinutes}, {"ApprovalMinutes", t.ApprovalMinutes}, {"DatabaseMinutes", t.DatabaseMinutes}} {
		if f.minutes < 1 {
			c.Failf("Props.Timeouts."+f.field, "%v: give at least a minute (lib/config's Plan*Minutes)", f.minutes)
		}
	}
	if worst := t.CriticalPathMinutes(); p.RecoveryTimeObjectiveMinutes >= 1 && worst > p.RecoveryTimeObjectiveMinutes {
		c.Failf("Props.RecoveryTimeObjectiveMinutes", "%v: the plan's steps can take %v minutes (scale-up %v alongside approval %v, then the database %v); "+
			"declare at least %v or shorten the timeouts", p.RecoveryTimeObjectiveMinutes, worst, t.ScaleUpMinutes, t.ApprovalMinutes, t.DatabaseMinutes, worst)
	}
	c.Done()
}

// NewPlan builds an active/passive Region switch plan between Primary and Target, with an
// activation workflow for each: scale the activated region's service up to the other region's
// capacity while waiting for approval, then switch the database over (a graceful execution) or fail it
// over (an ungraceful one) to the activated region. AWS::ARCRegionSwitch::Plan has no L2.
//
// A plan is global (its ARN has no region) and is created through Region switch's control
// plane, which is in us-east-1: put it in a stack there. Executions run on the data plane of the
// region they activate.
func NewPlan(scope constructs.Construct, id string, p PlanProps) *Plan {
	p.check(scope, id)
	c := constructs.NewConstruct(scope, jsii.String(id))
	stack := awscdk.Stack_Of(c)
	role := awsiam.NewRole(c, jsii.String("ExecutionRole"), &awsiam.RoleProps{
		AssumedBy:   awsiam.NewServicePrincipal(jsii.String("arc-region-switch.amazonaws.com"), nil),
		Description: jsii.String("Runs the steps of the Region switch plan " + p.Name),
	})
	grantSteps(role, stack, p)

	scaleUp := &awsarcregionswitch.CfnPlan_StepProperty{
		Name: jsii.String(StepScaleUp), ExecutionBlockType: jsii.String(BlockECSServiceScaling),
		Description: jsii.String("Scale the activated region's service to the other region's largest task count of the last 24 hours"),
		ExecutionBlockConfiguration: &awsarcregionswitch.CfnPlan_ExecutionBlockConfigurationProperty{
			EcsCapacityIncreaseConfig: &awsarcregionswitch.CfnPlan_EcsCapacityIncreaseConfigurationProperty{
				Services: &[]any{
					&awsarcregionswitch.CfnPlan_ServiceProperty{ClusterArn: p.Primary.ECSClusterArn, ServiceArn: p.Primary.ECSServiceArn},
					&awsarcregionswitch.CfnPlan_ServiceProperty{ClusterArn: p.Target.ECSClusterArn, ServiceArn: p.Target.ECSServiceArn},
				},
				CapacityMonitoringApproach: jsii.String("sampledMaxInLast24Hours"),
				TargetPercent:              jsii.Number(targetPercent),
				TimeoutMinutes:             jsii.Number(p.Timeouts.ScaleUpMinutes),
				Ungraceful:                 &awsarcregionswitch.CfnPlan_EcsUngracefulProperty{MinimumSuccessPercentage: jsii.Number(ungracefulMinimumPercent)},
			},
		},
	}
	approve := &awsarcregionswitch.CfnPlan_StepProperty{
		Name: jsii.String(StepApprove), ExecutionBlockType: jsii.String(BlockManualApproval),
		Description: jsii.String("A person confirms the move before the database writer changes region (a failover may lose the replication lag's writes)"),
		ExecutionBlockConfiguration: &awsarcregionswitch.CfnPlan_ExecutionBlockConfigurationProperty{
			ExecutionApprovalConfig: &awsarcregionswitch.CfnPlan_ExecutionApprovalConfigurationProperty{
				ApprovalRole: p.Approver.RoleArn(), TimeoutMinutes: jsii.Number(p.Timeouts.ApprovalMinutes),
			},
		},
	}
	prepare := &awsarcregionswitch.CfnPlan_StepProperty{
		Name: jsii.String(StepPrepare), ExecutionBlockType: jsii.String(BlockParallel),
		Description: jsii.String("Scale the service up while a person decides: the worst case is the longer of the two, not their sum"),
		ExecutionBlockConfiguration: &awsarcregionswitch.CfnPlan_ExecutionBlockConfigurationProperty{
			ParallelConfig: &awsarcregionswitch.CfnPlan_ParallelExecutionBlockConfigurationProperty{Steps: &[]any{scaleUp, approve}},
		},
	}
	database := &awsarcregionswitch.CfnPlan_StepProperty{
		Name: jsii.String(StepDatabase), ExecutionBlockType: jsii.String(BlockAuroraGlobalDatabase),
		Description: jsii.String("Switch the global database over to the activated region (graceful, RPO 0), or fail it over (ungraceful, RPO the replication lag)"),
		ExecutionBlockConfiguration: &awsarcregionswitch.CfnPlan_ExecutionBlockConfigurationProperty{
			GlobalAuroraConfig: &awsarcregionswitch.CfnPlan_GlobalAuroraConfigurationProperty{
				Behavior:                jsii.String("switchoverOnly"),
				Ungraceful:              &awsarcregionswitch.CfnPlan_GlobalAuroraUngracefulProperty{Ungraceful: jsii.String("failover")},
				GlobalClusterIdentifier: jsii.String(p.GlobalClusterIdentifier),
				DatabaseClusterArns:     jsii.Strings(p.Primary.DatabaseClusterArn, p.Target.DatabaseClusterArn),
				TimeoutMinutes:          jsii.Number(p.Timeouts.DatabaseMinutes),
			},
		},
	}
	// Both workflows run the same steps: each names both regions' resources, and ARC acts on
	// the activated region's.
	workflow := func(activated, other PlanRegion) *awsarcregionswitch.CfnPlan_WorkflowProperty {
		return &awsarcregionswitch.CfnPlan_WorkflowProperty{
			WorkflowTargetAction: jsii.String("activate"),
			WorkflowTargetRegion: jsii.String(activated.Region),
			WorkflowDescription: jsii.String(fmt.Sprintf("Make %s the active region: scale its service to %s's while a person approves, then move the database writer there",
				activated.Region, other.Region)),
			Steps: &[]any{prepare, database},
		}
	}
	alarm := func(r PlanRegion) *awsarcregionswitch.CfnPlan_AssociatedAlarmProperty {
		return &awsarcregionswitch.CfnPlan_AssociatedAlarmProperty{AlarmType: jsii.String("applicationHealth"), ResourceIdentifier: jsii.String(r.HealthAlarmArn)}
	}
	plan := awsarcregionswitch.NewCfnPlan(c, jsii.String("Plan"), &awsarcregionswitch.CfnPlanProps{
		Name:                         jsii.String(p.Name),
		Description:                  jsii.String(fmt.Sprintf("Moves the environment between %s (primary) and %s", p.Primary.Region, p.Target.Region)),
		RecoveryApproach:             jsii.String(RecoveryApproach),
		Regions:                      jsii.Strings(p.Primary.Region, p.Target.Region),
		PrimaryRegion:                jsii.String(p.Primary.Region),
		ExecutionRole:                role.RoleArn(),
		RecoveryTimeObjectiveMinutes: jsii.Number(p.RecoveryTimeObjectiveMinutes),
		Workflows:                    &[]any{workflow(p.Target, p.Primary), workflow(p.Primary, p.Target)},
		AssociatedAlarms: &map[string]any{
			p.Primary.Region + "-region-unhealthy": alarm(p.Primary),
			p.Target.Region + "-region-unhealthy":  alarm(p.Target),
		},
	})
	// ARC evaluates the plan as soon as it exists: the role's permissions must be there first.
	plan.Node().AddDependency(role)
	return &Plan{Construct: c, Plan: plan, ExecutionRole: role}
}

// PlanArns matches the ARNs of the plan named name in account: ARC appends a generated suffix
// (arn:aws:arc-region-switch::<account>:plan/<name>:<6 characters>), so roles that act on a plan
// before it exists name it by this pattern.
func PlanArns(account, name string) string {
	return fmt.Sprintf("arn:aws:arc-region-switch::%s:plan/%s:*", account, name)
}

// grantSteps gives the execution role what its steps need ("Execution block permissions" in the
// ARC developer guide), on these regions' resources only; "*" only where the action has no
// resource-level permission.
func grantSteps(role awsiam.Role, stack awscdk.Stack, p PlanProps) {
	account := *stack.Account()
	regions := []PlanRegion{p.Primary, p.Target}
	add := func(sid string, actions []string, resources []*string, conditions map[string]any) {
		statement := &awsiam.PolicyStatementProps{Sid: jsii.String(sid), Actions: jsii.Strings(actions...), Resources: &resources}
		if conditions != nil {
			statement.Conditions = &conditions
		}
		role.AddToPolicy(awsiam.NewPolicyStatement(statement))
	}
	var services, clusters, databases, alarms []*string
	for _, r := range regions {
		services = append(services, r.ECSServiceArn)
		clusters = append(clusters, r.ECSClusterArn)
		databases = append(databases, jsii.String(r.DatabaseClusterArn))
		alarms = append(alarms, jsii.String(r.HealthAlarmArn))
	}
	anyResource := []*string{jsii.String("*")}
	globalCluster := jsii.String(fmt.Sprintf("arn:aws:rds::%s:global-cluster:%s", account, p.GlobalClusterIdentifier))

	// Every plan: ARC checks the role's permissions by simulating them, and reads the plan.
	add("EvaluateThePlan", []string{"iam:SimulatePrincipalPolicy"}, []*string{role.RoleArn()}, nil)
	add("ReadThePlan", []string{"arc-region-switch:GetPlan", "arc-region-switch:GetPlanExecution", "arc-region-switch:ListPlanExecutions"},
		[]*string{jsii.String(PlanArns(account, p.Name))}, nil)
	// The regions' health alarms, which the plan shows.
	add("ReadTheHealthAlarms", []string{"cloudwatch:DescribeAlarms", "cloudwatch:DescribeAlarmHistory"}, alarms, nil)
	// scale-up (ECS service scaling block).
	add("ScaleTheServices", []string{"ecs:DescribeServices", "ecs:UpdateService"}, services, nil)
	add("DescribeTheClusters", []string{"ecs:DescribeClusters"}, clusters, nil)
	add("ListTheClustersServices", []string{"ecs:ListServices"}, anyResource,
		map[string]any{"ArnEquals": map[string]any{"ecs:cluster": clusters}})
	add("RaiseTheServicesMinimum", []string{"application-autoscaling:DescribeScalableTargets", "application-autoscaling:RegisterScalableTarget"}, anyResource,
		map[string]any{"StringEquals": map[string]any{
			"application-autoscaling:service-namespace":  "ecs",
			"application-autoscaling:scalable-dimension": "ecs:service:DesiredCount",
		}})
	add("ReadTheTaskCounts", []string{"cloudwatch:GetMetricStatistics"}, anyResource, nil)
	// database (Aurora Global Database block).
	add("MoveTheWriter", []string{"rds:SwitchoverGlobalCluster", "rds:FailoverGlobalCluster"}, append([]*string{globalCluster}, databases...), nil)
	add("DescribeTheDatabase", []string{"rds:DescribeGlobalClusters"}, []*string{globalCluster}, nil)
	add("DescribeTheClustersOfTheDatabase", []string{"rds:DescribeDBClusters"}, databases, nil)

	compliance.Accept(role, compliance.Accepted{
		Rule: "AwsSolutions-IAM5",
		Reason: "Scoped where IAM can scope: ecs:ListServices has no resource type (its ecs:cluster condition names the two clusters); " +
			"application-autoscaling's DescribeScalableTargets has none and RegisterScalableTarget's target IDs are generated (the conditions allow " +
			"only ECS services' desired counts); cloudwatch:GetMetricStatistics has no resource type; the plan's ARN ends in a suffix ARC generates, " +
			"so it is named by its fixed name and any suffix.",
		AppliesTo: []string{"Resource::*", "Resource::" + PlanArns(account, p.Name)},
	})
}

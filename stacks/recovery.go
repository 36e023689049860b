package stacks

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/example/platform/lib/config"
	"github.com/example/platform/lib/monitoring"
	"github.com/example/platform/lib/recovery"
)

// RecoveryStack is an environment's Region switch plans, the role that approves them, and its
// Resilience Hub application, in RecoveryRegion. It is stateless: it names the other stacks'
// resources and keeps nothing.
type RecoveryStack struct {
	awscdk.Stack
	// Plans move the environment from its primary to each secondary and back, in config order;
	// an environment with one region has none.
	Plans []*recovery.Plan
	// Approver releases the plans' approval step; nil without plans.
	Approver   *recovery.Approver
	Resilience *recovery.Resilience
}

// NewRecoveryStack builds the recovery tier over the environment's stacks (others: every stack
// of the stage but this one). It deploys after all of them: the plans read each region's service
// (weak references), the Resilience Hub application every stack's ID.
func NewRecoveryStack(stage awscdk.Stage, place placement, regions []*RegionStacks, others []awscdk.Stack) *RecoveryStack {
	p, env := place.platform, place.env
	stack := newStack(stage, place, TierRecovery,
		fmt.Sprintf("%s %s recovery: Region switch plans and the Resilience Hub application", p.Name, env.Name))
	result := &RecoveryStack{Stack: stack}
	objectives := env.Recovery.Objectives

	// A Region switch plan covers two regions (AWS::ARCRegionSwitch::Plan Regions: exactly 2),
	// so each secondary has its own with the primary: switch or fail over to it, fail back.
	var names []string
	for _, r := range regions[1:] {
		names = append(names, PlanName(p.Name, env.Name, r.Region.Region))
	}
	if len(names) > 0 {
		result.Approver = recovery.NewApprover(stack, "Approver", recovery.ApproverProps{
			RoleName: RecoveryApproverRoleName(p.Name, env.Name), PlanNames: names, Principals: p.RecoveryApproverPrincipals(env),
		})
		awscdk.NewCfnOutput(stack, jsii.String(ApproverRoleArnOutput), &awscdk.CfnOutputProps{
			Value: result.Approver.Role.RoleArn(), Description: jsii.String("Assume it to approve a Region switch plan's execution"),
		})
	}
	planRegion := func(r *RegionStacks) recovery.PlanRegion {
		region := r.Region.Region
		return recovery.PlanRegion{
			Region:             region,
			DatabaseClusterArn: EnvironmentClusterArn(p.Name, env, region),
			ECSClusterArn:      attribute(r.App.Service.Cluster, "Arn"),
			ECSServiceArn:      attribute(r.App.Service.Service, "ServiceArn"),
			HealthAlarmArn:     AlarmArn(env.Account, region, monitoring.UnhealthyAlarmName(MonitoringName(p.Name, env.Name, region))),
		}
	}
	for i, r := range regions[1:] {
		plan := recovery.NewPlan(stack, "Plan-"+r.Region.Region, recovery.PlanProps{
			Name:                         names[i],
			Primary:                      planRegion(regions[0]),
			Target:                       planRegion(r),
			GlobalClusterIdentifier:      GlobalClusterIdentifier(p.Name, env.Name),
			RecoveryTimeObjectiveMinutes: float64(objectives.Region.RTOMinutes),
			Approver:                     result.Approver.Role,
			Timeouts: recovery.PlanTimeouts{
				ScaleUpMinutes: config.PlanScaleUpMinutes, ApprovalMinutes: config.PlanApprovalMinutes, DatabaseMinutes: config.PlanDatabaseMinutes,
			},
		})
		awscdk.NewCfnOutput(stack, jsii.String(PlanArnOutput(r.Region.Region)), &awscdk.CfnOutputProps{
			Value:       plan.Plan.AttrArn(),
			Description: jsii.String(fmt.Sprintf("Region switch plan between %s and %s", regions[0].Region.Region, r.Region.Region)),
		})
		result.Plans = append(result.Plans, plan)
	}

	var sources []recovery.Source
	for _, s := range others {
		sources = append(sources, recovery.Source{StackArn: s.StackId(), Region: *s.Region(), Account: *s.Account()})
	}
	minutes := func(rto, rpo int) recovery.Objective {
		return recovery.Objective{RTOMinutes: float64(rto), RPOMinutes: float64(rpo)}
	}
	result.Resilience = recovery.NewResilience(stack, "Resilience", recovery.ResilienceProps{
		Name: ResilienceName(p.Name, env.Name),
		Tier: env.Recovery.Tier,
		Objectives: recovery.Objectives{
			Software: minutes(objectives.Software.RTOMinutes, objectives.Software.RPOMinutes),
			Hardware: minutes(objectives.Hardware.RTOMinutes, objectives.Hardware.RPOMinutes),
			AZ:       minutes(objectives.AZ.RTOMinutes, objectives.AZ.RPOMinutes),
			Region:   minutes(objectives.Region.RTOMinutes, objectives.Region.RPOMinutes),
		},
		Sources: sources,
	})
	return result
}

// attribute is the CloudFormation attribute name of construct's resource as a plain GetAtt. The
// L2s' ARNs are environment-aware tokens, which CDK refuses to read from another region unless
// the resource has a physical name; a GetAtt crosses as a weak reference like any other value.
func attribute(construct constructs.IConstruct, name string) *string {
	return construct.Node().DefaultChild().(awscdk.CfnResource).GetAtt(jsii.String(name), awscdk.ResolutionTypeHint_STRING).ToString()
}

package constructs_test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/jsii-runtime-go"

	"github.com/example/platform/lib/compliance"
	"github.com/example/platform/lib/recovery"
	"github.com/example/platform/test/constructkit"
)

func region(name string) recovery.PlanRegion {
	return recovery.PlanRegion{
		Region:             name,
		DatabaseClusterArn: "arn:aws:rds:" + name + ":111111111111:cluster:acme-prod-" + name,
		ECSClusterArn:      jsii.String("arn:aws:ecs:" + name + ":111111111111:cluster/acme-" + name),
		ECSServiceArn:      jsii.String("arn:aws:ecs:" + name + ":111111111111:service/acme-" + name + "/api"),
		HealthAlarmArn:     "arn:aws:cloudwatch:" + name + ":111111111111:alarm:acme-prod-" + name + "-region-unhealthy",
	}
}

func planProps(stack awscdk.Stack) recovery.PlanProps {
	approver := recovery.NewApprover(stack, "Approver", recovery.ApproverProps{RoleName: "acme-prod-recovery-approver", PlanNames: []string{"acme-prod-eu-west-1"}, Principals: approvers})
	return recovery.PlanProps{
		Name: "acme-prod-eu-west-1", Primary: region("us-east-1"), Target: region("eu-west-1"),
		GlobalClusterIdentifier: "acme-prod", RecoveryTimeObjectiveMinutes: 15, Approver: approver.Role,
		Timeouts: recovery.PlanTimeouts{ScaleUpMinutes: 10, ApprovalMinutes: 10, DatabaseMinutes: 5},
	}
}

// recoveryResources are a template's resources of type, as JSON values.
func recoveryResources(t *testing.T, template assertions.Template, resourceType string) map[string]map[string]any {
	t.Helper()
	var found map[string]map[string]any
	constructkit.Assert(t, func() {
		raw, _ := json.Marshal(template.FindResources(jsii.String(resourceType), nil))
		if err := json.Unmarshal(raw, &found); err != nil {
			t.Fatal(err)
		}
	})
	return found
}

func recoveryOnly(t *testing.T, found map[string]map[string]any) (string, map[string]any) {
	t.Helper()
	if len(found) != 1 {
		t.Fatalf("found %d resources, want 1", len(found))
	}
	for id, r := range found {
		return id, r["Properties"].(map[string]any)
	}
	return "", nil
}

// A plan activates either of its regions with the same steps: scale the activated region's
// service to the other's capacity while waiting for a person, then move the database writer
// (switchover when graceful, failover when not).
func TestPlan_ActivatesEitherRegionByScalingUpWaitingForApprovalThenMovingTheWriter(t *testing.T) {
	stack := constructkit.Stack(t, "us-east-1")
	recovery.NewPlan(stack, "Plan", planProps(stack))
	template := constructkit.TemplateOf(t, stack)
	_, plan := recoveryOnly(t, recoveryResources(t, template, "AWS::ARCRegionSwitch::Plan"))

	if plan["Name"] != "acme-prod-eu-west-1" || plan["RecoveryApproach"] != "activePassive" || plan["PrimaryRegion"] != "us-east-1" ||
		plan["RecoveryTimeObjectiveMinutes"] != 15.0 {
		t.Errorf("plan = %v", plan)
	}
	if regions := plan["Regions"].([]any); len(regions) != 2 || regions[0] != "us-east-1" || regions[1] != "eu-west-1" {
		t.Errorf("Regions = %v, want the primary and the target", regions)
	}
	alarms := plan["AssociatedAlarms"].(map[string]any)
	for _, r := range []string{"us-east-1", "eu-west-1"} {
		alarm, _ := alarms[r+"-region-unhealthy"].(map[string]any)
		if alarm["AlarmType"] != "applicationHealth" || alarm["ResourceIdentifier"] != region(r).HealthAlarmArn {
			t.Errorf("associated alarm of %s = %v", r, alarm)
		}
	}
	workflows := plan["Workflows"].([]any)
	var activated []string
	for _, raw := range workflows {
		w := raw.(map[string]any)
		activated = append(activated, w["WorkflowTargetRegion"].(string))
		if w["WorkflowTargetAction"] != "activate" {
			t.Errorf("workflow %v: action %v, want activate", w["WorkflowTargetRegion"], w["WorkflowTargetAction"])
		}
		var names, types, top []string
		var steps []any
		for _, s := range w["Steps"].([]any) {
			step := s.(map[string]any)
			top = append(top, step["Name"].(string))
			if step["ExecutionBlockType"] == "Parallel" {
				steps = append(steps, step["ExecutionBlockConfiguration"].(map[string]any)["ParallelConfig"].(map[string]any)["Steps"].([]any)...)
			} else {
				steps = append(steps, s)
			}
		}
		if want := []string{recovery.StepPrepare, recovery.StepDatabase}; !slices.Equal(top, want) {
			t.Errorf("workflow %v runs %v, want %v (the scale-up and the approval in parallel, then the database)", w["WorkflowTargetRegion"], top, want)
		}
		for _, s := range steps {
			step := s.(map[string]any)
			names = append(names, step["Name"].(string))
			types = append(types, step["ExecutionBlockType"].(string))
			config := step["ExecutionBlockConfiguration"].(map[string]any)
			switch step["ExecutionBlockType"] {
			case "ECSServiceScaling":
				ecs := config["EcsCapacityIncreaseConfig"].(map[string]any)
				if ecs["TargetPercent"] != 100.0 || len(ecs["Services"].([]any)) != 2 || ecs["Ungraceful"].(map[string]any)["MinimumSuccessPercentage"] != 50.0 {
					t.Errorf("scale-up = %v", ecs)
				}
			case "ManualApproval":
				approval := config["ExecutionApprovalConfig"].(map[string]any)
				if !strings.Contains(jsonOf(approval["ApprovalRole"]), "ApproverRole") {
					t.Errorf("approval role = %v, want the approver's role", approval["ApprovalRole"])
				}
			case "AuroraGlobalDatabase":
				aurora := config["GlobalAuroraConfig"].(map[string]any)
				if aurora["Behavior"] != "switchoverOnly" || aurora["Ungraceful"].(map[string]any)["Ungraceful"] != "failover" ||
					aurora["GlobalClusterIdentifier"] != "acme-prod" || len(aurora["DatabaseClusterArns"].([]any)) != 2 {
					t.Errorf("database = %v", aurora)
				}
			}
		}
		if want := []string{recovery.StepScaleUp, recovery.StepApprove, recovery.StepDatabase}; !slices.Equal(names, want) {
			t.Errorf("workflow %v runs %v, want %v", w["WorkflowTargetRegion"], names, want)
		}
		if want := []string{"ECSServiceScaling", "ManualApproval", "AuroraGlobalDatabase"}; !slices.Equal(types, want) {
			t.Errorf("workflow %v runs blocks %v, want %v", w["WorkflowTargetRegion"], types, want)
		}
	}
	if !slices.Equal(activated, []string{"eu-west-1", "us-east-1"}) {
		t.Errorf("workflows activate %v, want the target (switch) and the primary (fail back)", activated)
	}
}

// statements are the policy statements of every IAM policy of template, with the role each
// policy is attached to.
func statements(t *testing.T, template assertions.Template) []map[string]any {
	t.Helper()
	var all []map[string]any
	for _, policy := range recoveryResources(t, template, "AWS::IAM::Policy") {
		document := policy["Properties"].(map[string]any)["PolicyDocument"].(map[string]any)
		for _, s := range document["Statement"].([]any) {
			all = append(all, s.(map[string]any))
		}
	}
	return all
}

func list(v any) []string {
	switch v := v.(type) {
	case string:
		return []string{v}
	case []any:
		var out []string
		for _, item := range v {
			if s, ok := item.(string); ok {
				out = append(out, s)
			} else {
				out = append(out, jsonOf(item))
			}
		}
		return out
	}
	return []string{jsonOf(v)}
}

// The execution role may do what the steps need on the plan's own resources, nothing else: no
// wildcard action, and "*" only for the actions IAM cannot scope.
func TestPlan_ExecutionRoleMayActOnlyOnThePlansResources(t *testing.T) {
	stack := constructkit.Stack(t, "us-east-1")
	recovery.NewPlan(stack, "Plan", planProps(stack))
	template := constructkit.TemplateOf(t, stack)
	constructkit.Assert(t, func() {
		template.HasResourceProperties(jsii.String("AWS::IAM::Role"), map[string]any{
			"AssumeRolePolicyDocument": assertions.Match_ObjectLike(&map[string]any{"Statement": []any{map[string]any{
				"Action": "sts:AssumeRole", "Effect": "Allow", "Principal": map[string]any{"Service": "arc-region-switch.amazonaws.com"},
			}}}),
		})
	})
	unscopable := []string{"ecs:ListServices", "application-autoscaling:DescribeScalableTargets", "application-autoscaling:RegisterScalableTarget", "cloudwatch:GetMetricStatistics"}
	granted := map[string]bool{}
	for _, s := range statements(t, template) {
		for _, action := range list(s["Action"]) {
			granted[action] = true
			if strings.Contains(action, "*") {
				t.Errorf("statement %v grants the wildcard action %s", s["Sid"], action)
			}
			for _, resource := range list(s["Resource"]) {
				if resource == "*" && !slices.Contains(unscopable, action) {
					t.Errorf("%s is granted on * (statement %v); it has resource-level permissions: name the plan's resources", action, s["Sid"])
				}
				if strings.Contains(resource, ":plan/") && !strings.HasSuffix(resource, ":plan/acme-prod-eu-west-1:*") {
					t.Errorf("%s is granted on %s, not only this plan", action, resource)
				}
			}
		}
		if slices.Contains(list(s["Action"]), "rds:FailoverGlobalCluster") {
			resources := strings.Join(list(s["Resource"]), " ")
			for _, want := range []string{"global-cluster:acme-prod", "cluster:acme-prod-us-east-1", "cluster:acme-prod-eu-west-1"} {
				if !strings.Contains(resources, want) {
					t.Errorf("failover is granted on %s, want %s among them", resources, want)
				}
			}
		}
	}
	for _, want := range []string{"ecs:UpdateService", "rds:SwitchoverGlobalCluster", "rds:FailoverGlobalCluster", "iam:SimulatePrincipalPolicy",
		"arc-region-switch:GetPlan", "cloudwatch:DescribeAlarms", "application-autoscaling:RegisterScalableTarget"} {
		if !granted[want] {
			t.Errorf("the plan's roles lack %s, which a step needs", want)
		}
	}
}

// ARC evaluates a plan when it is created: its role's policy must exist by then.
func TestPlan_IsCreatedAfterItsRolesPermissions(t *testing.T) {
	stack := constructkit.Stack(t, "us-east-1")
	recovery.NewPlan(stack, "Plan", planProps(stack))
	template := constructkit.TemplateOf(t, stack)
	var planDependsOn []any
	for _, r := range recoveryResources(t, template, "AWS::ARCRegionSwitch::Plan") {
		planDependsOn, _ = r["DependsOn"].([]any)
	}
	for id := range recoveryResources(t, template, "AWS::IAM::Policy") {
		if strings.HasPrefix(id, "PlanExecutionRole") && !slices.Contains(planDependsOn, any(id)) {
			t.Errorf("the plan does not wait for %s (DependsOn %v)", id, planDependsOn)
		}
	}
}

// The approver may approve (and read) the environment's plans.
func TestApprover_MayApproveTheEnvironmentsPlansOnly(t *testing.T) {
	stack := constructkit.Stack(t, "us-east-1")
	recovery.NewApprover(stack, "Approver", recovery.ApproverProps{RoleName: "acme-prod-recovery-approver", PlanNames: []string{"acme-prod-eu-west-1", "acme-prod-ap-southeast-2"}, Principals: approvers})
	template := constructkit.TemplateOf(t, stack)
	constructkit.Assert(t, func() {
		template.HasResourceProperties(jsii.String("AWS::IAM::Role"), map[string]any{"RoleName": "acme-prod-recovery-approver"})
	})
	for _, s := range statements(t, template) {
		actions, resources := list(s["Action"]), list(s["Resource"])
		if !slices.Contains(actions, "arc-region-switch:ApprovePlanExecutionStep") {
			t.Errorf("the approver cannot approve: %v", actions)
		}
		want := []string{"arn:aws:arc-region-switch::111111111111:plan/acme-prod-eu-west-1:*", "arn:aws:arc-region-switch::111111111111:plan/acme-prod-ap-southeast-2:*"}
		slices.Sort(resources)
		slices.Sort(want)
		if !slices.Equal(resources, want) {
			t.Errorf("the approver acts on %v, want %v", resources, want)
		}
		for _, a := range actions {
			if !strings.HasPrefix(a, "arc-region-switch:") || strings.Contains(a, "*") || strings.Contains(a, "Start") {
				t.Errorf("the approver may %s: it approves, it does not run plans", a)
			}
		}
	}
}

// The application maps every stack, in its region and account, under a policy that states each
// objective in seconds, and is assessed daily with a role of its own.
func TestResilience_MapsEveryStackUnderThePolicysObjectives(t *testing.T) {
	stack := constructkit.Stack(t, "us-east-1")
	recovery.NewResilience(stack, "Resilience", recovery.ResilienceProps{
		Name: "acme-prod", Tier: "Critical",
		Objectives: recovery.Objectives{Software: recovery.Objective{RTOMinutes: 15, RPOMinutes: 5}, Hardware: recovery.Objective{RTOMinutes: 5, RPOMinutes: 1},
			AZ: recovery.Objective{RTOMinutes: 5, RPOMinutes: 1}, Region: recovery.Objective{RTOMinutes: 15, RPOMinutes: 15}},
		Sources: []recovery.Source{
			{StackArn: jsii.String("arn:aws:cloudformation:us-east-1:111111111111:stack/acme-prod-us-east-1-app/1"), Region: "us-east-1", Account: "111111111111"},
			{StackArn: jsii.String("arn:aws:cloudformation:eu-west-1:111111111111:stack/acme-prod-eu-west-1-app/2"), Region: "eu-west-1", Account: "111111111111"},
		},
	})
	template := constructkit.TemplateOf(t, stack)
	constructkit.Assert(t, func() {
		template.HasResourceProperties(jsii.String("AWS::ResilienceHub::ResiliencyPolicy"), map[string]any{
			"PolicyName": "acme-prod", "Tier": "Critical",
			"Policy": map[string]any{
				"Software": map[string]any{"RtoInSecs": 900, "RpoInSecs": 300},
				"Hardware": map[string]any{"RtoInSecs": 300, "RpoInSecs": 60},
				"AZ":       map[string]any{"RtoInSecs": 300, "RpoInSecs": 60},
				"Region":   map[string]any{"RtoInSecs": 900, "RpoInSecs": 900},
			},
		})
		template.HasResourceProperties(jsii.String("AWS::ResilienceHub::App"), map[string]any{
			"Name": "acme-prod", "AppAssessmentSchedule": "Daily",
			"ResiliencyPolicyArn": assertions.Match_ObjectLike(&map[string]any{"Fn::GetAtt": []any{assertions.Match_StringLikeRegexp(jsii.String("ResiliencePolicy")), "PolicyArn"}}),
			"PermissionModel":     assertions.Match_ObjectLike(&map[string]any{"Type": "RoleBased"}),
			"ResourceMappings": []any{
				map[string]any{"MappingType": "CfnStack", "PhysicalResourceId": map[string]any{
					"Identifier": "arn:aws:cloudformation:us-east-1:111111111111:stack/acme-prod-us-east-1-app/1", "Type": "Arn", "AwsRegion": "us-east-1", "AwsAccountId": "111111111111"}},
				map[string]any{"MappingType": "CfnStack", "PhysicalResourceId": map[string]any{
					"Identifier": "arn:aws:cloudformation:eu-west-1:111111111111:stack/acme-prod-eu-west-1-app/2", "Type": "Arn", "AwsRegion": "eu-west-1", "AwsAccountId": "111111111111"}},
			},
		})
		template.HasResourceProperties(jsii.String("AWS::IAM::Role"), map[string]any{
			"AssumeRolePolicyDocument": assertions.Match_ObjectLike(&map[string]any{"Statement": []any{map[string]any{
				"Action": "sts:AssumeRole", "Effect": "Allow", "Principal": map[string]any{"Service": "resiliencehub.amazonaws.com"},
			}}}),
		})
	})
}

// The gate fires while the region's cluster reports replication lag, which only a secondary
// does, and says so both ways.
func TestWriterGate_FiresWhileTheRegionsClusterIsASecondary(t *testing.T) {
	stack := constructkit.Stack(t, "us-east-1")
	recovery.NewWriterGate(stack, "Gate", recovery.WriterGateProps{
		AlarmName: "acme-prod-us-east-1-writer-elsewhere", ClusterIdentifier: "acme-prod-us-east-1",
		Topic: awssns.NewTopic(stack, jsii.String("Topic"), nil),
	})
	template := constructkit.TemplateOf(t, stack)
	constructkit.Assert(t, func() {
		template.HasResourceProperties(jsii.String("AWS::CloudWatch::Alarm"), map[string]any{
			"AlarmName": "acme-prod-us-east-1-writer-elsewhere", "Namespace": "AWS/RDS", "MetricName": "AuroraGlobalDBReplicationLag",
			"Dimensions": []any{map[string]any{"Name": "DBClusterIdentifier", "Value": "acme-prod-us-east-1"}},
			"Statistic":  "SampleCount", "Period": 60, "Threshold": 1, "ComparisonOperator": "GreaterThanOrEqualToThreshold",
			"TreatMissingData": "notBreaching",
			"AlarmActions":     assertions.Match_AnyValue(), "OKActions": assertions.Match_AnyValue(),
		})
	})
}

// cdk-nag finds nothing unaccepted in what the package builds.
func TestRecovery_HasNoNagFindings(t *testing.T) {
	app := constructkit.NewApp(t)
	compliance.Apply(app)
	stack := awscdk.NewStack(app, jsii.String("Recovery"), &awscdk.StackProps{Env: &awscdk.Environment{Account: jsii.String(constructkit.TestAccount), Region: jsii.String("us-east-1")}})
	recovery.NewPlan(stack, "Plan", planProps(stack))
	recovery.NewResilience(stack, "Resilience", recovery.ResilienceProps{
		Name: "acme-prod", Tier: "Critical",
		Objectives: recovery.Objectives{Software: recovery.Objective{RTOMinutes: 1, RPOMinutes: 1}, Hardware: recovery.Objective{RTOMinutes: 1, RPOMinutes: 1},
			AZ: recovery.Objective{RTOMinutes: 1, RPOMinutes: 1}, Region: recovery.Objective{RTOMinutes: 1, RPOMinutes: 1}},
		Sources: []recovery.Source{{StackArn: stack.StackId(), Region: "us-east-1", Account: constructkit.TestAccount}},
	})
	constructkit.NoSynthesisErrors(t, app)
}

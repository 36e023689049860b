package constructs_test

import (
	"strings"
	"testing"

	"github.com/aws/jsii-runtime-go"

	"github.com/example/platform/lib/props/propstest"
	"github.com/example/platform/lib/recovery"
	"github.com/example/platform/test/constructkit"
)

func TestPlan_ThrowsOnABadOrMissingRequiredProp(t *testing.T) {
	for _, c := range []struct {
		name   string
		adjust func(*recovery.PlanProps)
		want   string
	}{
		{"no name", func(p *recovery.PlanProps) { p.Name = "" }, "recovery.NewPlan(Test/Plan): Props.Name is required"},
		{"name too long", func(p *recovery.PlanProps) { p.Name = strings.Repeat("a", 33) },
			"is not a plan name; Region switch takes 1 to 32 letters, digits and hyphens"},
		{"name with a dot", func(p *recovery.PlanProps) { p.Name = "acme.prod" }, `Props.Name "acme.prod" is not a plan name`},
		{"one region twice", func(p *recovery.PlanProps) { p.Target = region("us-east-1") },
			"Props.Target.Region us-east-1 is also Props.Primary.Region; a plan moves an environment between two different regions"},
		{"bad region", func(p *recovery.PlanProps) { p.Target.Region = "Ireland" }, `Props.Target.Region "Ireland" is not a region code`},
		{"cluster of another region", func(p *recovery.PlanProps) { p.Target.DatabaseClusterArn = region("us-east-1").DatabaseClusterArn },
			"Props.Target.DatabaseClusterArn \"arn:aws:rds:us-east-1:111111111111:cluster:acme-prod-us-east-1\" is not an Aurora cluster in eu-west-1"},
		{"no service", func(p *recovery.PlanProps) { p.Primary.ECSServiceArn = nil }, "Props.Primary.ECSServiceArn is required"},
		{"no health alarm", func(p *recovery.PlanProps) { p.Primary.HealthAlarmArn = "" }, "Props.Primary.HealthAlarmArn is required"},
		{"no global cluster", func(p *recovery.PlanProps) { p.GlobalClusterIdentifier = "" }, "Props.GlobalClusterIdentifier is required"},
		{"RTO over a week", func(p *recovery.PlanProps) { p.RecoveryTimeObjectiveMinutes = 20000 }, "Props.RecoveryTimeObjectiveMinutes 20000: Region switch takes 1 to 10080 minutes"},
		{"no approver", func(p *recovery.PlanProps) { p.Approver = nil }, "Props.Approver is required"},
		{"no approval timeout", func(p *recovery.PlanProps) { p.Timeouts.ApprovalMinutes = 0 }, "Props.Timeouts.ApprovalMinutes 0: give at least a minute"},
		{"RTO the steps cannot meet", func(p *recovery.PlanProps) { p.RecoveryTimeObjectiveMinutes = 14 },
			"Props.RecoveryTimeObjectiveMinutes 14: the plan's steps can take 15 minutes (scale-up 10 alongside approval 10, then the database 5); declare at least 15"},
	} {
		t.Run(c.name, func(t *testing.T) {
			stack := constructkit.Stack(t, "us-east-1")
			p := planProps(stack)
			c.adjust(&p)
			propstest.Panics(t, func() { recovery.NewPlan(stack, "Plan", p) }, c.want)
		})
	}
}

func TestApprover_ThrowsOnABadOrMissingRequiredProp(t *testing.T) {
	for _, c := range []struct {
		name  string
		props recovery.ApproverProps
		want  string
	}{
		{"no role name", recovery.ApproverProps{PlanNames: []string{"p"}, Principals: approvers}, "recovery.NewApprover(Test/Approver): Props.RoleName is required"},
		{"role name too long", recovery.ApproverProps{RoleName: strings.Repeat("r", 65), PlanNames: []string{"p"}, Principals: approvers}, "is not an IAM role name"},
		{"no plans", recovery.ApproverProps{RoleName: "approver", Principals: approvers}, "Props.PlanNames is required"},
		{"no principals", recovery.ApproverProps{RoleName: "approver", PlanNames: []string{"p"}}, "Props.Principals is required"},
		{"a group as principal", recovery.ApproverProps{RoleName: "approver", PlanNames: []string{"p"}, Principals: []string{"arn:aws:iam::333333333333:group/ops"}},
			"is neither an account ID nor an IAM role or user ARN"},
	} {
		t.Run(c.name, func(t *testing.T) {
			propstest.Panics(t, func() { recovery.NewApprover(constructkit.Stack(t, "us-east-1"), "Approver", c.props) }, c.want)
		})
	}
}

func TestResilience_ThrowsOnABadOrMissingRequiredProp(t *testing.T) {
	good := func() recovery.ResilienceProps {
		o := recovery.Objective{RTOMinutes: 5, RPOMinutes: 1}
		return recovery.ResilienceProps{Name: "acme-prod", Tier: "Critical", Objectives: recovery.Objectives{Software: o, Hardware: o, AZ: o, Region: o},
			Sources: []recovery.Source{{StackArn: jsii.String("arn"), Region: "us-east-1", Account: "111111111111"}}}
	}
	for _, c := range []struct {
		name   string
		adjust func(*recovery.ResilienceProps)
		want   string
	}{
		{"no name", func(p *recovery.ResilienceProps) { p.Name = "" }, "recovery.NewResilience(Test/Resilience): Props.Name is required"},
		{"name with a slash", func(p *recovery.ResilienceProps) { p.Name = "acme/prod" }, `Props.Name "acme/prod" is not a Resilience Hub name`},
		{"unknown tier", func(p *recovery.ResilienceProps) { p.Tier = "Gold" }, `Props.Tier "Gold" is not a Resilience Hub tier`},
		// Resilience Hub takes 0 and reports the policy breached by every assessment.
		{"zero RPO", func(p *recovery.ResilienceProps) { p.Objectives.Region.RPOMinutes = 0 }, "Props.Objectives.Region {RTOMinutes:5 RPOMinutes:0}: give an RTO and an RPO of at least a minute"},
		{"no sources", func(p *recovery.ResilienceProps) { p.Sources = nil }, "Props.Sources is required"},
		{"source without a region", func(p *recovery.ResilienceProps) { p.Sources[0].Region = "" }, "Props.Sources[0].Region is required"},
	} {
		t.Run(c.name, func(t *testing.T) {
			p := good()
			c.adjust(&p)
			propstest.Panics(t, func() { recovery.NewResilience(constructkit.Stack(t, "us-east-1"), "Resilience", p) }, c.want)
		})
	}
}

func TestWriterGate_ThrowsOnAMissingRequiredProp(t *testing.T) {
	propstest.Panics(t, func() { recovery.NewWriterGate(constructkit.Stack(t, "us-east-1"), "Gate", recovery.WriterGateProps{}) },
		"recovery.NewWriterGate(Test/Gate): 3 problems", "Props.AlarmName is required", "Props.ClusterIdentifier is required", "Props.Topic is required")
}

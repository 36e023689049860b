package test

// The recovery tier over the whole app, both configs: a Region switch plan per environment and
// secondary region whose steps run in order (scale up while a person approves, then move the
// database; recovery_time_test.go holds their worst case to the declared RTO), roles that
// act on the environment's own resources, the create-time constraints of plans (global names,
// the control plane's region, what must exist first), the Resilience Hub application over every
// stack, and the site's DNS following the database writer.

import (
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/example/platform/internal/assembly"
	"github.com/example/platform/lib/config"
	"github.com/example/platform/lib/monitoring"
	"github.com/example/platform/lib/recovery"
	"github.com/example/platform/stacks"
	"github.com/example/platform/test/constructkit"
	"github.com/example/platform/test/testkit"
)

// recoveryStackOf is the environment's recovery stack.
func recoveryStackOf(t *testing.T, p *testkit.Platform, env config.Environment) *assembly.Stack {
	t.Helper()
	name := stacks.StackName(p.Config.Name, env.Name, stacks.RecoveryRegion, stacks.TierRecovery)
	s, ok := assemblyOf(t, p).byName[name]
	if !ok {
		t.Fatalf("%s has no recovery stack %s", env.Name, name)
	}
	return s
}

// plansOf are the Region switch plans of the environment's recovery stack, by their target
// region (the one that is not the primary).
func plansOf(t *testing.T, p *testkit.Platform, env config.Environment) map[string]map[string]any {
	t.Helper()
	plans := map[string]map[string]any{}
	for id, plan := range resourcesOf(recoveryStackOf(t, p, env), "AWS::ARCRegionSwitch::Plan").ofType("AWS::ARCRegionSwitch::Plan") {
		regions := stringsOf(plan["Regions"])
		if len(regions) != 2 {
			t.Errorf("plan %s has regions %v; a plan covers exactly two", id, regions)
			continue
		}
		plans[regions[1]] = plan
	}
	return plans
}

// leafSteps are a workflow's steps in the order they start, with a parallel block's steps in
// its place.
func leafSteps(workflow map[string]any) []any {
	var out []any
	for _, raw := range asList(workflow["Steps"]) {
		step, _ := raw.(map[string]any)
		if step["ExecutionBlockType"] != recovery.BlockParallel {
			out = append(out, raw)
			continue
		}
		config, _ := step["ExecutionBlockConfiguration"].(map[string]any)
		parallel, _ := config["ParallelConfig"].(map[string]any)
		out = append(out, asList(parallel["Steps"])...)
	}
	return out
}

// stepsOf are a workflow's steps as (name, block type) in the order they start.
func stepsOf(workflow map[string]any) (names, blocks []string) {
	for _, raw := range leafSteps(workflow) {
		step, _ := raw.(map[string]any)
		name, _ := step["Name"].(string)
		block, _ := step["ExecutionBlockType"].(string)
		names, blocks = append(names, name), append(blocks, block)
	}
	return names, blocks
}

// Every secondary region has a plan with the primary (a plan covers exactly two regions), which
// activates either: the secondary to switch or fail over, the primary to fail back. Each
// activation scales the activated region's service up to the other's capacity, waits for a
// person, then moves the database writer there: a switchover in a graceful execution, a failover
// in an ungraceful one.
func TestRecovery_EachSecondaryHasAPlanThatScalesUpWaitsForApprovalThenMovesTheWriter(t *testing.T) {
	eachEnvironment(t, func(t *testing.T, p *testkit.Platform, env config.Environment) {
		plans := plansOf(t, p, env)
		if len(plans) != len(env.Regions)-1 {
			t.Errorf("%d plans for %d regions; want one per secondary", len(plans), len(env.Regions))
		}
		primary := env.Primary().Region
		for _, secondary := range env.Secondaries() {
			plan, ok := plans[secondary.Region]
			if !ok {
				t.Errorf("no plan moves %s to %s", env.Name, secondary.Region)
				continue
			}
			if plan["Name"] != stacks.PlanName(p.Config.Name, env.Name, secondary.Region) || plan["PrimaryRegion"] != primary ||
				plan["RecoveryApproach"] != recovery.RecoveryApproach || stringsOf(plan["Regions"])[0] != primary {
				t.Errorf("plan to %s: name %v, primary %v, approach %v, regions %v", secondary.Region, plan["Name"], plan["PrimaryRegion"], plan["RecoveryApproach"], plan["Regions"])
			}
			if plan["RecoveryTimeObjectiveMinutes"] != float64(env.Recovery.Objectives.Region.RTOMinutes) {
				t.Errorf("plan to %s records an RTO of %v minutes; config says %d", secondary.Region, plan["RecoveryTimeObjectiveMinutes"], env.Recovery.Objectives.Region.RTOMinutes)
			}
			var activated []string
			for _, raw := range asList(plan["Workflows"]) {
				workflow, _ := raw.(map[string]any)
				target, _ := workflow["WorkflowTargetRegion"].(string)
				activated = append(activated, target)
				if workflow["WorkflowTargetAction"] != "activate" {
					t.Errorf("workflow for %s: %v, want activate", target, workflow["WorkflowTargetAction"])
				}
				names, blocks := stepsOf(workflow)
				if want := []string{recovery.StepScaleUp, recovery.StepApprove, recovery.StepDatabase}; !slices.Equal(names, want) {
					t.Errorf("activating %s runs %v; want %v", target, names, want)
				}
				approve, database := slices.Index(blocks, recovery.BlockManualApproval), slices.Index(blocks, recovery.BlockAuroraGlobalDatabase)
				if approve < 0 || database < 0 || approve > database || blocks[0] != recovery.BlockECSServiceScaling {
					t.Errorf("activating %s runs blocks %v: the service scales first, and a person approves before the database moves", target, blocks)
				}
				other := primary
				if target == primary {
					other = secondary.Region
				}
				checkSteps(t, p, env, target, other, workflow)
			}
			sort.Strings(activated)
			if want := []string{primary, secondary.Region}; !slices.Equal(activated, sortedCopy(want)) {
				t.Errorf("plan to %s activates %v; want %v (switch, and fail back)", secondary.Region, activated, want)
			}
		}
	})
}

func sortedCopy(s []string) []string {
	out := slices.Clone(s)
	sort.Strings(out)
	return out
}

// checkSteps checks what each step of the workflow activating target acts on: both regions'
// services (read from their app stacks), both regions' members of the environment's global
// database, with switchover as the graceful behaviour and failover as the ungraceful one.
func checkSteps(t *testing.T, p *testkit.Platform, env config.Environment, target, other string, workflow map[string]any) {
	t.Helper()
	wantRegions := sortedCopy([]string{target, other})
	for _, raw := range leafSteps(workflow) {
		step, _ := raw.(map[string]any)
		config, _ := step["ExecutionBlockConfiguration"].(map[string]any)
		switch step["ExecutionBlockType"] {
		case recovery.BlockECSServiceScaling:
			ecs, _ := config["EcsCapacityIncreaseConfig"].(map[string]any)
			var read []string
			for _, s := range asList(ecs["Services"]) {
				service, _ := s.(map[string]any)
				for _, field := range []string{"ServiceArn", "ClusterArn"} {
					producer := stackOutputOf(service[field])
					if tierOf(producer) != stacks.TierApp {
						t.Errorf("activating %s scales a service whose %s is %v, not read from an app stack", target, field, jsonOf(service[field]))
					}
					read = append(read, producer)
				}
			}
			var want []string
			for _, r := range wantRegions {
				name := stacks.StackName(p.Config.Name, env.Name, r, stacks.TierApp)
				want = append(want, name, name)
			}
			if sort.Strings(read); !slices.Equal(read, want) {
				t.Errorf("activating %s scales the services of %v; want %v", target, read, want)
			}
			if ecs["TargetPercent"] != 100.0 {
				t.Errorf("activating %s scales to %v %% of the other region; want 100", target, ecs["TargetPercent"])
			}
		case recovery.BlockAuroraGlobalDatabase:
			aurora, _ := config["GlobalAuroraConfig"].(map[string]any)
			ungraceful, _ := aurora["Ungraceful"].(map[string]any)
			if aurora["Behavior"] != "switchoverOnly" || ungraceful["Ungraceful"] != "failover" {
				t.Errorf("activating %s: database behaviour %v, ungraceful %v; want a switchover, and a failover when ungraceful", target, aurora["Behavior"], ungraceful)
			}
			global := globalClusterIdentifier(t, p, env)
			if aurora["GlobalClusterIdentifier"] != global {
				t.Errorf("activating %s moves the writer of %v; the environment's global cluster is %s", target, aurora["GlobalClusterIdentifier"], global)
			}
			var want []string
			for _, r := range wantRegions {
				want = append(want, fmt.Sprintf("arn:aws:rds:%s:%s:cluster:%s", r, env.Account, clusterIdentifier(t, p, env, r)))
			}
			if got := sortedCopy(stringsOf(aurora["DatabaseClusterArns"])); !slices.Equal(got, want) {
				t.Errorf("activating %s moves the writer between %v; want the data stacks' clusters %v", target, got, want)
			}
		case recovery.BlockManualApproval:
			approval, _ := config["ExecutionApprovalConfig"].(map[string]any)
			if refTo(approval["ApprovalRole"]) == "" {
				t.Errorf("activating %s waits for approval by %v, not a role of the recovery stack", target, jsonOf(approval["ApprovalRole"]))
			}
		}
	}
}

// globalClusterIdentifier is the environment's global cluster, as its primary data stack names it.
func globalClusterIdentifier(t *testing.T, p *testkit.Platform, env config.Environment) string {
	t.Helper()
	for _, g := range dataStack(t, p, env, env.Primary().Region).ofType("AWS::RDS::GlobalCluster") {
		id, _ := g["GlobalClusterIdentifier"].(string)
		return id
	}
	t.Fatalf("%s's primary data stack has no global cluster", env.Name)
	return ""
}

// clusterIdentifier is the environment's Aurora cluster in region, as its data stack names it.
func clusterIdentifier(t *testing.T, p *testkit.Platform, env config.Environment, region string) string {
	t.Helper()
	for _, c := range dataStack(t, p, env, region).ofType("AWS::RDS::DBCluster") {
		id, _ := c["DBClusterIdentifier"].(string)
		return id
	}
	t.Fatalf("%s has no Aurora cluster in %s", env.Name, region)
	return ""
}

// Each plan shows both regions' "region unhealthy" alarms, which the app stacks make.
func TestRecovery_PlansShowTheRegionsUnhealthyAlarms(t *testing.T) {
	eachEnvironment(t, func(t *testing.T, p *testkit.Platform, env config.Environment) {
		for target, plan := range plansOf(t, p, env) {
			alarms, _ := plan["AssociatedAlarms"].(map[string]any)
			for _, region := range []string{env.Primary().Region, target} {
				name := monitoring.UnhealthyAlarmName(stacks.MonitoringName(p.Config.Name, env.Name, region))
				made := false
				for _, composite := range templateResources(t, p, stacks.StackName(p.Config.Name, env.Name, region, stacks.TierApp)).ofType("AWS::CloudWatch::CompositeAlarm") {
					made = made || composite["AlarmName"] == name
				}
				alarm, _ := alarms[region+"-region-unhealthy"].(map[string]any)
				if !made || alarm["AlarmType"] != "applicationHealth" || alarm["ResourceIdentifier"] != stacks.AlarmArn(env.Account, region, name) {
					t.Errorf("plan to %s shows %v for %s; want %s's composite alarm %s (made: %v)", target, alarm, region, region, name, made)
				}
			}
		}
	})
}

// unscopableActions have no resource-level permission (or, for RegisterScalableTarget, a
// resource ID only Application Auto Scaling knows): the only actions granted on "*".
var unscopableActions = []string{"ecs:ListServices", "application-autoscaling:DescribeScalableTargets",
	"application-autoscaling:RegisterScalableTarget", "cloudwatch:GetMetricStatistics"}

// The recovery stack's roles grant no wildcard action, "*" only for the actions IAM cannot
// scope, and otherwise only the environment's resources: its clusters, global cluster, plans,
// alarms, and services read from its own app stacks.
func TestRecovery_RolesActOnlyOnTheEnvironmentsResources(t *testing.T) {
	eachEnvironment(t, func(t *testing.T, p *testkit.Platform, env config.Environment) {
		s := recoveryStackOf(t, p, env)
		own := p.Config.Name + "-" + env.Name + "-"
		checked := 0
		for id, policy := range resourcesOf(s, "AWS::IAM::Policy").ofType("AWS::IAM::Policy") {
			for _, statement := range statementsOf(policy) {
				checked++
				for _, action := range stringsOf(statement["Action"]) {
					if strings.Contains(action, "*") {
						t.Errorf("%s grants the wildcard action %s", id, action)
					}
					for _, resource := range asList(statement["Resource"]) {
						text, isString := resource.(string)
						switch {
						case text == "*":
							if !slices.Contains(unscopableActions, action) {
								t.Errorf("%s grants %s on *; name the environment's resources", id, action)
							}
						case isString:
							if !ownResource(text, p.Config.Name, env) {
								t.Errorf("%s grants %s on %s, which is not %s's", id, action, text, env.Name)
							}
						default:
							producer := stackOutputOf(resource)
							if producer == "" && refTo(resource) == "" {
								t.Errorf("%s grants %s on %s", id, action, jsonOf(resource))
							}
							if producer != "" && !strings.HasPrefix(producer, own) {
								t.Errorf("%s grants %s on a resource of %s, not of %s", id, action, producer, env.Name)
							}
						}
					}
				}
			}
		}
		constructkit.CheckedSomething(t, checked, "policy statement in "+s.Name)
	})
}

// ownResource reports whether an ARN names one of env's resources: its clusters and global
// cluster, its plans, its alarms.
func ownResource(arn, platform string, env config.Environment) bool {
	prefix := regexp.QuoteMeta(platform + "-" + env.Name)
	for _, pattern := range []string{
		`^arn:aws:rds:[a-z0-9-]+:` + env.Account + `:cluster:` + prefix + `-[a-z0-9-]+$`,
		`^arn:aws:rds::` + env.Account + `:global-cluster:` + prefix + `$`,
		`^arn:aws:arc-region-switch::` + env.Account + `:plan/` + prefix + `-[a-z0-9-]+:\*$`,
		`^arn:aws:cloudwatch:[a-z0-9-]+:` + env.Account + `:alarm:` + prefix + `-[a-z0-9-]+$`,
	} {
		if regexp.MustCompile(pattern).MatchString(arn) {
			return true
		}
	}
	return false
}

// Region switch plans are global: a plan's name is unique in its account, whichever environment
// or platform shares it, and is 1 to 32 letters, digits and hyphens (AWS::ARCRegionSwitch::Plan
// Name). They are created through the control plane in us-east-1, so they live there, and ARC
// evaluates a plan once it exists: its execution role's policy comes first.
func TestRecovery_PlansAreUniqueInTheirAccountInUsEast1AfterTheirRolesPermissions(t *testing.T) {
	names := map[string]string{} // account/name -> where
	name := regexp.MustCompile(`^[a-zA-Z0-9](?:[a-zA-Z0-9-]{0,30}[a-zA-Z0-9])?$`)
	plans := 0
	for _, file := range withFixtures(sharedAccountConfig) {
		a := assemblyOf(t, testkit.Synth(t, file))
		for _, s := range a.stacks {
			for id, resource := range resourcesOf(s, "AWS::ARCRegionSwitch::Plan") {
				plans++
				props := propertiesOf(resource)
				planName, _ := props["Name"].(string)
				if !name.MatchString(planName) {
					t.Errorf("%s/%s: plan name %q is not 1-32 letters, digits and hyphens", s.Name, id, planName)
				}
				key := s.Account + "/" + planName
				if other, taken := names[key]; taken {
					t.Errorf("%s/%s and %s are both plan %s in account %s", s.Name, id, other, planName, s.Account)
				}
				names[key] = s.Name + "/" + id
				if s.Region != stacks.RecoveryRegion {
					t.Errorf("%s/%s is in %s; Region switch creates plans through its control plane in %s", s.Name, id, s.Region, stacks.RecoveryRegion)
				}
				role := refTo(props["ExecutionRole"])
				for policyID, policy := range resourcesOf(s, "AWS::IAM::Policy") {
					if slices.ContainsFunc(asList(propertiesOf(policy)["Roles"]), func(r any) bool { return refTo(r) == role }) && !dependsOnResource(resource, policyID) {
						t.Errorf("%s/%s is created without waiting for its role's policy %s", s.Name, id, policyID)
					}
				}
			}
		}
	}
	constructkit.CheckedSomething(t, plans, "Region switch plan")
}

// The recovery stack deploys after every stack of its environment: the plans name the services,
// clusters and alarms, and Resilience Hub imports every stack when the application is created.
func TestRecovery_DeploysAfterEveryOtherStackOfTheEnvironment(t *testing.T) {
	eachEnvironment(t, func(t *testing.T, p *testkit.Platform, env config.Environment) {
		a := assemblyOf(t, p)
		recoveryName := recoveryStackOf(t, p, env).Name
		for _, stage := range p.Stacks.Stages {
			if stage.Environment.Name != env.Name {
				continue
			}
			for _, s := range stage.Stacks() {
				if name := *s.StackName(); name != recoveryName && !a.dependsOnStack(recoveryName, name) {
					t.Errorf("%s does not wait for %s", recoveryName, name)
				}
			}
		}
	})
}

// The environment is one Resilience Hub application over all of its stacks but the recovery
// stack, each in its own region and account, under a policy carrying the config's objectives.
func TestRecovery_ResilienceHubAssessesEveryStackAgainstTheConfigsObjectives(t *testing.T) {
	eachEnvironment(t, func(t *testing.T, p *testkit.Platform, env config.Environment) {
		s := recoveryStackOf(t, p, env)
		apps := resourcesOf(s, "AWS::ResilienceHub::App").ofType("AWS::ResilienceHub::App")
		policies := resourcesOf(s, "AWS::ResilienceHub::ResiliencyPolicy")
		if len(apps) != 1 || len(policies) != 1 {
			t.Fatalf("%d applications and %d policies; want one each", len(apps), len(policies))
		}
		var policyID string
		for id, policy := range policies {
			policyID = id
			props := propertiesOf(policy)
			o := env.Recovery.Objectives
			want := map[string]config.Objective{"Software": o.Software, "Hardware": o.Hardware, "AZ": o.AZ, "Region": o.Region}
			got, _ := props["Policy"].(map[string]any)
			for kind, objective := range want {
				target, _ := got[kind].(map[string]any)
				if target["RtoInSecs"] != float64(objective.RTOMinutes*60) || target["RpoInSecs"] != float64(objective.RPOMinutes*60) {
					t.Errorf("policy's %s targets %v; config says RTO %d, RPO %d minutes", kind, target, objective.RTOMinutes, objective.RPOMinutes)
				}
			}
			if props["Tier"] != env.Recovery.Tier {
				t.Errorf("policy tier %v; config says %s", props["Tier"], env.Recovery.Tier)
			}
		}
		for _, app := range apps {
			if refTo(app["ResiliencyPolicyArn"]) != policyID || app["AppAssessmentSchedule"] != "Daily" {
				t.Errorf("application: policy %v, schedule %v", jsonOf(app["ResiliencyPolicyArn"]), app["AppAssessmentSchedule"])
			}
			mapped := map[string]bool{}
			for _, raw := range asList(app["ResourceMappings"]) {
				mapping, _ := raw.(map[string]any)
				physical, _ := mapping["PhysicalResourceId"].(map[string]any)
				producer := stackOutputOf(physical["Identifier"])
				mapped[producer] = true
				ps := assemblyOf(t, p).byName[producer]
				if mapping["MappingType"] != "CfnStack" || ps == nil || physical["AwsRegion"] != ps.Region || physical["AwsAccountId"] != ps.Account ||
					!strings.Contains(jsonOf(ps.Template.Outputs), "AWS::StackId") {
					t.Errorf("mapping %s: not that stack's ID in its region and account", jsonOf(mapping))
				}
			}
			for _, stage := range p.Stacks.Stages {
				if stage.Environment.Name != env.Name {
					continue
				}
				for _, st := range stage.Stacks() {
					if name := *st.StackName(); name != s.Name && !mapped[name] {
						t.Errorf("the application does not map %s", name)
					}
				}
			}
			if mapped[s.Name] {
				t.Error("the application maps the recovery stack itself")
			}
		}
	})
}

// With a domain, the site's origin follows the database writer: the primary's failover record
// answers only while the primary's health check passes and its writer gate (an alarm in the
// primary's app stack on its cluster's replication lag, which only a secondary reports) is not
// in ALARM. Without a domain there is no record to gate.
func TestRecovery_TheSitesOriginFollowsTheDatabaseWriter(t *testing.T) {
	eachEnvironment(t, func(t *testing.T, p *testkit.Platform, env config.Environment) {
		if len(env.Regions) < 2 {
			t.Skip("one region: nowhere to move the writer")
		}
		primary := env.Primary()
		alarmName := stacks.WriterGateAlarmName(p.Config.Name, env.Name, primary.Region)
		var gate map[string]any
		for _, alarm := range templateResources(t, p, stacks.StackName(p.Config.Name, env.Name, primary.Region, stacks.TierApp)).ofType("AWS::CloudWatch::Alarm") {
			if alarm["AlarmName"] == alarmName {
				gate = alarm
			}
		}
		dimensions := jsonOf(gate["Dimensions"])
		if gate == nil || gate["MetricName"] != "AuroraGlobalDBReplicationLag" || gate["Namespace"] != "AWS/RDS" ||
			!strings.Contains(dimensions, `"`+clusterIdentifier(t, p, env, primary.Region)+`"`) || gate["TreatMissingData"] != "notBreaching" {
			t.Errorf("the primary's writer gate %s is %v; want an alarm on its cluster's replication lag, missing data not breaching", alarmName, gate)
		}
		edge := edgeResources(t, p, env)
		var alarmCheck, calculated string
		for id, check := range edge.ofType("AWS::Route53::HealthCheck") {
			config, _ := check["HealthCheckConfig"].(map[string]any)
			identifier, _ := config["AlarmIdentifier"].(map[string]any)
			if config["Type"] == "CLOUDWATCH_METRIC" && identifier["Name"] == alarmName && identifier["Region"] == primary.Region {
				alarmCheck = id
			}
			if config["Type"] == "CALCULATED" {
				calculated = id
				children := asList(config["ChildHealthChecks"])
				if len(children) != 2 || config["HealthThreshold"] != float64(len(children)) {
					t.Errorf("%s needs %v of %v; want both the primary's check and the gate", id, config["HealthThreshold"], children)
				}
			}
		}
		var primaryRecord map[string]any
		for _, record := range edge.ofType("AWS::Route53::RecordSet") {
			if record["Failover"] == "PRIMARY" {
				primaryRecord = record
			}
		}
		if env.DNS == nil {
			if alarmCheck != "" || calculated != "" || primaryRecord != nil {
				t.Errorf("without a domain the edge has a gate (%s, %s) or a failover record", alarmCheck, calculated)
			}
			return
		}
		if alarmCheck == "" || calculated == "" {
			t.Fatalf("the edge has no health check on %s in %s, or none combining it with the primary's", alarmName, primary.Region)
		}
		if refTo(primaryRecord["HealthCheckId"]) != calculated {
			t.Errorf("origin.%s's primary answers on %v, not on its check and the gate", env.DNS.DomainName, jsonOf(primaryRecord["HealthCheckId"]))
		}
		if !assemblyOf(t, p).dependsOnStack(stacks.StackName(p.Config.Name, env.Name, stacks.EdgeRegion, stacks.TierEdge),
			stacks.StackName(p.Config.Name, env.Name, primary.Region, stacks.TierApp)) {
			t.Error("the edge's health check names the gate's alarm before the primary's app stack creates it")
		}
	})
}

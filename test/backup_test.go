package test

// Backups that survive logical corruption, and the drills that rehearse the platform's recovery
// (docs/disaster-recovery.md). Each test is a rule over the synthesized assemblies of both
// configs: a new region or environment is checked by being in them.

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/example/platform/internal/assembly"
	"github.com/example/platform/lib/config"
	"github.com/example/platform/stacks"
	"github.com/example/platform/test/constructkit"
	"github.com/example/platform/test/testkit"
)

// backupTierStack is an environment's stack of tier in region, from the assembly.
func backupTierStack(t *testing.T, p *testkit.Platform, env config.Environment, region, tier string) *assembly.Stack {
	t.Helper()
	name := stacks.StackName(p.Config.Name, env.Name, region, tier)
	s, ok := assemblyOf(t, p).byName[name]
	if !ok {
		t.Fatalf("no stack %s", name)
	}
	return s
}

// soleResource is the one resource of resourceType in s.
func soleResource(t *testing.T, s *assembly.Stack, resourceType string) (string, map[string]any) {
	t.Helper()
	found := resourcesOf(s, resourceType)
	if len(found) != 1 {
		t.Fatalf("%s has %d %s, want one", s.Name, len(found), resourceType)
	}
	for id, r := range found {
		return id, r
	}
	return "", nil
}

// Every region backs up its Aurora cluster, its table replica and, unless the environment says
// otherwise, its lake bucket, on the configured schedule and retention, into a vault locked as
// configured, encrypted with the region's key and kept when its stack goes.
func TestBackup_EveryRegionBacksUpItsStoresIntoALockedVault(t *testing.T) {
	eachRegion(t, func(t *testing.T, p *testkit.Platform, env config.Environment, region config.Region) {
		data := backupTierStack(t, p, env, region.Region, stacks.TierData)
		a := assemblyOf(t, p)
		b := env.Backup
		_, vault := soleResource(t, data, "AWS::Backup::BackupVault")
		props := propertiesOf(vault)
		if props["BackupVaultName"] != stacks.BackupVaultName(p.Config.Name, env.Name) {
			t.Errorf("vault name %v, want %s", props["BackupVaultName"], stacks.BackupVaultName(p.Config.Name, env.Name))
		}
		if !a.isRegionsKey(data, props["EncryptionKeyArn"]) {
			t.Errorf("the vault is encrypted with %s, not the region's key", jsonOf(props["EncryptionKeyArn"]))
		}
		if vault["DeletionPolicy"] != "RetainExceptOnCreate" {
			t.Errorf("the vault's DeletionPolicy is %v: a vault holding backups cannot be deleted, so it must stay with its stack (but go when its own create fails)", vault["DeletionPolicy"])
		}
		lock, _ := props["LockConfiguration"].(map[string]any)
		wantLock := map[string]any{"MinRetentionDays": float64(b.VaultLock.MinRetentionDays)}
		if b.VaultLock.Compliance() {
			wantLock["ChangeableForDays"] = float64(b.VaultLock.ChangeableForDays)
		}
		if jsonOf(lock) != jsonOf(wantLock) {
			t.Errorf("vault lock %s, want %s (%s mode)", jsonOf(lock), jsonOf(wantLock), b.VaultLock.Mode)
		}

		_, plan := soleResource(t, data, "AWS::Backup::BackupPlan")
		rules := asList(propertiesOf(plan)["BackupPlan"].(map[string]any)["BackupPlanRule"])
		if len(rules) != 1 {
			t.Fatalf("want one backup rule, got %s", jsonOf(rules))
		}
		rule := rules[0].(map[string]any)
		wantSchedule := "cron(0 5 * * ? *)"
		if b.FrequencyHours < 24 {
			wantSchedule = fmt.Sprintf("cron(0 0/%d * * ? *)", b.FrequencyHours)
		}
		if rule["ScheduleExpression"] != wantSchedule || jsonOf(rule["Lifecycle"]) != jsonOf(map[string]any{"DeleteAfterDays": b.RetentionDays}) {
			t.Errorf("rule %s, want %s kept %d days", jsonOf(rule), wantSchedule, b.RetentionDays)
		}
		if refTo(rule["TargetBackupVault"]) == "" {
			t.Errorf("the rule writes to %s, not the region's vault", jsonOf(rule["TargetBackupVault"]))
		}

		_, selection := soleResource(t, data, "AWS::Backup::BackupSelection")
		got := stringsOf(propertiesOf(selection)["BackupSelection"].(map[string]any)["Resources"])
		want := []string{
			stacks.ClusterArn(env.Account, region.Region, stacks.ClusterIdentifier(p.Config.Name, env.Name, region.Region)),
			stacks.TableArn(env.Account, region.Region, stacks.TableName(p.Config.Name, env.Name)),
		}
		if b.LakeOn() {
			want = append(want, "arn:aws:s3:::"+stacks.LakeBucketName(p.Config.Name, env.Name, env.Account, region.Region))
		}
		slices.Sort(got)
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("the plan backs up %v, want %v", got, want)
		}
		// Each ARN names what the data and lake stacks create under that name in this region.
		cluster := resourcesOf(data, "AWS::RDS::DBCluster")
		if len(cluster) != 1 || propertiesOf(anyResourceOf(cluster))["DBClusterIdentifier"] != stacks.ClusterIdentifier(p.Config.Name, env.Name, region.Region) {
			t.Errorf("the data stack has no cluster %s", stacks.ClusterIdentifier(p.Config.Name, env.Name, region.Region))
		}
		if b.LakeOn() {
			lake := backupTierStack(t, p, env, region.Region, stacks.TierLake)
			if !slices.ContainsFunc(resourceList(resourcesOf(lake, "AWS::S3::Bucket")), func(r map[string]any) bool {
				return propertiesOf(r)["BucketName"] == stacks.LakeBucketName(p.Config.Name, env.Name, env.Account, region.Region) &&
					jsonOf(propertiesOf(r)["VersioningConfiguration"]) == `{"Status":"Enabled"}`
			}) {
				t.Errorf("no versioned lake bucket to back up in %s: AWS Backup backs up only versioned buckets", lake.Name)
			}
		}
	})
}

// A copy must land in another region, in a vault the assembly creates in the same account and
// stage, and be kept at least as long as the destination's lock demands (AWS Backup fails a copy
// job that a locked vault's minimum retention refuses); the backup likewise for its own vault.
// A copy action is not checked when the plan is created, so this is where a wrong name shows.
func TestBackup_EveryBackupIsCopiedToALockedVaultInAnotherRegionOfTheStage(t *testing.T) {
	eachAssembly(t, func(t *testing.T, a *deployed) {
		vaults := map[string]*assembly.Stack{} // ARN -> stack creating it
		minimum := map[string]float64{}
		for _, s := range a.stacks {
			for _, v := range resourcesOf(s, "AWS::Backup::BackupVault") {
				props := propertiesOf(v)
				arn := fmt.Sprintf("arn:aws:backup:%s:%s:backup-vault:%v", s.Region, s.Account, props["BackupVaultName"])
				vaults[arn] = s
				minimum[arn], _ = props["LockConfiguration"].(map[string]any)["MinRetentionDays"].(float64)
			}
		}
		copies := 0
		for _, s := range a.stacks {
			for id, plan := range resourcesOf(s, "AWS::Backup::BackupPlan") {
				own := fmt.Sprintf("arn:aws:backup:%s:%s:backup-vault:%s", s.Region, s.Account, stacks.BackupVaultName(a.platform.Config.Name, environmentOf(a.platform, s.Name).Name))
				for _, raw := range asList(propertiesOf(plan)["BackupPlan"].(map[string]any)["BackupPlanRule"]) {
					rule := raw.(map[string]any)
					kept := rule["Lifecycle"].(map[string]any)["DeleteAfterDays"].(float64)
					if kept < minimum[own] {
						t.Errorf("%s/%s keeps backups %v days; its vault's lock refuses fewer than %v", s.Name, id, kept, minimum[own])
					}
					env := environmentOf(a.platform, s.Name)
					if len(env.Regions) > 1 && len(asList(rule["CopyActions"])) == 0 {
						t.Errorf("%s/%s copies no backup to another region: losing %s loses its backups", s.Name, id, s.Region)
					}
					for _, rawCopy := range asList(rule["CopyActions"]) {
						copies++
						copyAction := rawCopy.(map[string]any)
						destination, _ := copyAction["DestinationBackupVaultArn"].(string)
						target, ok := vaults[destination]
						switch {
						case !ok:
							t.Errorf("%s/%s copies to %s, which no stack creates", s.Name, id, destination)
						case target.Region == s.Region:
							t.Errorf("%s/%s copies to %s in its own region: the copy would go with the region", s.Name, id, destination)
						case target.Account != s.Account || target.Stage != s.Stage:
							t.Errorf("%s/%s copies to %s, created by %s in another account or stage", s.Name, id, destination, target.Name)
						default:
							if kept := copyAction["Lifecycle"].(map[string]any)["DeleteAfterDays"].(float64); kept < minimum[destination] {
								t.Errorf("%s/%s keeps copies %v days; %s refuses fewer than %v", s.Name, id, kept, destination, minimum[destination])
							}
							if want := env.BackupCopyRegion(s.Region); target.Region != want {
								t.Errorf("%s/%s copies to %s, want the next region %s", s.Name, id, target.Region, want)
							}
						}
					}
				}
			}
		}
		constructkit.CheckedSomething(t, copies, "copy action")
	})
}

// Names a create fails on when another resource already has them: a backup vault's name within
// its account and region ("Backup vaults are identified by names that are unique to the account
// used to create them and the AWS Region where they are created", AWS::Backup::BackupVault) and
// an IAM role's within its account (IAM names are global).
var backupUniqueNameScopes = map[string]struct {
	property string
	regional bool
}{
	"AWS::Backup::BackupVault": {"BackupVaultName", true},
	"AWS::IAM::Role":           {"RoleName", false},
}

func TestRule_BackupVaultAndRoleNamesAreUniqueWhereTheirServiceRequires(t *testing.T) {
	eachBaseline(t, func(t *testing.T, p *testkit.Platform, a *deployed) {
		seen := map[string]string{}
		named := 0
		for _, s := range a.stacks {
			for resourceType, scope := range backupUniqueNameScopes {
				for id, r := range resourcesOf(s, resourceType) {
					name, ok := propertiesOf(r)[scope.property].(string)
					if !ok {
						continue
					}
					named++
					key := resourceType + " " + s.Account + " " + name
					if scope.regional {
						key += " " + s.Region
					}
					if first, dup := seen[key]; dup {
						t.Errorf("%s/%s: %s %q is also %s's; the second create fails", s.Name, id, resourceType, name, first)
					}
					seen[key] = s.Name + "/" + id
				}
			}
		}
		constructkit.CheckedSomething(t, named, "fixed vault or role name")
	})
}

// drillMustStopOn are the alarms (by suffix of <platform>-<env>-<region>-) that say users are
// hurt, which every drill but the database switchover stops on; drillMustNotStopOn are the ones a drill sets off by design
// (the AZ drill makes the cut zone's tasks fail their health checks), which would end every
// drill before it showed anything.
var (
	drillMustStopOn    = []string{"running-tasks", "public-5xx-rate", "internal-5xx-rate", "rollback-5xx"}
	drillMustNotStopOn = []string{"rollback-unhealthy-tasks"}
)

// Every region has the three drills, each stopped by alarms of its own region that feed the
// region's composite "region unhealthy" alarm, created before the template (FIS watches them
// from the start), and within FIS's five stop conditions: those that say users are hurt, not
// those the fault sets off by design.
func TestDrills_StopOnWhatUsersFeel(t *testing.T) {
	eachRegion(t, func(t *testing.T, p *testkit.Platform, env config.Environment, region config.Region) {
		app := backupTierStack(t, p, env, region.Region, stacks.TierApp)
		composite := stacks.MonitoringName(p.Config.Name, env.Name, region.Region) + "-region-unhealthy"
		var rule string
		alarms := map[string]string{} // alarm name -> logical ID
		for _, r := range resourcesOf(app, "AWS::CloudWatch::CompositeAlarm") {
			if propertiesOf(r)["AlarmName"] == composite {
				rule = jsonOf(propertiesOf(r)["AlarmRule"])
			}
		}
		if rule == "" {
			t.Fatalf("%s has no composite alarm %s", app.Name, composite)
		}
		for id, r := range resourcesOf(app, "AWS::CloudWatch::Alarm") {
			if name, ok := propertiesOf(r)["AlarmName"].(string); ok {
				alarms[name] = id
			}
		}
		byName := map[string]map[string]any{}
		for _, r := range resourcesOf(app, "AWS::FIS::ExperimentTemplate") {
			name, _ := propertiesOf(r)["Tags"].(map[string]any)[stacks.DrillTag].(string)
			byName[name] = r
		}
		for _, drill := range stacks.Drills(env) {
			name := stacks.DrillName(p.Config.Name, env.Name, region.Region, drill)
			template, ok := byName[name]
			if !ok {
				t.Errorf("%s has no drill %s (found %v)", app.Name, name, sortedKeysOf(byName))
				continue
			}
			stops := asList(propertiesOf(template)["StopConditions"])
			if len(stops) == 0 || len(stops) > 5 {
				t.Errorf("%s has %d stop conditions; FIS takes 1 to 5, and a drill needs one", name, len(stops))
			}
			prefix := stacks.MonitoringName(p.Config.Name, env.Name, region.Region) + "-"
			mustStopOn := drillMustStopOn
			if drill == stacks.DrillDatabaseSwitchover {
				// A switchover's write pause sets off the 5xx alarms (drills_switchover_test.go).
				mustStopOn = []string{"running-tasks"}
			}
			for _, want := range mustStopOn {
				if !strings.Contains(jsonOf(stops), alarms[prefix+want]) || alarms[prefix+want] == "" {
					t.Errorf("%s does not stop on %s%s: it could go on while users are hurt", name, prefix, want)
				}
			}
			for _, not := range drillMustNotStopOn {
				if id := alarms[prefix+not]; id != "" && strings.Contains(jsonOf(stops), `"`+id+`"`) {
					t.Errorf("%s stops on %s%s, which the drill itself sets off", name, prefix, not)
				}
			}
			for _, raw := range stops {
				stop := raw.(map[string]any)
				// An alarm of this stack (Fn::GetAtt), or one named by its ARN.
				alarm, found := "", false
				if id := refTo(stop["Value"]); id != "" {
					alarm, found = propertiesOf(app.Template.Resources[id])["AlarmName"].(string)
				} else {
					alarm, found = strings.CutPrefix(templateArn(stop["Value"]), fmt.Sprintf("arn:aws:cloudwatch:%s:%s:alarm:", region.Region, env.Account))
				}
				switch {
				case stop["Source"] != "aws:cloudwatch:alarm" || !found:
					t.Errorf("%s stops on %s %s, not an alarm of %s", name, stop["Source"], jsonOf(stop["Value"]), region.Region)
				case alarms[alarm] == "":
					t.Errorf("%s stops on %s, which %s does not create", name, alarm, app.Name)
				case !strings.Contains(rule, alarms[alarm]) && !strings.Contains(rule, alarm):
					t.Errorf("%s stops on %s, which does not feed %s", name, alarm, composite)
				case !dependsOnResource(template, alarms[alarm]):
					t.Errorf("%s names %s by ARN without depending on it: FIS may meet an alarm that does not exist yet", name, alarm)
				}
			}
		}
	})
}

// Each drill acts only on its own region's resources of the environment: the stop-tasks drill on
// the service of this app stack, the AZ drill on the region's task subnets, and the switchover
// on this environment's global database, making this region's cluster the writer.
func TestDrills_EachDrillTargetsItsRegionsResources(t *testing.T) {
	eachRegion(t, func(t *testing.T, p *testkit.Platform, env config.Environment, region config.Region) {
		app := backupTierStack(t, p, env, region.Region, stacks.TierApp)
		network := stacks.StackName(p.Config.Name, env.Name, region.Region, stacks.TierNetwork)
		templates := map[string]map[string]any{}
		for _, r := range resourcesOf(app, "AWS::FIS::ExperimentTemplate") {
			name, _ := propertiesOf(r)["Tags"].(map[string]any)[stacks.DrillTag].(string)
			templates[name] = propertiesOf(r)
		}
		drill := func(d string) map[string]any {
			return templates[stacks.DrillName(p.Config.Name, env.Name, region.Region, d)]
		}

		clusterID, _ := soleResource(t, app, "AWS::ECS::Cluster")
		serviceID, service := soleResource(t, app, "AWS::ECS::Service")
		if refTo(propertiesOf(service)["Cluster"]) != clusterID {
			t.Errorf("the service %s runs outside the cluster %s", serviceID, clusterID)
		}
		tasks, _ := drill(stacks.DrillStopTasks)["Targets"].(map[string]any)
		if len(tasks) == 0 {
			t.Errorf("the stop-tasks drill has no targets")
		}
		for _, raw := range tasks {
			params := raw.(map[string]any)["Parameters"].(map[string]any)
			if refTo(params["cluster"]) != clusterID || jsonOf(params["service"]) != jsonOf(map[string]any{"Fn::GetAtt": []any{serviceID, "Name"}}) {
				t.Errorf("stop-tasks targets %s, want the service %s of cluster %s", jsonOf(params), serviceID, clusterID)
			}
			if raw.(map[string]any)["SelectionMode"] != fmt.Sprintf("PERCENT(%d)", env.Drills.StopTaskPercent) {
				t.Errorf("stop-tasks selects %v, want %d%% of the tasks", raw.(map[string]any)["SelectionMode"], env.Drills.StopTaskPercent)
			}
		}
		subnets, _ := drill(stacks.DrillAZNetwork)["Targets"].(map[string]any)
		azTargets := 0
		for _, raw := range subnets {
			target := raw.(map[string]any)
			arns := asList(target["ResourceArns"])
			if len(arns) != len(region.AvailabilityZones) || target["SelectionMode"] != "COUNT(1)" {
				t.Errorf("the AZ drill picks %v of %d subnets, want one of the %d task subnets", target["SelectionMode"], len(arns), len(region.AvailabilityZones))
			}
			for _, arn := range arns {
				azTargets++
				refs := weakReferences(arn)
				if len(refs) != 1 || refs[0]["StackName"] != network || !strings.Contains(strings.ToLower(jsonOf(refs[0]["OutputName"])), "private") {
					t.Errorf("the AZ drill targets %s, not a private (task) subnet of %s", jsonOf(arn), network)
				}
			}
		}
		constructkit.CheckedSomething(t, azTargets, "subnet the AZ drill targets")
		var switchover map[string]any
		for _, r := range resourcesOf(app, "AWS::SSM::Document") {
			switchover = propertiesOf(r)
		}
		body := jsonOf(switchover["Content"])
		target := stacks.ClusterArn(env.Account, region.Region, stacks.ClusterIdentifier(p.Config.Name, env.Name, region.Region))
		for _, want := range []string{`"Api":"SwitchoverGlobalCluster"`, `"GlobalClusterIdentifier":"` + stacks.GlobalClusterIdentifier(p.Config.Name, env.Name) + `"`, `"TargetDbClusterIdentifier":"` + target + `"`} {
			if !strings.Contains(body, want) {
				t.Errorf("the switchover document lacks %s: %s", want, body)
			}
		}
		if strings.Contains(body, "AllowDataLoss") || strings.Contains(body, "FailoverGlobalCluster") {
			t.Errorf("the switchover drill may lose data: %s", body)
		}
	})
}

// drillReadOnlyActions take no resource ARNs in IAM, so a statement granting only these may name "*".
var drillReadOnlyActions = map[string]bool{
	"ec2:DescribeVpcs": true, "ec2:DescribeSubnets": true, "ec2:DescribeNetworkAcls": true, "ec2:DescribeManagedPrefixLists": true,
	"ecs:ListTasks": true,
}

// The drills' roles: assumed only by FIS (or, for the switchover's automation, SSM) on behalf of
// this account; no wildcard action; every resource is this account's (in this region, or the
// environment's global database), and "*" only for calls that take no resource.
func TestDrills_RolesAreScopedToTheEnvironment(t *testing.T) {
	eachRegion(t, func(t *testing.T, p *testkit.Platform, env config.Environment, region config.Region) {
		app := backupTierStack(t, p, env, region.Region, stacks.TierApp)
		roles := map[string]bool{}
		for id, r := range resourcesOf(app, "AWS::IAM::Role") {
			trust := jsonOf(propertiesOf(r)["AssumeRolePolicyDocument"])
			if !strings.Contains(trust, `"fis.amazonaws.com"`) && !strings.Contains(trust, `"ssm.amazonaws.com"`) {
				continue
			}
			roles[id] = true
			if !strings.Contains(trust, `"aws:SourceAccount":"`+env.Account+`"`) {
				t.Errorf("%s may be assumed on behalf of another account: %s", id, trust)
			}
		}
		automation := 0
		if env.HasGlobalDatabase() {
			automation = 1 // the switchover's SSM Automation
		}
		if len(roles) != len(stacks.Drills(env))+automation {
			t.Errorf("want a role per drill and the switchover automation's (with a global database), found %v", sortedKeysOf(roles))
		}
		checked := 0
		for id, policy := range resourcesOf(app, "AWS::IAM::Policy") {
			attached := false
			for _, r := range asList(propertiesOf(policy)["Roles"]) {
				attached = attached || roles[refTo(r)]
			}
			if !attached {
				continue
			}
			for _, statement := range statementsOf(propertiesOf(policy)) {
				actions := stringsOf(statement["Action"])
				for _, action := range actions {
					checked++
					if strings.Contains(action, "*") {
						t.Errorf("%s allows %s", id, action)
					}
				}
				for _, resource := range asList(statement["Resource"]) {
					arn := templateArn(resource)
					switch {
					case arn == "*":
						for _, action := range actions {
							if !drillReadOnlyActions[action] {
								t.Errorf("%s allows %s on every resource", id, action)
							}
						}
						if slices.Contains(actions, "ecs:ListTasks") && !strings.Contains(jsonOf(statement["Condition"]), "ecs:cluster") {
							t.Errorf("%s lists the tasks of every cluster", id)
						}
					case strings.HasPrefix(arn, "arn:aws:rds::"+env.Account+":global-cluster:"+stacks.GlobalClusterIdentifier(p.Config.Name, env.Name)):
					case strings.HasPrefix(arn, "arn:aws:rds:") && strings.Contains(arn, ":cluster:"+p.Config.Name+"-"+env.Name+"-"):
					case strings.Contains(arn, ":"+region.Region+":"+env.Account+":") || len(weakReferences(resource)) > 0 || refTo(resource) != "":
					default:
						t.Errorf("%s names %s, outside the environment's account and region", id, arn)
					}
				}
			}
		}
		constructkit.CheckedSomething(t, checked, "drill policy action")
	})
}

// templateArn is an ARN as a template writes it, with the partition filled in.
func templateArn(value any) string {
	return strings.ReplaceAll(withPartition(resolvePseudo(value)), `{"Ref":"AWS::Partition"}`, "aws")
}

func anyResourceOf(r resources) map[string]any {
	for _, v := range r {
		return v
	}
	return nil
}

func resourceList(r resources) []map[string]any {
	var out []map[string]any
	for _, v := range r {
		out = append(out, v)
	}
	return out
}

func sortedKeysOf[V any](m map[string]V) []string {
	var out []string
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

// A failed backup or copy job reaches the region's alert topic (the one its alarms tell), and
// that topic lets only this rule publish through EventBridge: a first copy can meet a vault its
// region has not created yet, and nothing else would say so.
func TestBackup_FailedJobsReachTheRegionsAlertTopic(t *testing.T) {
	eachRegion(t, func(t *testing.T, p *testkit.Platform, env config.Environment, region config.Region) {
		app := backupTierStack(t, p, env, region.Region, stacks.TierApp)
		topics := map[string]bool{}
		for _, alarm := range resourcesOf(app, "AWS::CloudWatch::CompositeAlarm") {
			for _, action := range asList(propertiesOf(alarm)["AlarmActions"]) {
				topics[refTo(action)] = true
			}
		}
		found := 0
		for id, rule := range resourcesOf(app, "AWS::Events::Rule") {
			props := propertiesOf(rule)
			pattern, _ := props["EventPattern"].(map[string]any)
			if fmt.Sprint(pattern["source"]) != "[aws.backup]" {
				continue
			}
			found++
			states := jsonOf(pattern["detail"])
			for _, want := range []string{"Backup Job State Change", "Copy Job State Change"} {
				if !strings.Contains(jsonOf(pattern["detail-type"]), want) {
					t.Errorf("%s does not hear %s", id, want)
				}
			}
			if !strings.Contains(states, "FAILED") {
				t.Errorf("%s does not match failed jobs: %s", id, states)
			}
			for _, target := range asList(props["Targets"]) {
				topic := refTo(target.(map[string]any)["Arn"])
				if !topics[topic] {
					t.Errorf("%s tells %s, not the topic the region's composite alarm tells", id, topic)
				}
				admitted := false
				for _, policy := range resourcesOf(app, "AWS::SNS::TopicPolicy") {
					for _, st := range typedStatementsOf(propertiesOf(policy)["PolicyDocument"]) {
						if strings.Contains(jsonOf(st.Condition), id) && strings.Contains(jsonOf(st.Principal), "events.amazonaws.com") {
							admitted = true
						}
					}
				}
				if !admitted {
					t.Errorf("%s's topic does not admit the rule (aws:SourceArn)", id)
				}
			}
		}
		if found != 1 {
			t.Errorf("%s has %d rules on AWS Backup's failed jobs, want one", app.Name, found)
		}
	})
}

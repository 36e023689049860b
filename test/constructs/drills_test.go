package constructs_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsecs"
	"github.com/aws/jsii-runtime-go"

	"github.com/example/platform/lib/compliance"
	"github.com/example/platform/lib/drills"
	"github.com/example/platform/lib/props/propstest"
	"github.com/example/platform/test/constructkit"
)

// drillsProps builds what the drills act on in stack: a VPC, a cluster, a service and two alarms.
func drillsProps(stack awscdk.Stack) drills.Props {
	vpc := awsec2.Vpc_FromVpcAttributes(stack, jsii.String("Vpc"), &awsec2.VpcAttributes{
		VpcId: jsii.String("vpc-1"), AvailabilityZones: jsii.Strings("us-east-1a", "us-east-1b"),
		PrivateSubnetIds: jsii.Strings("subnet-a", "subnet-b"), PrivateSubnetRouteTableIds: jsii.Strings("rtb-a", "rtb-b"),
	})
	cluster := awsecs.Cluster_FromClusterAttributes(stack, jsii.String("Cluster"), &awsecs.ClusterAttributes{ClusterName: jsii.String("acme-prod"), Vpc: vpc})
	service := awsecs.FargateService_FromFargateServiceAttributes(stack, jsii.String("Service"), &awsecs.FargateServiceAttributes{
		Cluster: cluster, ServiceName: jsii.String("api"),
	})
	var alarms []awscloudwatch.IAlarm
	for _, name := range []string{"running-tasks", "public-5xx-rate"} {
		alarms = append(alarms, awscloudwatch.Alarm_FromAlarmName(stack, jsii.String(name), jsii.String("acme-prod-us-east-1-"+name)))
	}
	return drills.Props{
		StopTasksName: "acme-prod-us-east-1-stop-tasks", AZNetworkName: "acme-prod-us-east-1-az-network", SwitchoverName: "acme-prod-us-east-1-db-switchover",
		Cluster: cluster, Service: service, StopTaskPercent: 50,
		Vpc: vpc, Subnets: *vpc.PrivateSubnets(), DisruptionMinutes: 10,
		GlobalClusterIdentifier: "acme-prod",
		TargetCluster:           jsii.String("arn:aws:rds:us-east-1:111111111111:cluster:acme-prod-us-east-1"),
		MemberClusters: *jsii.Strings("arn:aws:rds:us-east-1:111111111111:cluster:acme-prod-us-east-1",
			"arn:aws:rds:eu-west-1:111111111111:cluster:acme-prod-eu-west-1"),
		StopAlarms: alarms, SwitchoverStopAlarms: alarms[:1],
	}
}

func templates(t *testing.T, tpl assertions.Template) map[string]map[string]any {
	t.Helper()
	var found *map[string]*map[string]any
	constructkit.Assert(t, func() { found = tpl.FindResources(jsii.String("AWS::FIS::ExperimentTemplate"), nil) })
	byName := map[string]map[string]any{}
	for _, resource := range *found {
		props := (*resource)["Properties"].(map[string]any)
		byName[props["Tags"].(map[string]any)["Name"].(string)] = props
	}
	return byName
}

func TestDrills_EachDrillStopsOnTheRegionsAlarmsAndActsOnlyOnItsTargets(t *testing.T) {
	s := constructkit.Stack(t, "us-east-1")
	drills.New(s, "Drills", drillsProps(s))
	tpl := constructkit.TemplateOf(t, s)
	found := templates(t, tpl)
	if len(found) != 3 {
		t.Fatalf("want three templates, found %v", found)
	}
	for name, props := range found {
		data, _ := json.Marshal(props["StopConditions"])
		stops, others := []string{"acme-prod-us-east-1-running-tasks", "acme-prod-us-east-1-public-5xx-rate"}, []string{}
		if name == "acme-prod-us-east-1-db-switchover" {
			// A switchover's write pause sets off the 5xx alarms; only the others stop it.
			stops, others = stops[:1], stops[1:]
			if description, _ := props["Description"].(string); !strings.Contains(description, "Stopped only by acme-prod-us-east-1-running-tasks: the server-error alarms") {
				t.Errorf("%s does not say what stops it and why: %q", name, description)
			}
		}
		for _, alarm := range stops {
			if !strings.Contains(string(data), "aws:cloudwatch:alarm") || !strings.Contains(string(data), alarm) {
				t.Errorf("%s does not stop on %s: %s", name, alarm, data)
			}
		}
		for _, alarm := range others {
			if strings.Contains(string(data), alarm) {
				t.Errorf("%s stops on %s, which a healthy switchover sets off: %s", name, alarm, data)
			}
		}
		if props["RoleArn"] == nil {
			t.Errorf("%s has no role", name)
		}
	}
	tasks, _ := json.Marshal(found["acme-prod-us-east-1-stop-tasks"])
	for _, want := range []string{`"ActionId":"aws:ecs:stop-task"`, `"SelectionMode":"PERCENT(50)"`, `"cluster":"acme-prod"`, `"service":"api"`} {
		if !strings.Contains(string(tasks), want) {
			t.Errorf("stop-tasks lacks %s: %s", want, tasks)
		}
	}
	az, _ := json.Marshal(found["acme-prod-us-east-1-az-network"])
	for _, want := range []string{`"ActionId":"aws:network:disrupt-connectivity"`, `"duration":"PT10M"`, `"scope":"all"`, `"SelectionMode":"COUNT(1)"`, "subnet/subnet-a", "subnet/subnet-b"} {
		if !strings.Contains(string(az), want) {
			t.Errorf("az-network lacks %s: %s", want, az)
		}
	}
	db, _ := json.Marshal(found["acme-prod-us-east-1-db-switchover"])
	for _, want := range []string{`"ActionId":"aws:ssm:start-automation-execution"`, `"maxDuration":"PT30M"`} {
		if !strings.Contains(string(db), want) {
			t.Errorf("db-switchover lacks %s: %s", want, db)
		}
	}
	constructkit.Assert(t, func() {
		tpl.HasResourceProperties(jsii.String("AWS::SSM::Document"), map[string]any{
			"DocumentType": "Automation",
			"Content": assertions.Match_ObjectLike(&map[string]any{"mainSteps": assertions.Match_ArrayWith(&[]any{
				assertions.Match_ObjectLike(&map[string]any{"action": "aws:executeAwsApi", "inputs": map[string]any{
					"Service": "rds", "Api": "SwitchoverGlobalCluster", "GlobalClusterIdentifier": "acme-prod",
					"TargetDbClusterIdentifier": "arn:aws:rds:us-east-1:111111111111:cluster:acme-prod-us-east-1",
				}}),
			})}),
		})
	})
	// Before it switches, the document refuses a target that already writes (RDS would refuse it
	// with a less helpful error), so the step order matters.
	documents := tpl.FindResources(jsii.String("AWS::SSM::Document"), nil)
	checked := 0
	for id, document := range *documents {
		content := (*document)["Properties"].(map[string]any)["Content"].(map[string]any)
		var names []string
		for _, step := range content["mainSteps"].([]any) {
			names = append(names, step.(map[string]any)["name"].(string))
		}
		first := content["mainSteps"].([]any)[0].(map[string]any)
		checked++
		if names[0] != "RefuseWhenThisRegionWrites" || names[1] != "SwitchOver" || first["action"] != "aws:executeScript" {
			t.Errorf("%s steps %v: the writer check must run first, then the switchover", id, names)
		}
		payload, _ := json.Marshal(first["inputs"].(map[string]any)["InputPayload"])
		if !strings.Contains(string(payload), `"Target":"arn:aws:rds:us-east-1:111111111111:cluster:acme-prod-us-east-1"`) {
			t.Errorf("%s: the writer check looks at %s, not the switchover's target", id, payload)
		}
	}
	constructkit.CheckedSomething(t, checked, "switchover document")
}

// Every role is FIS's (or, for the switchover's automation, SSM's) for this account only, and no
// statement allows a wildcard action.
func TestDrills_RolesAreAssumedOnlyForThisAccountAndNameTheirActions(t *testing.T) {
	s := constructkit.Stack(t, "us-east-1")
	drills.New(s, "Drills", drillsProps(s))
	tpl := constructkit.TemplateOf(t, s)
	var roles, policies *map[string]*map[string]any
	constructkit.Assert(t, func() {
		roles = tpl.FindResources(jsii.String("AWS::IAM::Role"), nil)
		policies = tpl.FindResources(jsii.String("AWS::IAM::Policy"), nil)
	})
	if len(*roles) != 4 {
		t.Errorf("want a role per drill and the automation's, found %d", len(*roles))
	}
	for id, role := range *roles {
		trust, _ := json.Marshal((*role)["Properties"].(map[string]any)["AssumeRolePolicyDocument"])
		if !strings.Contains(string(trust), `"aws:SourceAccount":"111111111111"`) {
			t.Errorf("%s may be assumed for another account: %s", id, trust)
		}
	}
	for id, policy := range *policies {
		data, _ := json.Marshal((*policy)["Properties"])
		var doc struct {
			PolicyDocument struct{ Statement []struct{ Action any } }
		}
		_ = json.Unmarshal(data, &doc)
		for _, st := range doc.PolicyDocument.Statement {
			actions, _ := json.Marshal(st.Action)
			if strings.Contains(string(actions), "*") {
				t.Errorf("%s allows %s", id, actions)
			}
		}
	}
	all, _ := json.Marshal(policies)
	for _, want := range []string{"rds:SwitchoverGlobalCluster", "arn:aws:rds::111111111111:global-cluster:acme-prod", `"iam:PassedToService":"ssm.amazonaws.com"`, `"aws:RequestTag/managedByFIS":"true"`, `"ecs:cluster"`} {
		if !strings.Contains(string(all), want) {
			t.Errorf("the drills' policies lack %s", want)
		}
	}
}

func TestDrills_HasNoNagFindings(t *testing.T) {
	app := constructkit.NewApp(t)
	compliance.Apply(app)
	s := awscdk.NewStack(app, jsii.String("Test"), &awscdk.StackProps{Env: &awscdk.Environment{Account: jsii.String(constructkit.TestAccount), Region: jsii.String("us-east-1")}})
	drills.New(s, "Drills", drillsProps(s))
	constructkit.NoSynthesisErrors(t, app)
}

func TestDrills_ThrowsOnABadOrMissingRequiredProp(t *testing.T) {
	propstest.Panics(t, func() { drills.New(constructkit.Stack(t, "us-east-1"), "Drills", drills.Props{}) },
		"drills.New(Test/Drills): 9 problems", "Props.StopTasksName is required", "Props.Cluster is required",
		"Props.StopTaskPercent 0: give a share of the tasks from 1 to 100", "Props.DisruptionMinutes 0: FIS runs an action for 1 minute to 12 hours",
		"Props.StopAlarms is required; give the region's health alarms")
	// With a global database the switchover drill's fields are required too.
	propstest.Panics(t, func() {
		drills.New(constructkit.Stack(t, "us-east-1"), "Drills", drills.Props{GlobalClusterIdentifier: "acme-prod"})
	}, "drills.New(Test/Drills): 13 problems", "Props.SwitchoverName is required", "Props.TargetCluster is required",
		"Props.MemberClusters is required", "Props.SwitchoverStopAlarms is required")
	s := constructkit.Stack(t, "us-east-1")
	p := drillsProps(s)
	for len(p.StopAlarms) < 6 {
		p.StopAlarms = append(p.StopAlarms, p.StopAlarms[0])
	}
	p.DisruptionMinutes = 721
	propstest.Panics(t, func() { drills.New(s, "Drills", p) },
		"Props.StopAlarms 6 alarms: FIS takes at most 5 stop conditions per template", "Props.DisruptionMinutes 721")
}

// A regional cluster has no other region to switch over to: without a global database the
// region has the task and zone drills only, and nothing may switch or describe a global cluster.
func TestDrills_WithoutAGlobalDatabaseThereIsNoSwitchoverDrill(t *testing.T) {
	s := constructkit.Stack(t, "us-east-1")
	p := drillsProps(s)
	p.GlobalClusterIdentifier, p.SwitchoverName, p.TargetCluster, p.MemberClusters, p.SwitchoverStopAlarms = "", "", nil, nil, nil
	drills.New(s, "Drills", p)
	tpl := constructkit.TemplateOf(t, s)
	found := templates(t, tpl)
	if _, ok := found["acme-prod-us-east-1-db-switchover"]; ok || len(found) != 2 {
		t.Errorf("want the stop-tasks and az-network drills only, found %d: %v", len(found), found)
	}
	all, _ := json.Marshal(tpl.ToJSON())
	for _, absent := range []string{"AWS::SSM::Document", "GlobalCluster", "global-cluster"} {
		if strings.Contains(string(all), absent) {
			t.Errorf("the drills of a regional cluster still name %s", absent)
		}
	}
}

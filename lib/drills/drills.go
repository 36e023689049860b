// Package drills builds a region's fault-injection drills: AWS FIS experiment templates that
// stop the service's tasks, cut one availability zone's task subnet off the network, and switch
// the Aurora global database over to the region. Each template stops when one of the region's
// health alarms fires (the switchover, only on those its write pause does not set off), and runs
// under a role of its own that may touch only what its drill needs. A regional cluster (no
// global database) has no switchover drill: there is no other region to switch to. FIS has no L2 construct in aws-cdk-lib, so the templates are L1
// (AWS::FIS::ExperimentTemplate), as is the automation document of the switchover
// (AWS::SSM::Document).
package drills

import (
	"fmt"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsecs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsfis"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsssm"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/example/platform/lib/compliance"
	"github.com/example/platform/lib/props"
)

// Props configures a region's drills. Every field is required, except that without
// GlobalClusterIdentifier there is no switchover drill and its fields stay empty.
type Props struct {
	// StopTasksName, AZNetworkName and SwitchoverName name the three templates (their Name
	// tags, which the FIS console shows and the runbook looks them up by).
	StopTasksName, AZNetworkName, SwitchoverName string
	// Cluster and Service are the region's ECS cluster and service whose tasks the first drill
	// stops.
	Cluster awsecs.ICluster
	Service awsecs.IBaseService
	// StopTaskPercent is the share of the service's running tasks it stops, 1 to 100.
	StopTaskPercent float64
	// Vpc holds Subnets, the service's subnets (one per availability zone); the AZ drill picks
	// one of them at random and cuts it off for DisruptionMinutes (1 to 720).
	Vpc               awsec2.IVpc
	Subnets           []awsec2.ISubnet
	DisruptionMinutes float64
	// GlobalClusterIdentifier is the Aurora global database; TargetCluster is the ARN of this
	// region's member, which the switchover drill makes the writer, and MemberClusters the ARNs
	// of every member (the switchover changes two of them). Empty GlobalClusterIdentifier: the
	// region's cluster is a regional one, and there is no switchover drill.
	GlobalClusterIdentifier string
	TargetCluster           *string
	MemberClusters          []*string
	// StopAlarms stop the stop-tasks and AZ drills when one fires: the region's health alarms.
	// FIS takes at most 5 stop conditions per template ("Quotas and limitations for AWS FIS").
	StopAlarms []awscloudwatch.IAlarm
	// SwitchoverStopAlarms stop the switchover drill: only alarms a healthy switchover does not
	// set off. A switchover refuses writes for a minute or two, so alarms on server errors
	// would stop the experiment while RDS goes on switching; the template's description names
	// these alarms and says why.
	SwitchoverStopAlarms []awscloudwatch.IAlarm
}

// maxStopConditions is FIS's quota of stop conditions per experiment template.
const maxStopConditions = 5

// check fails with every problem of p, the way a construct fails: a panic naming its path.
func (p Props) check(scope constructs.Construct, id string) {
	c := props.Check(scope, id, "drills.New")
	c.Require("Props.StopTasksName", p.StopTasksName != "", "name the stop-tasks drill, such as acme-prod-us-east-1-stop-tasks")
	c.Require("Props.AZNetworkName", p.AZNetworkName != "", "name the AZ drill, such as acme-prod-us-east-1-az-network")
	c.Require("Props.Cluster", p.Cluster != nil, "give the region's ECS cluster")
	c.Require("Props.Service", p.Service != nil, "give the service whose tasks the drill stops")
	if p.StopTaskPercent < 1 || p.StopTaskPercent > 100 {
		c.Failf("Props.StopTaskPercent", "%v: give a share of the tasks from 1 to 100", p.StopTaskPercent)
	}
	c.Require("Props.Vpc", p.Vpc != nil, "give the region's VPC, in which FIS creates the network ACL")
	c.Require("Props.Subnets", len(p.Subnets) > 0, "give the service's subnets, one per availability zone")
	if p.DisruptionMinutes < 1 || p.DisruptionMinutes > 720 {
		c.Failf("Props.DisruptionMinutes", "%v: FIS runs an action for 1 minute to 12 hours; give 1 to 720", p.DisruptionMinutes)
	}
	type alarmField struct {
		field  string
		alarms []awscloudwatch.IAlarm
		want   string
	}
	alarmFields := []alarmField{
		{"Props.StopAlarms", p.StopAlarms, "give the region's health alarms: a drill without a stop condition runs however badly it goes"},
	}
	if p.GlobalClusterIdentifier != "" {
		c.Require("Props.SwitchoverName", p.SwitchoverName != "", "name the database drill, such as acme-prod-us-east-1-db-switchover")
		c.Require("Props.TargetCluster", p.TargetCluster != nil, "give the ARN of this region's Aurora cluster")
		c.Require("Props.MemberClusters", len(p.MemberClusters) > 0, "give the ARNs of every cluster of the global database")
		alarmFields = append(alarmFields, alarmField{"Props.SwitchoverStopAlarms", p.SwitchoverStopAlarms,
			"give the region's health alarms that a switchover's write pause does not set off, such as its running tasks"})
	}
	for _, f := range alarmFields {
		if c.Require(f.field, len(f.alarms) > 0, f.want) && len(f.alarms) > maxStopConditions {
			c.Failf(f.field, "%d alarms: FIS takes at most %d stop conditions per template; give the region's most telling health alarms", len(f.alarms), maxStopConditions)
		}
	}
	c.Done()
}

// Drills are the region's experiment templates, by name, and the roles they run under.
type Drills struct {
	constructs.Construct
	Templates map[string]awsfis.CfnExperimentTemplate
	Roles     map[string]awsiam.Role
}

// New creates the three drills, or two without a global database.
func New(scope constructs.Construct, id string, props Props) *Drills {
	props.check(scope, id)
	c := constructs.NewConstruct(scope, jsii.String(id))
	d := &Drills{Construct: c, Templates: map[string]awsfis.CfnExperimentTemplate{}, Roles: map[string]awsiam.Role{}}
	d.stopTasks(props)
	d.azNetwork(props)
	if props.GlobalClusterIdentifier != "" {
		d.switchover(props)
	}
	return d
}

// stopTasks stops a share of the service's running tasks at once: the tasks that remain carry
// the traffic while ECS replaces the stopped ones.
func (d *Drills) stopTasks(p Props) {
	role := d.role("StopTasksRole", p.StopTasksName)
	stack := awscdk.Stack_Of(d.Construct)
	clusterArn := p.Cluster.ClusterArn()
	role.AddToPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:     jsii.String("StopTheServicesTasks"),
		Actions: jsii.Strings("ecs:DescribeTasks", "ecs:StopTask"),
		Resources: &[]*string{stack.FormatArn(&awscdk.ArnComponents{
			Service: jsii.String("ecs"), Resource: jsii.String("task"), ResourceName: jsii.String(*p.Cluster.ClusterName() + "/*"),
			ArnFormat: awscdk.ArnFormat_SLASH_RESOURCE_NAME,
		})},
	}))
	role.AddToPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:       jsii.String("FindTheServicesTasks"),
		Actions:   jsii.Strings("ecs:DescribeClusters", "ecs:DescribeServices"),
		Resources: &[]*string{clusterArn, p.Service.ServiceArn()},
	}))
	// ListTasks names no task: IAM scopes it by the cluster it lists (condition key ecs:cluster).
	role.AddToPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:        jsii.String("ListTheClustersTasks"),
		Actions:    jsii.Strings("ecs:ListTasks"),
		Resources:  jsii.Strings("*"),
		Conditions: &map[string]any{"ArnEquals": map[string]any{"ecs:cluster": clusterArn}},
	}))
	accept(role, "ECS names a task by an ID it generates at launch, so the role may stop any task of this cluster (task/<cluster>/*) and list "+
		"tasks only of this cluster (ListTasks takes no resource; the ecs:cluster condition scopes it).")
	d.template("StopTasks", p.StopTasksName, role, p.StopAlarms,
		fmt.Sprintf("Stops %v%% of the service's running tasks in this region at once. Expect the remaining tasks to carry the traffic and ECS to replace the stopped ones within minutes.", p.StopTaskPercent),
		map[string]any{"Tasks": &awsfis.CfnExperimentTemplate_ExperimentTemplateTargetProperty{
			ResourceType:  jsii.String("aws:ecs:task"),
			SelectionMode: jsii.String(fmt.Sprintf("PERCENT(%v)", p.StopTaskPercent)),
			Parameters:    &map[string]*string{"cluster": p.Cluster.ClusterName(), "service": p.Service.ServiceName()},
		}},
		map[string]any{"StopTasks": &awsfis.CfnExperimentTemplate_ExperimentTemplateActionProperty{
			ActionId: jsii.String("aws:ecs:stop-task"),
			Targets:  &map[string]*string{"Tasks": jsii.String("Tasks")},
		}})
}

// azNetwork cuts one of the service's subnets (one availability zone's), chosen at random, off
// every network path for DisruptionMinutes: FIS associates a network ACL that denies all
// traffic in and out of the subnet, and restores the original association afterwards.
func (d *Drills) azNetwork(p Props) {
	role := d.role("AZNetworkRole", p.AZNetworkName)
	stack := awscdk.Stack_Of(d.Construct)
	arn := func(resource, name string) *string {
		return stack.FormatArn(&awscdk.ArnComponents{Service: jsii.String("ec2"), Resource: jsii.String(resource), ResourceName: jsii.String(name), ArnFormat: awscdk.ArnFormat_SLASH_RESOURCE_NAME})
	}
	networkACLs := arn("network-acl", "*")
	vpc := arn("vpc", *p.Vpc.VpcId())
	var subnets []*string
	for _, s := range p.Subnets {
		subnets = append(subnets, arn("subnet", *s.SubnetId()))
	}
	managedByFIS := map[string]any{"aws:RequestTag/managedByFIS": "true"}
	for _, s := range []*awsiam.PolicyStatementProps{
		// The statements of AWSFaultInjectionSimulatorNetworkAccess that aws:network:disrupt-connectivity
		// uses, limited to this region's VPC and the service's subnets.
		{Sid: jsii.String("CreateTheDrillsNetworkACL"), Actions: jsii.Strings("ec2:CreateNetworkAcl"), Resources: &[]*string{networkACLs},
			Conditions: &map[string]any{"StringEquals": managedByFIS}},
		{Sid: jsii.String("InThisVpc"), Actions: jsii.Strings("ec2:CreateNetworkAcl"), Resources: &[]*string{vpc}},
		{Sid: jsii.String("TagTheDrillsNetworkACL"), Actions: jsii.Strings("ec2:CreateTags"), Resources: &[]*string{networkACLs},
			Conditions: &map[string]any{"StringEquals": map[string]any{"ec2:CreateAction": "CreateNetworkAcl", "aws:RequestTag/managedByFIS": "true"}}},
		{Sid: jsii.String("FillAndDeleteOnlyTheDrillsNetworkACL"), Actions: jsii.Strings("ec2:CreateNetworkAclEntry", "ec2:DeleteNetworkAcl"),
			Resources: &[]*string{networkACLs, vpc}, Conditions: &map[string]any{"StringEquals": map[string]any{"ec2:ResourceTag/managedByFIS": "true"}}},
		// The association moves from the subnet's own ACL (the VPC's default) to the drill's and
		// back: both ACLs' IDs are known only at run time.
		{Sid: jsii.String("SwapTheServiceSubnetsACL"), Actions: jsii.Strings("ec2:ReplaceNetworkAclAssociation"), Resources: ptr(append(subnets, networkACLs))},
		// Describe calls support no resource-level permissions.
		{Sid: jsii.String("ReadTheNetwork"), Actions: jsii.Strings("ec2:DescribeVpcs", "ec2:DescribeSubnets", "ec2:DescribeNetworkAcls", "ec2:DescribeManagedPrefixLists"),
			Resources: jsii.Strings("*")},
	} {
		role.AddToPolicy(awsiam.NewPolicyStatement(s))
	}
	accept(role, "FIS creates the drill's network ACL (network-acl/*: its ID is generated) only tagged managedByFIS=true, may fill and delete only "+
		"ACLs so tagged, swaps ACLs only on the service's subnets, and EC2's Describe calls take no resource ARNs.")
	d.template("AZNetwork", p.AZNetworkName, role, p.StopAlarms,
		fmt.Sprintf("Cuts one availability zone's service subnet (chosen at random) off the network for %v minutes. Expect the load balancers to stop sending to its tasks and ECS to place replacements in the other zones.", p.DisruptionMinutes),
		map[string]any{"Subnets": &awsfis.CfnExperimentTemplate_ExperimentTemplateTargetProperty{
			ResourceType: jsii.String("aws:ec2:subnet"), ResourceArns: &subnets, SelectionMode: jsii.String("COUNT(1)"),
		}},
		map[string]any{"DisruptConnectivity": &awsfis.CfnExperimentTemplate_ExperimentTemplateActionProperty{
			ActionId: jsii.String("aws:network:disrupt-connectivity"),
			// scope all: every flow in and out of the subnet, as losing the zone's network would.
			Parameters: &map[string]*string{"duration": jsii.String(fmt.Sprintf("PT%vM", p.DisruptionMinutes)), "scope": jsii.String("all")},
			Targets:    &map[string]*string{"Subnets": jsii.String("Subnets")},
		}})
}

// switchoverMaxMinutes bounds the switchover drill: Aurora's switchover waits for the target
// to catch up, then takes the writer away for a minute or two.
const switchoverMaxMinutes = 30

// writerCheckScript fails the automation when the target cluster is already the writer: the
// drill moves the writer here from elsewhere, so it runs in a region that is a secondary now
// (after it, the old primary's drill moves the writer back).
const writerCheckScript = `import boto3


def handler(events, context):
    clusters = boto3.client("rds").describe_global_clusters(GlobalClusterIdentifier=events["GlobalCluster"])
    for member in clusters["GlobalClusters"][0]["GlobalClusterMembers"]:
        if member["IsWriter"] and member["DBClusterArn"] == events["Target"]:
            raise Exception(events["Target"] + " is already the writer: run the db-switchover drill of a region whose cluster is a secondary now")
    return {"checked": events["Target"]}
`

// switchover makes this region's cluster the global database's writer with a managed
// switchover (RDS SwitchoverGlobalCluster: no data loss). FIS has no action for a global
// database (aws:rds:failover-db-cluster fails over within one cluster), so the drill runs an
// SSM Automation document that calls the API and waits until the global cluster is available.
func (d *Drills) switchover(p Props) {
	stack := awscdk.Stack_Of(d.Construct)
	globalCluster := stack.FormatArn(&awscdk.ArnComponents{
		Service: jsii.String("rds"), Region: jsii.String(""), Resource: jsii.String("global-cluster"),
		ResourceName: jsii.String(p.GlobalClusterIdentifier), ArnFormat: awscdk.ArnFormat_COLON_RESOURCE_NAME,
	})
	automation := awsiam.NewRole(d.Construct, jsii.String("SwitchoverAutomationRole"), &awsiam.RoleProps{
		Description: jsii.String("SSM Automation: switches " + p.GlobalClusterIdentifier + " over for " + p.SwitchoverName),
		AssumedBy: awsiam.NewServicePrincipal(jsii.String("ssm.amazonaws.com"), &awsiam.ServicePrincipalOpts{
			Conditions: &map[string]any{"StringEquals": map[string]any{"aws:SourceAccount": stack.Account()}},
		}),
	})
	automation.AddToPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid: jsii.String("SwitchTheGlobalDatabaseOver"), Actions: jsii.Strings("rds:SwitchoverGlobalCluster"),
		Resources: ptr(append([]*string{globalCluster}, p.MemberClusters...)),
	}))
	automation.AddToPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid: jsii.String("WatchTheGlobalDatabase"), Actions: jsii.Strings("rds:DescribeGlobalClusters"), Resources: &[]*string{globalCluster},
	}))
	document := awsssm.NewCfnDocument(d.Construct, jsii.String("SwitchoverDocument"), &awsssm.CfnDocumentProps{
		DocumentType: jsii.String("Automation"),
		Content: map[string]any{
			"schemaVersion": "0.3",
			"description":   fmt.Sprintf("Switches the Aurora global database %s over to the cluster in %s, and waits until it is available.", p.GlobalClusterIdentifier, *stack.Region()),
			"assumeRole":    automation.RoleArn(),
			"mainSteps": []any{
				// RDS refuses a switchover to the cluster that already writes; say so, and where
				// the drill makes sense, rather than fail on RDS's error.
				map[string]any{"name": "RefuseWhenThisRegionWrites", "action": "aws:executeScript", "inputs": map[string]any{
					"Runtime": "python3.11", "Handler": "handler", "Script": writerCheckScript,
					"InputPayload": map[string]any{"GlobalCluster": p.GlobalClusterIdentifier, "Target": p.TargetCluster},
				}},
				map[string]any{"name": "SwitchOver", "action": "aws:executeAwsApi", "inputs": map[string]any{
					"Service": "rds", "Api": "SwitchoverGlobalCluster",
					"GlobalClusterIdentifier": p.GlobalClusterIdentifier, "TargetDbClusterIdentifier": p.TargetCluster,
				}},
				// The global cluster reports the switchover only once RDS has started it.
				map[string]any{"name": "LetItStart", "action": "aws:sleep", "inputs": map[string]any{"Duration": "PT1M"}},
				map[string]any{"name": "WaitUntilAvailable", "action": "aws:waitForAwsResourceProperty", "timeoutSeconds": (switchoverMaxMinutes - 2) * 60,
					"inputs": map[string]any{
						"Service": "rds", "Api": "DescribeGlobalClusters", "GlobalClusterIdentifier": p.GlobalClusterIdentifier,
						"PropertySelector": "$.GlobalClusters[0].Status", "DesiredValues": []any{"available"},
					}},
			},
		},
	})
	documentName := document.Ref()
	role := d.role("SwitchoverRole", p.SwitchoverName)
	ssm := func(resource, name string) *string {
		return stack.FormatArn(&awscdk.ArnComponents{Service: jsii.String("ssm"), Resource: jsii.String(resource), ResourceName: jsii.String(name), ArnFormat: awscdk.ArnFormat_SLASH_RESOURCE_NAME})
	}
	role.AddToPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid: jsii.String("StartTheSwitchover"), Actions: jsii.Strings("ssm:StartAutomationExecution"),
		Resources: &[]*string{ssm("automation-definition", *documentName+":*")},
	}))
	role.AddToPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid: jsii.String("FollowAndStopTheSwitchover"), Actions: jsii.Strings("ssm:GetAutomationExecution", "ssm:StopAutomationExecution"),
		Resources: &[]*string{ssm("automation-execution", "*")},
	}))
	role.AddToPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid: jsii.String("LetAutomationAssumeItsRole"), Actions: jsii.Strings("iam:PassRole"), Resources: &[]*string{automation.RoleArn()},
		Conditions: &map[string]any{"StringEquals": map[string]any{"iam:PassedToService": "ssm.amazonaws.com"}},
	}))
	accept(role, "An automation execution's ID is generated when it starts (automation-execution/*), and a document's versions are numbered "+
		"as it changes (automation-definition/<document>:*); the role may start only the switchover document and pass only its automation role.")
	var stops []string
	for _, a := range p.SwitchoverStopAlarms {
		stops = append(stops, alarmLabel(a))
	}
	d.template("Switchover", p.SwitchoverName, role, p.SwitchoverStopAlarms,
		fmt.Sprintf("Switches the Aurora global database %s over to this region's cluster (no data loss); it refuses to run where the cluster already writes. Expect writes to be refused for a minute or two, then to reach the new writer through the global writer endpoint. The old writer's region's drill moves it back. "+
			"Stopped only by %s: the server-error alarms would fire on the expected write pause and stop the experiment while RDS goes on switching over.", p.GlobalClusterIdentifier, strings.Join(stops, ", ")),
		map[string]any{},
		map[string]any{"Switchover": &awsfis.CfnExperimentTemplate_ExperimentTemplateActionProperty{
			ActionId: jsii.String("aws:ssm:start-automation-execution"),
			Parameters: &map[string]*string{
				"documentArn": ssm("document", *documentName),
				"maxDuration": jsii.String(fmt.Sprintf("PT%dM", switchoverMaxMinutes)),
			},
		}})
}

// role is a drill's experiment role: only FIS may assume it, and only for an experiment of this
// account and region (the confused-deputy conditions the FIS user guide recommends).
func (d *Drills) role(id, drill string) awsiam.Role {
	stack := awscdk.Stack_Of(d.Construct)
	role := awsiam.NewRole(d.Construct, jsii.String(id), &awsiam.RoleProps{
		Description: jsii.String("AWS FIS: runs the drill " + drill),
		AssumedBy: awsiam.NewServicePrincipal(jsii.String("fis.amazonaws.com"), &awsiam.ServicePrincipalOpts{Conditions: &map[string]any{
			"StringEquals": map[string]any{"aws:SourceAccount": stack.Account()},
			"ArnLike": map[string]any{"aws:SourceArn": stack.FormatArn(&awscdk.ArnComponents{
				Service: jsii.String("fis"), Resource: jsii.String("experiment"), ResourceName: jsii.String("*"), ArnFormat: awscdk.ArnFormat_SLASH_RESOURCE_NAME,
			})},
		}}),
	})
	d.Roles[drill] = role
	return role
}

// template creates a drill's experiment template, stopped by any of alarms.
func (d *Drills) template(id, name string, role awsiam.Role, alarms []awscloudwatch.IAlarm, description string, targets, actions map[string]any) {
	var stops []any
	for _, a := range alarms {
		stops = append(stops, &awsfis.CfnExperimentTemplate_ExperimentTemplateStopConditionProperty{
			Source: jsii.String("aws:cloudwatch:alarm"), Value: a.AlarmArn(),
		})
	}
	template := awsfis.NewCfnExperimentTemplate(d.Construct, jsii.String(id), &awsfis.CfnExperimentTemplateProps{
		Description:    jsii.String(description),
		RoleArn:        role.RoleArn(),
		StopConditions: stops,
		Targets:        targets,
		Actions:        actions,
		ExperimentOptions: &awsfis.CfnExperimentTemplate_ExperimentTemplateExperimentOptionsProperty{
			AccountTargeting: jsii.String("single-account"),
			// A drill whose targets are gone (no running task, say) fails rather than passing
			// without having injected anything.
			EmptyTargetResolutionMode: jsii.String("fail"),
		},
		Tags: &map[string]*string{"Name": jsii.String(name)},
	})
	// The template refers to the role; its policy must exist before FIS validates the template.
	// The alarms are only named by ARN: they must exist before FIS watches them.
	template.Node().AddDependency(role)
	for _, a := range alarms {
		template.Node().AddDependency(a)
	}
	d.Templates[name] = template
}

// alarmLabel is an alarm's name as text: an imported alarm's, or the name an alarm of this app
// is created with (its AlarmName attribute is a reference).
func alarmLabel(a awscloudwatch.IAlarm) string {
	if name := *a.AlarmName(); !*awscdk.Token_IsUnresolved(jsii.String(name)) {
		return name
	}
	if cfn, ok := a.Node().DefaultChild().(awscloudwatch.CfnAlarm); ok && cfn.AlarmName() != nil && !*awscdk.Token_IsUnresolved(cfn.AlarmName()) {
		return *cfn.AlarmName()
	}
	return *a.Node().Id()
}

func accept(role awsiam.Role, reason string) {
	compliance.Accept(role, compliance.Accepted{Rule: "AwsSolutions-IAM5", Reason: reason})
}

func ptr(s []*string) *[]*string { return &s }

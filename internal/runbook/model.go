package runbook

import (
	"cmp"
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/example/platform/internal/assembly"
	"github.com/example/platform/lib/alarmnames"
)

// environment is what the runbook needs of one deployed environment (a stage with a service),
// read from its templates only.
type environment struct {
	Name, Account string
	// Primary is the region whose data stack creates the global database; Regions start with it.
	Primary       string
	Regions       []*region
	GlobalCluster string
	Table         string
	Edge          *assembly.Stack
	Accelerator   *assembly.Stack
	// HealthAlarms are the edge's per-region health-check alarms (through the distribution);
	// ObserverAlarms the observer region's, by the region they watch.
	HealthAlarms, ObserverAlarms map[string]string
	// ObserverRegion is where the observer's canary runs ("" without one).
	ObserverRegion string
	// EndpointGroups maps a region to its endpoint group's logical ID in the accelerator stack.
	EndpointGroups map[string]string
	// Dials are the endpoint groups' configured traffic dials, by region.
	Dials      map[string]float64
	Dashboards []string
	Plans      []plan
	Canaries   []canary
	Apps       []resilienceApp
	// Observers are stacks in regions that run no workload (canaries watching from outside).
	Observers []*assembly.Stack
	// FailoverRecord is the primary's Route 53 failover record name ("" without a domain).
	FailoverRecord string
	// Incident is what the runbook needs on the day a region fails (incident_model.go).
	Incident *incident
}

// region is one region of an environment: its app and data stacks and what a person acts on.
type region struct {
	Name                  string
	App, Data             *assembly.Stack
	Cluster               string // Aurora cluster identifier
	Engine, InstanceClass string
	// SubnetGroup and SecurityGroup are the cluster's, as logical IDs in Data.
	SubnetGroup, SecurityGroup string
	ECSCluster, ECSService     string // logical IDs in App
	ServiceName                string
	ScalableTarget             string // logical ID in App, "" without autoscaling
	MinCapacity, MaxCapacity   float64
	UnhealthyAlarm             string
	Vaults                     []string
	BackupPlans                []string
	BackupRoles                []string
	Drills                     []drill
}

type plan struct {
	Name, Primary string
	// Stack, Region and Output find the plan's ARN through CloudFormation (ARC ends it in a
	// suffix it generates); ApproverOutput the approver role's, when the stack has one.
	Stack, Region, Output, ApproverOutput string
	// ApproverRole is the approver role's name, when the template fixes it; Approvers are the
	// principals its trust policy lets assume it.
	ApproverRole string
	Approvers    []principal
	Regions      []string
	// Steps are each workflow's steps in order, by the action it serves ("activate", ...).
	Steps map[string][]step
	// Objective is the RTO the plan declares, in minutes; Worst each workflow's worst case, by
	// action (recovery.go).
	Objective float64
	Worst     map[string]string
	// WorstMinutes are the bounded worst cases of Worst, in minutes.
	WorstMinutes map[string]float64
}

// step is a workflow step; Inner are the steps a parallel block runs alongside each other.
// Minutes is a manual approval's timeout.
type step struct {
	Name, Type string
	Inner      []step
	Minutes    float64
}

type canary struct{ Name, Region, Stack string }

type drill struct {
	Name, Description string
	Actions           []string
	StopAlarms        int
}

type resilienceApp struct {
	Name, Region, Policy string
	// Objectives are the policy's RTO and RPO per disruption type, in seconds.
	Objectives map[string][2]float64
}

// environments reads every environment of the assembly, in stage order.
func environments(stacks []*assembly.Stack) []*environment {
	byStage := map[string][]*assembly.Stack{}
	for _, s := range stacks {
		byStage[s.Stage] = append(byStage[s.Stage], s)
	}
	var envs []*environment
	for _, stage := range slices.Sorted(maps.Keys(byStage)) {
		if env := readEnvironment(stage, byStage[stage]); env != nil {
			env.Incident = readIncident(env, byStage[stage], byStage[""])
			orderForFailover(env)
			envs = append(envs, env)
		}
	}
	rehearsals(envs)
	return envs
}

func readEnvironment(stage string, stacks []*assembly.Stack) *environment {
	env := &environment{Name: stage, HealthAlarms: map[string]string{}, ObserverAlarms: map[string]string{}, EndpointGroups: map[string]string{}, Dials: map[string]float64{}}
	regions := map[string]*region{}
	regionOf := func(name string) *region {
		if regions[name] == nil {
			regions[name] = &region{Name: name}
		}
		return regions[name]
	}
	stageRegions := map[string]bool{}
	for _, s := range stacks {
		stageRegions[s.Region] = true
	}
	for _, s := range stacks {
		for _, id := range slices.Sorted(maps.Keys(s.Template.Resources)) {
			r := s.Template.Resources[id]
			props, _ := r["Properties"].(map[string]any)
			switch r["Type"] {
			case "AWS::ECS::Service":
				reg := regionOf(s.Region)
				reg.App, reg.ECSService, reg.ServiceName = s, id, str(props["ServiceName"])
				reg.ECSCluster = refOf(props["Cluster"])
				env.Account = s.Account
			case "AWS::ApplicationAutoScaling::ScalableTarget":
				if props["ServiceNamespace"] == "ecs" {
					reg := regionOf(s.Region)
					reg.ScalableTarget, reg.MinCapacity, reg.MaxCapacity = id, num(props["MinCapacity"]), num(props["MaxCapacity"])
				}
			case "AWS::RDS::GlobalCluster":
				env.Primary, env.GlobalCluster = s.Region, str(props["GlobalClusterIdentifier"])
			case "AWS::RDS::DBCluster":
				reg := regionOf(s.Region)
				reg.Data, reg.Cluster, reg.Engine = s, str(props["DBClusterIdentifier"]), str(props["Engine"])
				reg.SubnetGroup = refOf(props["DBSubnetGroupName"])
				if groups := list(props["VpcSecurityGroupIds"]); len(groups) > 0 {
					reg.SecurityGroup = refOf(groups[0])
				}
			case "AWS::RDS::DBInstance":
				if class := str(props["DBInstanceClass"]); class != "" {
					regionOf(s.Region).InstanceClass = class
				}
			case "AWS::DynamoDB::GlobalTable":
				env.Table = str(props["TableName"])
			case "AWS::CloudWatch::CompositeAlarm":
				if name := str(props["AlarmName"]); strings.HasSuffix(name, alarmnames.RegionUnhealthy) {
					regionOf(s.Region).UnhealthyAlarm = name
				}
			case "AWS::CloudWatch::Alarm":
				// <platform>-<env>-<region>-health-check (the edge's) and
				// <platform>-<env>-<region>-observer-health (the observer's)
				name := str(props["AlarmName"])
				for suffix, into := range map[string]map[string]string{alarmnames.HealthCheck: env.HealthAlarms, alarmnames.ObserverHealth: env.ObserverAlarms} {
					if trimmed, ok := strings.CutSuffix(name, suffix); ok {
						if region, ok := regionSuffix(trimmed, stageRegions); ok {
							into[region] = name
						}
						if suffix == alarmnames.ObserverHealth {
							env.ObserverRegion = s.Region
						}
					}
				}
			case "AWS::CloudFront::Distribution":
				env.Edge = s
			case "AWS::GlobalAccelerator::EndpointGroup":
				env.Accelerator = s
				env.EndpointGroups[str(props["EndpointGroupRegion"])] = id
				env.Dials[str(props["EndpointGroupRegion"])] = dial(props["TrafficDialPercentage"])
			case "AWS::Route53::RecordSet":
				if props["Failover"] == "PRIMARY" {
					env.FailoverRecord = strings.TrimSuffix(str(props["Name"]), ".")
				}
			case "AWS::CloudWatch::Dashboard":
				if name := str(props["DashboardName"]); name != "" {
					env.Dashboards = append(env.Dashboards, name)
				}
			case "AWS::ARCRegionSwitch::Plan":
				env.Plans = append(env.Plans, readPlan(s, id, props))
			case "AWS::Synthetics::Canary":
				env.Canaries = append(env.Canaries, canary{Name: str(props["Name"]), Region: s.Region, Stack: s.Name})
			case "AWS::Backup::BackupVault":
				reg := regionOf(s.Region)
				reg.Vaults = append(reg.Vaults, str(props["BackupVaultName"]))
			case "AWS::Backup::BackupPlan":
				reg := regionOf(s.Region)
				if body, ok := props["BackupPlan"].(map[string]any); ok {
					reg.BackupPlans = append(reg.BackupPlans, str(body["BackupPlanName"]))
				}
			case "AWS::IAM::Role":
				if assumedBy(props, "backup.amazonaws.com") && str(props["RoleName"]) != "" {
					reg := regionOf(s.Region)
					reg.BackupRoles = append(reg.BackupRoles, str(props["RoleName"]))
				}
			case "AWS::FIS::ExperimentTemplate":
				reg := regionOf(s.Region)
				reg.Drills = append(reg.Drills, readDrill(id, props))
			case "AWS::ResilienceHub::App":
				env.Apps = append(env.Apps, resilienceApp{Name: str(props["Name"]), Region: s.Region,
					Policy: refOf(props["ResiliencyPolicyArn"])})
			}
		}
	}
	if env.Account == "" || env.GlobalCluster == "" {
		return nil // not an environment: the tooling, baseline or pipeline stacks
	}
	for i, app := range env.Apps {
		env.Apps[i].Objectives = objectives(stacks, app)
	}
	// Regions: the primary first, then the others by name; stacks in a region with neither a
	// service nor a database (an observer) are listed apart.
	for _, name := range slices.Sorted(maps.Keys(regions)) {
		reg := regions[name]
		if reg.App == nil && reg.Data == nil {
			continue
		}
		if name == env.Primary {
			env.Regions = append([]*region{reg}, env.Regions...)
		} else {
			env.Regions = append(env.Regions, reg)
		}
	}
	for _, s := range stacks {
		if _, ok := regions[s.Region]; ok && (regions[s.Region].App != nil || regions[s.Region].Data != nil) {
			continue
		}
		if s.Template.Resources != nil && hasType(s, "AWS::Synthetics::Canary") {
			env.Observers = append(env.Observers, s)
		}
	}
	slices.SortFunc(env.Canaries, func(a, b canary) int { return cmp.Or(cmp.Compare(a.Region, b.Region), cmp.Compare(a.Name, b.Name)) })
	slices.Sort(env.Dashboards)
	return env
}

func readPlan(s *assembly.Stack, id string, props map[string]any) plan {
	p := plan{Name: str(props["Name"]), Primary: str(props["PrimaryRegion"]), Stack: s.Name, Region: s.Region,
		Steps: map[string][]step{}}
	for _, key := range slices.Sorted(maps.Keys(s.Template.Outputs)) {
		output, _ := s.Template.Outputs[key].(map[string]any)
		switch target := refOf(output["Value"]); {
		case target == id:
			p.Output = key
		case target != "" && s.Template.Resources[target]["Type"] == "AWS::IAM::Role" && strings.Contains(strings.ToLower(key), "approver"):
			p.ApproverOutput = key
			role, _ := s.Template.Resources[target]["Properties"].(map[string]any)
			p.ApproverRole = str(role["RoleName"])
			p.Approvers = trustedPrincipals(role["AssumeRolePolicyDocument"])
		}
	}
	for _, r := range list(props["Regions"]) {
		p.Regions = append(p.Regions, str(r))
	}
	for _, w := range list(props["Workflows"]) {
		workflow, _ := w.(map[string]any)
		action := str(workflow["WorkflowTargetAction"])
		if region := str(workflow["WorkflowTargetRegion"]); region != "" {
			action += " " + region
		}
		for _, st := range list(workflow["Steps"]) {
			m, _ := st.(map[string]any)
			p.Steps[action] = append(p.Steps[action], readStep(m))
		}
		readRecoveryTime(&p, action, props, workflow)
	}
	return p
}

func readDrill(id string, props map[string]any) drill {
	d := drill{Description: str(props["Description"])}
	if tags, ok := props["Tags"].(map[string]any); ok {
		d.Name = str(tags["Name"])
	}
	if d.Name == "" {
		d.Name = id
	}
	actions, _ := props["Actions"].(map[string]any)
	for _, key := range slices.Sorted(maps.Keys(actions)) {
		a, _ := actions[key].(map[string]any)
		d.Actions = append(d.Actions, str(a["ActionId"]))
	}
	for _, c := range list(props["StopConditions"]) {
		if m, _ := c.(map[string]any); m["Source"] == "aws:cloudwatch:alarm" {
			d.StopAlarms++
		}
	}
	return d
}

// objectives reads the resiliency policy the app names (in the same stack set), in seconds.
func objectives(stacks []*assembly.Stack, app resilienceApp) map[string][2]float64 {
	for _, s := range stacks {
		r, ok := s.Template.Resources[app.Policy]
		if !ok || r["Type"] != "AWS::ResilienceHub::ResiliencyPolicy" {
			continue
		}
		props, _ := r["Properties"].(map[string]any)
		policy, _ := props["Policy"].(map[string]any)
		out := map[string][2]float64{}
		for kind, v := range policy {
			m, _ := v.(map[string]any)
			out[kind] = [2]float64{num(m["RtoInSecs"]), num(m["RpoInSecs"])}
		}
		return out
	}
	return nil
}

// regionSuffix is the region of regions that name ends in ("-<region>").
func regionSuffix(name string, regions map[string]bool) (string, bool) {
	for region := range regions {
		if region != "" && strings.HasSuffix(name, "-"+region) {
			return region, true
		}
	}
	return "", false
}

func hasType(s *assembly.Stack, t string) bool {
	for _, r := range s.Template.Resources {
		if r["Type"] == t {
			return true
		}
	}
	return false
}

func assumedBy(props map[string]any, service string) bool {
	return strings.Contains(fmt.Sprint(props["AssumeRolePolicyDocument"]), service)
}

func str(v any) string {
	if s, ok := v.(string); ok {
		return s
	}
	return ""
}

func num(v any) float64 {
	switch n := v.(type) {
	case float64:
		return n
	case string:
		var f float64
		fmt.Sscan(n, &f)
		return f
	}
	return 0
}

func list(v any) []any {
	l, _ := v.([]any)
	return l
}

// refOf is the logical ID a {"Ref": ...} or {"Fn::GetAtt": [...]} names, or "".
func refOf(v any) string {
	m, _ := v.(map[string]any)
	if ref, ok := m["Ref"].(string); ok {
		return ref
	}
	if att, ok := m["Fn::GetAtt"].([]any); ok && len(att) > 0 {
		return str(att[0])
	}
	return ""
}

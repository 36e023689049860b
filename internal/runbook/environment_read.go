package runbook

import (
	"cmp"
	"maps"
	"slices"
	"strings"

	"github.com/example/platform/internal/assembly"
	"github.com/example/platform/lib/alarmnames"
)

// environmentReader gathers an environment from its stage's resources, one concern per method,
// in the stacks' order and each stack's resources sorted by logical ID.
type environmentReader struct {
	env     *environment
	regions map[string]*region
	// stageRegions are the regions the stage has a stack in, to tell a region-suffixed alarm name.
	stageRegions map[string]bool
}

func readEnvironment(stage string, stacks []*assembly.Stack) *environment {
	r := &environmentReader{
		env: &environment{Name: stage, HealthAlarms: map[string]string{}, ObserverAlarms: map[string]string{},
			EndpointGroups: map[string]string{}, Dials: map[string]float64{}},
		regions: map[string]*region{}, stageRegions: map[string]bool{},
	}
	for _, s := range stacks {
		r.stageRegions[s.Region] = true
	}
	for _, s := range stacks {
		for _, id := range slices.Sorted(maps.Keys(s.Template.Resources)) {
			res := s.Template.Resources[id]
			props, _ := res["Properties"].(map[string]any)
			typ, _ := res["Type"].(string)
			_ = r.workload(s, id, typ, props) || r.alarm(s, typ, props) || r.edge(s, id, typ, props) || r.recovery(s, id, typ, props)
		}
	}
	if r.env.GlobalCluster == "" {
		r.env.Primary = r.regionalCluster()
	}
	if r.env.Account == "" || r.env.Primary == "" {
		return nil // not an environment: the tooling, baseline or pipeline stacks
	}
	r.finish(stacks)
	return r.env
}

// regionalCluster is the region of a stage without a global database whose one Aurora cluster is
// a regional cluster (footprint.globalDatabase off), or "" without exactly one cluster.
func (r *environmentReader) regionalCluster() string {
	var with []string
	for name, reg := range r.regions {
		if reg.Cluster != "" {
			with = append(with, name)
		}
	}
	if len(with) != 1 {
		return ""
	}
	return with[0]
}

func (r *environmentReader) region(name string) *region {
	if r.regions[name] == nil {
		r.regions[name] = &region{Name: name}
	}
	return r.regions[name]
}

// workload reads the service, its scaling and the databases; it reports whether typ was one.
func (r *environmentReader) workload(s *assembly.Stack, id, typ string, props map[string]any) bool {
	switch typ {
	case "AWS::ECS::Service":
		reg := r.region(s.Region)
		reg.App, reg.ECSService, reg.ServiceName = s, id, str(props["ServiceName"])
		reg.ECSCluster = refOf(props["Cluster"])
		r.env.Account = s.Account
	case "AWS::ApplicationAutoScaling::ScalableTarget":
		if props["ServiceNamespace"] == "ecs" {
			reg := r.region(s.Region)
			reg.ScalableTarget, reg.MinCapacity, reg.MaxCapacity = id, num(props["MinCapacity"]), num(props["MaxCapacity"])
		}
	case "AWS::RDS::GlobalCluster":
		r.env.Primary, r.env.GlobalCluster = s.Region, str(props["GlobalClusterIdentifier"])
	case "AWS::RDS::DBCluster":
		reg := r.region(s.Region)
		reg.Data, reg.Cluster, reg.Engine = s, str(props["DBClusterIdentifier"]), str(props["Engine"])
		reg.SubnetGroup = refOf(props["DBSubnetGroupName"])
		if groups := list(props["VpcSecurityGroupIds"]); len(groups) > 0 {
			reg.SecurityGroup = refOf(groups[0])
		}
	case "AWS::RDS::DBInstance":
		r.region(s.Region).Instances++
		if class := str(props["DBInstanceClass"]); class != "" {
			r.region(s.Region).InstanceClass = class
		}
	case "AWS::DynamoDB::GlobalTable":
		r.env.Table = str(props["TableName"])
	default:
		return false
	}
	return true
}

// alarm reads the alarms a person acts on during an incident; it reports whether typ was one.
func (r *environmentReader) alarm(s *assembly.Stack, typ string, props map[string]any) bool {
	switch typ {
	case "AWS::CloudWatch::CompositeAlarm":
		if name := str(props["AlarmName"]); strings.HasSuffix(name, alarmnames.RegionUnhealthy) {
			r.region(s.Region).UnhealthyAlarm = name
		}
	case "AWS::CloudWatch::Alarm":
		// <platform>-<env>-<region>-health-check (the edge's) and
		// <platform>-<env>-<region>-observer-health (the observer's)
		name := str(props["AlarmName"])
		for suffix, into := range map[string]map[string]string{alarmnames.HealthCheck: r.env.HealthAlarms, alarmnames.ObserverHealth: r.env.ObserverAlarms} {
			if trimmed, ok := strings.CutSuffix(name, suffix); ok {
				if region, ok := regionSuffix(trimmed, r.stageRegions); ok {
					into[region] = name
				}
				if suffix == alarmnames.ObserverHealth {
					r.env.ObserverRegion = s.Region
				}
			}
		}
	default:
		return false
	}
	return true
}

// edge reads how traffic reaches the regions; it reports whether typ was part of it.
func (r *environmentReader) edge(s *assembly.Stack, id, typ string, props map[string]any) bool {
	switch typ {
	case "AWS::CloudFront::Distribution":
		r.env.Edge = s
	case "AWS::GlobalAccelerator::EndpointGroup":
		r.env.Accelerator = s
		r.env.EndpointGroups[str(props["EndpointGroupRegion"])] = id
		r.env.Dials[str(props["EndpointGroupRegion"])] = dial(props["TrafficDialPercentage"])
	case "AWS::Route53::RecordSet":
		if props["Failover"] == "PRIMARY" {
			r.env.FailoverRecord = strings.TrimSuffix(str(props["Name"]), ".")
		}
	default:
		return false
	}
	return true
}

// recovery reads what watches, backs up, drills and switches the regions; it reports whether
// typ was one of them.
func (r *environmentReader) recovery(s *assembly.Stack, id, typ string, props map[string]any) bool {
	env := r.env
	switch typ {
	case "AWS::CloudWatch::Dashboard":
		if name := str(props["DashboardName"]); name != "" {
			env.Dashboards = append(env.Dashboards, name)
		}
	case "AWS::ARCRegionSwitch::Plan":
		env.Plans = append(env.Plans, readPlan(s, id, props))
	case "AWS::Synthetics::Canary":
		env.Canaries = append(env.Canaries, canary{Name: str(props["Name"]), Region: s.Region, Stack: s.Name})
	case "AWS::Backup::BackupVault":
		reg := r.region(s.Region)
		reg.Vaults = append(reg.Vaults, str(props["BackupVaultName"]))
	case "AWS::Backup::BackupPlan":
		reg := r.region(s.Region)
		if body, ok := props["BackupPlan"].(map[string]any); ok {
			reg.BackupPlans = append(reg.BackupPlans, str(body["BackupPlanName"]))
			for _, rule := range list(body["BackupPlanRule"]) {
				m, _ := rule.(map[string]any)
				reg.BackupCopies = reg.BackupCopies || len(list(m["CopyActions"])) > 0
			}
		}
	case "AWS::IAM::Role":
		if assumedBy(props, "backup.amazonaws.com") && str(props["RoleName"]) != "" {
			reg := r.region(s.Region)
			reg.BackupRoles = append(reg.BackupRoles, str(props["RoleName"]))
		}
	case "AWS::FIS::ExperimentTemplate":
		reg := r.region(s.Region)
		reg.Drills = append(reg.Drills, readDrill(id, props))
	case "AWS::ResilienceHub::App":
		env.Apps = append(env.Apps, resilienceApp{Name: str(props["Name"]), Region: s.Region,
			Policy: refOf(props["ResiliencyPolicyArn"])})
	default:
		return false
	}
	return true
}

// finish derives what needs the whole stage read: the apps' objectives, the regions in order
// and the observers.
func (r *environmentReader) finish(stacks []*assembly.Stack) {
	env := r.env
	for i, app := range env.Apps {
		env.Apps[i].Objectives = objectives(stacks, app)
	}
	// Regions: the primary first, then the others by name; stacks in a region with neither a
	// service nor a database (an observer) are listed apart.
	for _, name := range slices.Sorted(maps.Keys(r.regions)) {
		reg := r.regions[name]
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
		if reg, ok := r.regions[s.Region]; ok && (reg.App != nil || reg.Data != nil) {
			continue
		}
		if s.Template.Resources != nil && hasType(s, "AWS::Synthetics::Canary") {
			env.Observers = append(env.Observers, s)
		}
	}
	slices.SortFunc(env.Canaries, func(a, b canary) int { return cmp.Or(cmp.Compare(a.Region, b.Region), cmp.Compare(a.Name, b.Name)) })
	slices.Sort(env.Dashboards)
}

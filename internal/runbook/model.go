package runbook

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/example/platform/internal/assembly"
)

// environment is what the runbook needs of one deployed environment (a stage with a service),
// read from its templates only.
type environment struct {
	Name, Account string
	// Primary is the region whose data stack creates the global database, or that runs the
	// regional cluster of an environment without one; Regions start with it.
	Primary string
	Regions []*region
	// GlobalCluster is the global database's identifier, "" for a regional cluster.
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
	Instances             int // the cluster's DB instances (writer and readers)
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
	// BackupCopies: a rule of the region's backup plan copies recovery points to another region.
	BackupCopies bool
	Drills       []drill
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

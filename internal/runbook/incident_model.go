package runbook

import (
	"maps"
	"slices"
	"strings"

	"github.com/example/platform/internal/assembly"
)

// incident is what the runbook needs on the day a region fails, beyond where things are: the
// release to freeze, the order the edge fails over in, how to reach the service from outside,
// and what each region keeps that a lost region takes with it.
type incident struct {
	Pipeline *pipeline
	// Fallback is the region the edge's origin group retries reads at when the primary fails.
	Fallback string
	// SiteURL and APIURL are fixed when the config names a domain; otherwise "" and the
	// distribution's Comment and the accelerator's Name find them.
	SiteURL, APIURL       string
	SiteScheme, APIScheme string
	DistributionComment   string
	AcceleratorName       string
	// HealthPathPrefix is the edge's per-region health route ("/.platform/health/").
	HealthPathPrefix string
	// SecretReplicas are the regions the database secret is replicated to; RotatedIn the
	// region whose rotation schedule rotates it.
	SecretReplicas []string
	RotatedIn      string
	// SecretStack and SecretID find the database secret (its Ref is its ARN).
	SecretStack, SecretID string
	// Queues, Archives, CopiesTo and LakeReplicas are by region.
	Queues        map[string]queue
	Archives      map[string]string
	CopiesTo      map[string][]string
	LakeReplicas  map[string][]string
	TableReplicas []string
	// AlarmSeconds is how long each named alarm's condition must hold before it fires.
	AlarmSeconds map[string]float64
	// RehearseIn are the environments deployed before this one that have Region switch plans.
	RehearseIn []string
}

// queue is a region's work queue and the logical ID of its dead-letter queue in Stack.
type queue struct{ Name, Stack, DeadLetter string }

// pipeline is the delivery pipeline and the stage that deploys the environment; Earlier are
// the stages that run before it.
type pipeline struct {
	Name, Account, Region, Stage string
	Earlier                      []string
}

// readIncident reads the incident facts of env from its stacks and the top-level ones.
func readIncident(env *environment, stacks, topLevel []*assembly.Stack) *incident {
	in := &incident{Queues: map[string]queue{}, Archives: map[string]string{}, AlarmSeconds: map[string]float64{},
		CopiesTo: map[string][]string{}, LakeReplicas: map[string][]string{}}
	for _, s := range topLevel {
		for _, id := range slices.Sorted(maps.Keys(s.Template.Resources)) {
			r := s.Template.Resources[id]
			if r["Type"] != "AWS::CodePipeline::Pipeline" {
				continue
			}
			props, _ := r["Properties"].(map[string]any)
			var earlier []string
			for _, st := range list(props["Stages"]) {
				m, _ := st.(map[string]any)
				if str(m["Name"]) == env.Name {
					in.Pipeline = &pipeline{Name: str(props["Name"]), Account: s.Account, Region: s.Region, Stage: env.Name, Earlier: earlier}
				}
				earlier = append(earlier, str(m["Name"]))
			}
		}
	}
	for _, s := range stacks {
		for key, o := range s.Template.Outputs {
			value, _ := o.(map[string]any)
			switch key {
			case "SiteUrl":
				in.SiteURL, in.SiteScheme = urlOf(value["Value"])
			case "ApiUrl":
				in.APIURL, in.APIScheme = urlOf(value["Value"])
			}
		}
		for _, id := range slices.Sorted(maps.Keys(s.Template.Resources)) {
			r := s.Template.Resources[id]
			props, _ := r["Properties"].(map[string]any)
			switch r["Type"] {
			case "AWS::CloudFront::Distribution":
				config, _ := props["DistributionConfig"].(map[string]any)
				in.DistributionComment = str(config["Comment"])
				in.Fallback = fallbackRegion(config)
				for _, b := range list(config["CacheBehaviors"]) {
					m, _ := b.(map[string]any)
					if path := str(m["PathPattern"]); strings.HasSuffix(path, "/"+env.Primary) {
						in.HealthPathPrefix = strings.TrimSuffix(path, env.Primary)
					}
				}
			case "AWS::CloudWatch::Alarm":
				periods := num(props["DatapointsToAlarm"])
				if periods == 0 {
					periods = num(props["EvaluationPeriods"])
				}
				in.AlarmSeconds[str(props["AlarmName"])] = periods * num(props["Period"])
			case "AWS::GlobalAccelerator::Accelerator":
				in.AcceleratorName = str(props["Name"])
			case "AWS::SecretsManager::Secret":
				// The database's secret lives beside its cluster; the keys stack's is the edge's.
				if hasType(s, "AWS::RDS::DBCluster") {
					in.SecretStack, in.SecretID = s.Name, id
					for _, rr := range list(props["ReplicaRegions"]) {
						m, _ := rr.(map[string]any)
						in.SecretReplicas = append(in.SecretReplicas, str(m["Region"]))
					}
				}
			case "AWS::SecretsManager::RotationSchedule":
				in.RotatedIn = s.Region
			case "AWS::SQS::Queue":
				if name := str(props["QueueName"]); name != "" {
					redrive, _ := props["RedrivePolicy"].(map[string]any)
					in.Queues[s.Region] = queue{Name: name, Stack: s.Name, DeadLetter: refOf(redrive["deadLetterTargetArn"])}
				}
			case "AWS::Events::Archive":
				in.Archives[s.Region] = str(props["ArchiveName"])
			case "AWS::Backup::BackupPlan":
				body, _ := props["BackupPlan"].(map[string]any)
				for _, rule := range list(body["BackupPlanRule"]) {
					m, _ := rule.(map[string]any)
					for _, c := range list(m["CopyActions"]) {
						copy, _ := c.(map[string]any)
						// arn:aws:backup:<region>:<account>:backup-vault:<name>
						if parts := strings.Split(str(copy["DestinationBackupVaultArn"]), ":"); len(parts) > 3 {
							in.CopiesTo[s.Region] = append(in.CopiesTo[s.Region], parts[3])
						}
					}
				}
			case "AWS::S3::Bucket":
				replication, _ := props["ReplicationConfiguration"].(map[string]any)
				for _, rule := range list(replication["Rules"]) {
					m, _ := rule.(map[string]any)
					dest, _ := m["Destination"].(map[string]any)
					for _, region := range env.regionNames() {
						if strings.HasSuffix(str(dest["Bucket"]), "-"+region+"-lake") {
							in.LakeReplicas[s.Region] = append(in.LakeReplicas[s.Region], region)
						}
					}
				}
			case "AWS::DynamoDB::GlobalTable":
				for _, rr := range list(props["Replicas"]) {
					m, _ := rr.(map[string]any)
					in.TableReplicas = append(in.TableReplicas, str(m["Region"]))
				}
			}
		}
	}
	return in
}

// fallbackRegion is the region of the origin group's second member: the load balancer of
// "<region>.origin.<domain>", or the app stack output the origin's name comes from.
func fallbackRegion(config map[string]any) string {
	groups, _ := config["OriginGroups"].(map[string]any)
	for _, g := range list(groups["Items"]) {
		m, _ := g.(map[string]any)
		members, _ := m["Members"].(map[string]any)
		items := list(members["Items"])
		if len(items) < 2 {
			continue
		}
		second, _ := items[1].(map[string]any)
		for _, o := range list(config["Origins"]) {
			origin, _ := o.(map[string]any)
			if str(origin["Id"]) != str(second["OriginId"]) {
				continue
			}
			if name := str(origin["DomainName"]); name != "" {
				region, _, _ := strings.Cut(name, ".")
				return region
			}
			domain, _ := origin["DomainName"].(map[string]any)
			output, _ := domain["Fn::GetStackOutput"].(map[string]any)
			return str(output["Region"])
		}
	}
	return ""
}

// urlOf is a URL output's fixed value ("" when it is built from an attribute) and its scheme.
func urlOf(v any) (string, string) {
	if s, ok := v.(string); ok {
		scheme, _, _ := strings.Cut(s, "://")
		return s, scheme
	}
	join, _ := v.(map[string]any)["Fn::Join"].([]any)
	if len(join) == 2 {
		if parts := list(join[1]); len(parts) > 0 {
			scheme, _, _ := strings.Cut(str(parts[0]), "://")
			return "", scheme
		}
	}
	return "", "https"
}

func (env *environment) regionNames() []string {
	var names []string
	for _, r := range env.Regions {
		names = append(names, r.Name)
	}
	return names
}

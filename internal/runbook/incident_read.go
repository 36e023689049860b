package runbook

import (
	"maps"
	"slices"
	"strings"

	"github.com/example/platform/internal/assembly"
)

// readIncident reads the incident facts of env from its stacks and the top-level ones.
func readIncident(env *environment, stacks, topLevel []*assembly.Stack) *incident {
	in := &incident{Queues: map[string]queue{}, Archives: map[string]string{}, AlarmSeconds: map[string]float64{},
		CopiesTo: map[string][]string{}, LakeReplicas: map[string][]string{}}
	in.Pipeline = readPipeline(env.Name, topLevel)
	for _, s := range stacks {
		in.readURLs(s)
		for _, id := range slices.Sorted(maps.Keys(s.Template.Resources)) {
			res := s.Template.Resources[id]
			props, _ := res["Properties"].(map[string]any)
			typ, _ := res["Type"].(string)
			_ = in.readReach(env, typ, props) || in.readSecret(s, id, typ, props) || in.readKept(env, s, typ, props)
		}
	}
	return in
}

// readPipeline finds the pipeline stage that deploys the environment named stage, and the
// stages before it; nil when no top-level pipeline deploys it.
func readPipeline(stage string, topLevel []*assembly.Stack) *pipeline {
	var found *pipeline
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
				if str(m["Name"]) == stage {
					found = &pipeline{Name: str(props["Name"]), Account: s.Account, Region: s.Region, Stage: stage, Earlier: earlier}
				}
				earlier = append(earlier, str(m["Name"]))
			}
		}
	}
	return found
}

// readURLs reads the site's and the API's URL from the stack's outputs.
func (in *incident) readURLs(s *assembly.Stack) {
	for key, o := range s.Template.Outputs {
		value, _ := o.(map[string]any)
		switch key {
		case "SiteUrl":
			in.SiteURL, in.SiteScheme = urlOf(value["Value"])
		case "ApiUrl":
			in.APIURL, in.APIScheme = urlOf(value["Value"])
		}
	}
}

// readReach reads how the service is reached from outside and how soon its alarms fire; it
// reports whether typ was one of those resources.
func (in *incident) readReach(env *environment, typ string, props map[string]any) bool {
	switch typ {
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
	default:
		return false
	}
	return true
}

// readSecret reads where the database secret lives, is replicated and rotated; it reports
// whether typ was the secret or its rotation.
func (in *incident) readSecret(s *assembly.Stack, id, typ string, props map[string]any) bool {
	switch typ {
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
	default:
		return false
	}
	return true
}

// readKept reads what each region keeps (queues, archives, backup copies, lake and table
// replicas), which a lost region takes with it; it reports whether typ was one of them.
func (in *incident) readKept(env *environment, s *assembly.Stack, typ string, props map[string]any) bool {
	switch typ {
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
	default:
		return false
	}
	return true
}

package stacks

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/example/platform/lib/alarmnames"
	"github.com/example/platform/lib/config"
	"github.com/example/platform/lib/limits"
	"github.com/example/platform/lib/plan"
	"github.com/example/platform/lib/probes"
)

// Tiers name the stacks; lib/plan says which stacks each environment, account and region has.
const (
	TierKeys        = plan.TierKeys
	TierNetwork     = plan.TierNetwork
	TierData        = plan.TierData
	TierLake        = plan.TierLake
	TierEvents      = plan.TierEvents
	TierApp         = plan.TierApp
	TierRegistry    = plan.TierRegistry
	TierEdge        = plan.TierEdge
	TierAccelerator = plan.TierAccelerator
	TierDR          = plan.TierDR
	TierBaseline    = plan.TierBaseline
	TierRecovery    = plan.TierRecovery
	TierPipeline    = plan.TierPipeline
)

// Regions of the once-per-environment stacks (lib/plan says why each is where it is).
const (
	EdgeRegion        = plan.EdgeRegion
	AcceleratorRegion = plan.AcceleratorRegion
	RecoveryRegion    = plan.RecoveryRegion
)

// StackName is the CloudFormation name of a stack: <platform>-<env>-<region>-<tier> (lib/plan
// names every stack).
func StackName(platform, environment, region, tier string) string {
	return plan.StackName(platform, environment, region, tier)
}

// BaselineStackName is the baseline stack of account in region:
// <platform>-<account>-<region>-baseline.
func BaselineStackName(platform, account, region string) string {
	return plan.BaselineStackName(platform, account, region)
}

// Physical names that another region or account must find without a reference. Every one is
// derived here from config, so the same name comes out in every region.

// KeyAlias is the environment's KMS key alias, the same in every region.
func KeyAlias(platform, environment string) string {
	return fmt.Sprintf("alias/%s/%s", platform, environment)
}

// RepositoryName is the service's image repository in the tooling account, the same in every
// region, so a digest names the same release everywhere.
func RepositoryName(platform, service string) string {
	return fmt.Sprintf("%s/%s", platform, service)
}

// RepositoryArn is the service's image repository in region of the tooling account.
func RepositoryArn(platform, toolingAccount, region, service string) string {
	return fmt.Sprintf("arn:aws:ecr:%s:%s:repository/%s", region, toolingAccount, RepositoryName(platform, service))
}

// NamespaceName is the Service Connect namespace of an environment's clusters.
func NamespaceName(platform, environment string) string {
	return fmt.Sprintf("%s.%s.internal", environment, platform)
}

// GlobalClusterIdentifier names the environment's Aurora global cluster; secondary clusters
// join it by this name.
func GlobalClusterIdentifier(platform, environment string) string {
	return environmentName(platform, environment)
}

// ClusterIdentifier names an environment's Aurora cluster in one region.
func ClusterIdentifier(platform, environment, region string) string {
	return regionalName(platform, environment, region)
}

// DatabaseSecretName is the master secret, replicated under the same name to every region.
func DatabaseSecretName(platform, environment string) string {
	return fmt.Sprintf("%s/%s/database", platform, environment)
}

// TableName is the environment's global table, one name in every region.
func TableName(platform, environment string) string {
	return environmentName(platform, environment) + "-main"
}

// LakeBucketName is an environment's data lake bucket in one region. Account and region make
// it globally unique; config limits keep it within S3's 63 characters.
func LakeBucketName(platform, environment, account, region string) string {
	return fmt.Sprintf("%s-%s-%s-%s-lake", platform, environment, account, region)
}

// EventBusName is an environment's event bus in each region (EventBridge requires a name; bus
// names are per account and region, so every region has the same one).
func EventBusName(platform, environment string) string {
	return environmentName(platform, environment) + "-events"
}

// EventArchiveName is the archive of an environment's bus in each region, which replays start
// from: at most 48 characters (config limits the platform and environment names to 16 and 12).
func EventArchiveName(platform, environment string) string {
	return environmentName(platform, environment) + "-events"
}

// WorkQueueName is an environment's work queue in each region. The dead-letter queue's
// redrive-allow policy names it by ARN, which a generated name would make a reference cycle.
func WorkQueueName(platform, environment string) string {
	return environmentName(platform, environment) + "-work"
}

// EventSource is the source of the service's events: "<platform>.<service>" (e.g. acme.api);
// their detail-type is "<Entity>.<Verb>" (e.g. Item.Created).
func EventSource(platform, service string) string {
	return fmt.Sprintf("%s.%s", platform, service)
}

// OriginSecretName is the secret CloudFront sends and the load balancers require as the
// origin header, replicated under the same name to every region that needs it.
func OriginSecretName(platform, environment string) string {
	return fmt.Sprintf("%s/%s/origin-verify", platform, environment)
}

// OriginHeaderName is the header that carries the origin secret.
const OriginHeaderName = "X-Origin-Verify"

// APIName is the environment's API name, aliased to Global Accelerator.
func APIName(domain string) string { return "api." + domain }

// OriginName is what CloudFront's primary origin connects to: Route 53 answers it with the
// primary region while that is healthy, else with a healthy secondary.
func OriginName(domain string) string { return "origin." + domain }

// RegionalOriginName always answers with region's public load balancer.
func RegionalOriginName(domain, region string) string { return region + ".origin." + domain }

// SecondaryOriginName answers with the nearest healthy secondary region.
func SecondaryOriginName(domain string) string { return "secondary.origin." + domain }

// AuditorRoleName is the read-only role auditors assume in every environment account.
func AuditorRoleName(platform string) string { return platform + "-auditor" }

// AcceleratorName names an environment's accelerator.
func AcceleratorName(platform, environment string) string {
	return environmentName(platform, environment)
}

// MonitoringName names a region's dashboard and starts its alarms' names
// (<platform>-<env>-<region>-<signal>); the region's composite alarm is
// monitoring.UnhealthyAlarmName of it.
func MonitoringName(platform, environment, region string) string {
	return regionalName(platform, environment, region)
}

// EnvironmentDashboardName names the dashboard across an environment's regions.
func EnvironmentDashboardName(platform, environment string) string {
	return environmentName(platform, environment)
}

// Disaster-recovery names: the runbook and docs/disaster-recovery.md's restores and drills name these
// resources, so each is derived here, once.

// BackupVaultName is an environment's backup vault in each region: AWS Backup vault names are
// per account and region, so every region has the same one, and a plan copies to the next
// region's vault by this name (lib/config's BackupCopyRegion).
func BackupVaultName(platform, environment string) string {
	return environmentName(platform, environment) + "-backups"
}

// BackupVaultArn is the environment's vault in region, as a copy action names it.
func BackupVaultArn(platform, environment, account, region string) string {
	return fmt.Sprintf("arn:aws:backup:%s:%s:backup-vault:%s", region, account, BackupVaultName(platform, environment))
}

// BackupPlanName is an environment's backup plan in each region.
func BackupPlanName(platform, environment string) string {
	return environmentName(platform, environment) + "-backups"
}

// BackupRoleName is the role AWS Backup uses in region for the environment's backups, copies
// and restores (a restore job names it: aws backup start-restore-job --iam-role-arn). IAM names
// are global to the account, hence the region.
func BackupRoleName(platform, environment, region string) string {
	return regionalName(platform, environment, region) + "-backup"
}

// The fault-injection drills each region has (AWS FIS experiment templates).
const (
	// DrillStopTasks stops a share of the service's tasks in the region.
	DrillStopTasks = "stop-tasks"
	// DrillAZNetwork cuts one availability zone's task subnet off the network.
	DrillAZNetwork = "az-network"
	// DrillDatabaseSwitchover switches the Aurora global database over to the region.
	DrillDatabaseSwitchover = "db-switchover"
)

// Drills are every drill a region of env has, in the order the runbook lists them: the
// switchover drill only with a global database.
func Drills(env config.Environment) []string {
	if !env.HasGlobalDatabase() {
		return []string{DrillStopTasks, DrillAZNetwork}
	}
	return []string{DrillStopTasks, DrillAZNetwork, DrillDatabaseSwitchover}
}

// DrillTag is the tag that carries a drill's name on its experiment template (FIS templates
// have no name property; their IDs are generated).
const DrillTag = "Name"

// DrillName names a drill's experiment template in region (its Name tag, which the FIS console
// shows and `aws fis list-experiment-templates` filters on): <platform>-<env>-<region>-<drill>.
func DrillName(platform, environment, region, drill string) string {
	return regionalName(platform, environment, region) + "-" + drill
}

// ClusterArn is the ARN of the Aurora cluster identifier in account and region (the platform
// runs in the aws partition only).
func ClusterArn(account, region, identifier string) string {
	return fmt.Sprintf("arn:aws:rds:%s:%s:cluster:%s", region, account, identifier)
}

// EnvironmentClusterArn is the ARN of env's Aurora cluster in region.
func EnvironmentClusterArn(platform string, env config.Environment, region string) string {
	return ClusterArn(env.Account, region, ClusterIdentifier(platform, env.Name, region))
}

// TableArn is the ARN of the DynamoDB table (a global table's replica) named table in account
// and region.
func TableArn(account, region, table string) string {
	return fmt.Sprintf("arn:aws:dynamodb:%s:%s:table/%s", region, account, table)
}

// canaryHashLength is how many hex digits of a hash end a canary's name.
const canaryHashLength = 6

// CanaryName names an environment's canary in region (one of its regions, or its observer
// region): <platform>-<env>, cut to fit, then a hash of platform, environment and region.
// Synthetics names a canary's Lambda function and log group after its first 21 characters, and
// a name must be unique in its account and region, where environments sharing an account put
// their canaries too: the hash keeps every platform, environment and region apart within 21.
func CanaryName(platform, environment, region string) string {
	sum := sha256.Sum256([]byte(platform + "/" + environment + "/" + region))
	prefix := platform + "-" + environment
	if room := probes.MaxNameLength - 1 - canaryHashLength; len(prefix) > room {
		prefix = strings.TrimRight(prefix[:room], "-")
	}
	return prefix + "-" + hex.EncodeToString(sum[:])[:canaryHashLength]
}

// SiteAddressParameter is the SSM parameter, in the edge's region, where the edge stack writes
// the site's address (https://<domain> or the distribution's name) for the canaries.
func SiteAddressParameter(platform, environment string) string {
	return fmt.Sprintf("/%s/%s/probes/site-url", platform, environment)
}

// APIAddressParameter is the SSM parameter, in the accelerator's region, where the accelerator
// stack writes the API's address through Global Accelerator for the canaries.
func APIAddressParameter(platform, environment string) string {
	return fmt.Sprintf("/%s/%s/probes/api-url", platform, environment)
}

// ObserverHealthAlarmName names the alarm, in the environment's observer region, that fires when
// the observer's canary cannot reach region's health route through the edge: named for region
// (<platform>-<env>-<region>-observer-health), as the edge's health-check alarms are, so that
// everything said about a region starts with its name.
func ObserverHealthAlarmName(platform, environment, region string) string {
	return MonitoringName(platform, environment, region) + alarmnames.ObserverHealth
}

// GrafanaWorkspaceName names an environment's Managed Grafana workspace (names need not be
// unique; this one says whose it is).
func GrafanaWorkspaceName(platform, environment string) string {
	return environmentName(platform, environment)
}

// LogSearchName names an environment's OpenSearch Serverless collection in each region, and its
// encryption, network, data access and lifecycle policies (each kind has its own namespace).
// Collection names are unique per account and region and at most 28 characters
// (config.MaxLogSearchNameLength); policy names at most 32.
func LogSearchName(platform, environment string) string {
	return environmentName(platform, environment)
}

// maxPlanName is the longest Region switch plan name (AWS::ARCRegionSwitch::Plan Name: 1 to 32).
const maxPlanName = limits.RegionSwitchPlanNameLength

// PlanName names the Region switch plan that moves an environment between its primary region
// and target: <platform>-<env>-<target>, unique in the account (a plan is global). A name longer
// than Region switch takes keeps its start and ends in a hash of the whole, so it stays unique.
func PlanName(platform, environment, target string) string {
	name := fmt.Sprintf("%s-%s-%s", platform, environment, target)
	if len(name) <= maxPlanName {
		return name
	}
	sum := sha256.Sum256([]byte(name))
	suffix := hex.EncodeToString(sum[:])[:8]
	return strings.TrimRight(name[:maxPlanName-len(suffix)-1], "-") + "-" + suffix
}

// RecoveryApproverRoleName is the role people assume to approve a Region switch plan's
// execution of the environment.
func RecoveryApproverRoleName(platform, environment string) string {
	return environmentName(platform, environment) + "-recovery-approver"
}

// ResilienceName names the environment's Resilience Hub application and its policy.
func ResilienceName(platform, environment string) string {
	return environmentName(platform, environment)
}

// WriterGateSignal ends the name of the alarm that fires while a region's database is not the
// writer (MonitoringName + "-" + WriterGateSignal).
const WriterGateSignal = "writer-elsewhere"

// WriterGateAlarmName is that alarm in region; the edge's health check names it.
func WriterGateAlarmName(platform, environment, region string) string {
	return MonitoringName(platform, environment, region) + "-" + WriterGateSignal
}

// AlarmArn is the CloudWatch alarm name in account and region.
func AlarmArn(account, region, name string) string {
	return fmt.Sprintf("arn:aws:cloudwatch:%s:%s:alarm:%s", region, account, name)
}

// PlanArnOutput is the recovery stack's output that holds the ARN of the plan targeting target
// (a secondary region): ARC ends a plan's ARN in a suffix it generates, so the runbook and
// `aws arc-region-switch start-plan-execution --plan-arn` read the ARN from this output.
func PlanArnOutput(target string) string { return "PlanArn" + alnum(target) }

// ApproverRoleArnOutput is the recovery stack's output that holds the approver role's ARN.
const ApproverRoleArnOutput = "ApproverRoleArn"

// PublicURLOutput is the app stack's output of its public load balancer's address, in an
// environment without the edge.
const PublicURLOutput = "PublicUrl"

// alnum is s without the characters an output's logical ID cannot hold.
func alnum(s string) string {
	var out []rune
	for _, r := range s {
		if (r >= 'a' && r <= 'z') || (r >= 'A' && r <= 'Z') || (r >= '0' && r <= '9') {
			out = append(out, r)
		}
	}
	return string(out)
}

// environmentName is <platform>-<env>: what the resources an environment has one of in an
// account-region (or one of in the account) are called when nothing else needs saying.
func environmentName(platform, environment string) string {
	return platform + "-" + environment
}

// regionalName is <platform>-<env>-<region>: what an environment's resources in one region are
// called, and how the names of the region's alarms, drills and roles begin.
func regionalName(platform, environment, region string) string {
	return environmentName(platform, environment) + "-" + region
}

// ApproverRoleName is the role that may approve deployments to gated environments.
func ApproverRoleName(platform string) string { return platform + "-deployment-approver" }

// SecurityCheckProjectName names the permissions-broadening check's build, which every
// CheckPermissions.Confirm action links to (its build page and log).
func SecurityCheckProjectName(platform string) string { return platform + "-permissions-check" }

// SmokeTestProjectName names an environment's smoke-test build, which the approval of the next
// environment links to.
func SmokeTestProjectName(platform, environment string) string {
	return environmentName(platform, environment) + "-smoke-test"
}

// CodeBuildProjectArn is the ARN of the CodeBuild project named project.
func CodeBuildProjectArn(account, region, project string) string {
	return fmt.Sprintf("arn:aws:codebuild:%s:%s:project/%s", region, account, project)
}

// PipelineArn is the ARN of the pipeline named pipeline, or with path (such as
// "<stage>/<action>") of one of its stages' actions.
func PipelineArn(account, region, pipeline string, path ...string) string {
	return strings.Join(append([]string{fmt.Sprintf("arn:aws:codepipeline:%s:%s:%s", region, account, pipeline)}, path...), "/")
}

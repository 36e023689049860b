package guard

import (
	"fmt"
	"regexp"
	"sort"
	"strings"
)

// Environment is what an exception may depend on: the settings of the environment a stack
// belongs to (nil for the platform's own stacks: the pipeline, the per-account baselines).
type Environment struct {
	Name string
	// Protected is environments[].terminationProtection.
	Protected bool
	// LogRetentionDays is environments[].monitoring.logRetentionDays.
	LogRetentionDays int
	// MasterUsername is environments[].database.masterUsername.
	MasterUsername string
	// Domain is whether the environment has environments[].dns: without it the edge and the
	// load balancers have no certificate of the platform's.
	Domain bool
}

// Exception is a control the platform does not pass for some resources, and why. Every finding
// that no exception excuses fails `make test` and `make check`.
type Exception struct {
	Control string
	// Resources is a regular expression over the findings' logical IDs.
	Resources string
	// Applies narrows the exception to the environments whose settings cause it (nil: always).
	Applies *Condition
	// Reason says why: a reviewer must be able to judge it without reading the code.
	Reason string
	// Setting is the config setting that makes the control pass, "" when none does.
	Setting string
}

// MinimumLogRetentionDays is what CT.CLOUDWATCH.PR.2 asks of a log group's retention.
const MinimumLogRetentionDays = 365

// Condition is a setting of an environment that makes an exception apply.
type Condition struct {
	// In says where it holds, for the docs: "environments without a domain".
	In    string
	Holds func(env *Environment) bool
}

var (
	unprotected = &Condition{In: "environments with terminationProtection false",
		Holds: func(env *Environment) bool { return env != nil && !env.Protected }}
	withoutDomain = &Condition{In: "environments without dns",
		Holds: func(env *Environment) bool { return env != nil && !env.Domain }}
	shortRetention = &Condition{In: fmt.Sprintf("environments with monitoring.logRetentionDays under %d", MinimumLogRetentionDays),
		Holds: func(env *Environment) bool { return env != nil && env.LogRetentionDays < MinimumLogRetentionDays }}
	defaultMasterUser = &Condition{In: "environments with database.masterUsername postgres",
		Holds: func(env *Environment) bool { return env != nil && env.MasterUsername == "postgres" }}
)

// Exceptions are every control the platform declares it does not pass, in one place; docs/security.md
// renders them.
var Exceptions = []Exception{
	{Control: "CT.RDS.PR.3", Resources: `^DatabaseCluster[0-9A-F]{8}$`, Applies: unprotected,
		Reason:  "an environment without termination protection (a sandbox, staging) turns the cluster's deletion protection off on purpose, so that it can be torn down",
		Setting: "environments[].terminationProtection: true"},
	{Control: "CT.ELASTICLOADBALANCING.PR.5", Resources: `LoadBalancer[0-9A-F]{8}$`, Applies: unprotected,
		Reason:  "an environment without termination protection turns the load balancers' deletion protection off on purpose, so that it can be torn down",
		Setting: "environments[].terminationProtection: true"},
	{Control: "CT.CLOUDWATCH.PR.2", Resources: `Logs[0-9A-F]{8}$`, Applies: shortRetention,
		Reason:  "the environment keeps its logs for less than a year by choice (cost); the log groups take the environment's retention",
		Setting: "environments[].monitoring.logRetentionDays: 365 or more"},
	{Control: "CT.RDS.PR.21", Resources: `^DatabaseCluster[0-9A-F]{8}$`, Applies: defaultMasterUser,
		Reason:  "the environment's cluster was created with the engine's default master user; a cluster keeps the name it was created with (a change replaces it)",
		Setting: "environments[].database.masterUsername: another name (default platform_admin), for a new cluster"},
	{Control: "CT.CLOUDFRONT.PR.1", Resources: `^EdgeDistribution[0-9A-F]{8}$`,
		Reason: "the distribution fronts an API whose root path (/) is an endpoint of the service; a default root object would rewrite every request for / to another path"},
	{Control: "CT.CLOUDFRONT.PR.6", Resources: `^EdgeDistribution[0-9A-F]{8}$`, Applies: withoutDomain,
		Reason:  "an environment without a domain is served at CloudFront's own name, with CloudFront's certificate",
		Setting: "environments[].dns (a domain: the distribution gets its certificate)"},
	{Control: "CT.CLOUDFRONT.PR.7", Resources: `^EdgeDistribution[0-9A-F]{8}$`, Applies: withoutDomain,
		Reason:  "SNI is a setting of a custom certificate, which an environment without a domain does not have",
		Setting: "environments[].dns"},
	{Control: "CT.CLOUDFRONT.PR.9", Resources: `^EdgeDistribution[0-9A-F]{8}$`, Applies: withoutDomain,
		Reason:  "the minimum TLS version is a setting of a custom certificate; with CloudFront's default certificate CloudFront sets it",
		Setting: "environments[].dns (then TLSv1.2_2021)"},
	{Control: "CT.CLOUDFRONT.PR.8", Resources: `^EdgeDistribution[0-9A-F]{8}$`, Applies: withoutDomain,
		Reason:  "without a domain the load balancers have no certificate, so CloudFront reaches them over HTTP (admitted only from CloudFront's prefix list, with the origin header)",
		Setting: "environments[].dns"},
	{Control: "CT.ELASTICLOADBALANCING.PR.1", Resources: `Production[0-9A-F]{8}$|Test[0-9A-F]{8}$`, Applies: withoutDomain,
		Reason:  "without a domain the load balancers have no certificate to serve HTTPS with, so their listeners serve HTTP",
		Setting: "environments[].dns"},
	{Control: "CT.LAMBDA.PR.3", Resources: `^LogSearchProcessor[0-9A-F]{8}$`,
		Reason: "Firehose invokes the log-search processor with a batch and takes back the documents; it calls nothing on a network, so a VPC would add network interfaces and protect nothing"},
	{Control: "CT.LAMBDA.PR.3", Resources: `^DatabaseRotator[0-9A-F]{8}$`,
		Reason: "the password rotation calls only AWS APIs (Secrets Manager here, RDS in whichever region writes, another after a failover); in a VPC it would need a NAT path to other regions' endpoints, and a region's NAT failure would stop rotations"},
	{Control: "CT.S3.PR.2", Resources: `^(CanaryArtifacts|PipelineArtifactsBucket|CrossRegionCodePipelineReplicationBucket)[0-9A-F]{8}$`,
		Reason: "buckets only one role writes (a canary's run artifacts; CodePipeline's artifacts, written by the pipeline's roles): access logs would record those writes and nothing else, and the cross-region support stacks have no log bucket to send them to"},
	{Control: "CT.CODEBUILD.PR.4", Resources: `^PipelineBuildImage[0-9A-F]{8}$`,
		Reason: "the image build runs docker build, which needs CodeBuild's privileged mode; no other project has it"},
	{Control: "CT.S3.PR.9", Resources: `.`,
		Reason: "no bucket uses S3 Object Lock: the backups that must be immutable are in AWS Backup vaults with a vault lock; object lock on the lake, logs and pipeline buckets would stop lifecycle expiry and replication clean-up"},
	{Control: "CT.S3.PR.10", Resources: `(AccessLogs|EdgeLogs)[0-9A-F]{8}$`,
		Reason: "server access logs and CloudFront standard logs can be delivered only to a bucket encrypted with SSE-S3, not SSE-KMS"},
	{Control: "CT.S3.PR.2", Resources: `(AccessLogs|EdgeLogs)[0-9A-F]{8}$`,
		Reason: "these are the log buckets other buckets log to; logging a log bucket's access into itself would loop"},
	{Control: "CT.S3.PR.11", Resources: `(AccessLogs|EdgeLogs)[0-9A-F]{8}$`,
		Reason: "log buckets hold write-once logs that a lifecycle rule expires; versioning would only keep deleted logs longer"},
	{Control: "CT.ECS.PR.2", Resources: `^ServiceCluster[0-9A-F]{8}$`,
		Reason: "the cluster's Container Insights is set to enhanced (a superset of enabled); the rule accepts only the value enabled"},
	{Control: "CT.GUARDDUTY.PR.1", Resources: `^BaselineDetector[0-9A-F]{8}$`,
		Reason: "the detector turns S3 protection on through its Features list (S3_DATA_EVENTS); the rule reads only the older DataSources property, which a detector may not set together with Features (AWS::GuardDuty::Detector: use either, not both)"},
	{Control: "CT.LAMBDA.PR.3", Resources: `^(CustomVpcRestrictDefaultSGCustomResourceProviderHandler|PipelinePipelinesSecurityCheckCDKPipelinesAutoApprove)[0-9A-F]{8}$`,
		Reason: "functions CDK itself adds (the VPC's default security group lock-down, CDK Pipelines' security check) call only AWS APIs and are not the platform's to place in a VPC"},
}

// Excused returns the exception that excuses f in env, nil if none does.
func Excused(f Finding, env *Environment) *Exception {
	for i, e := range Exceptions {
		if e.Control == f.Control && regexp.MustCompile(e.Resources).MatchString(f.Resource) && (e.Applies == nil || e.Applies.Holds(env)) {
			return &Exceptions[i]
		}
	}
	return nil
}

// Table renders the exceptions as the Markdown table docs/security.md holds.
func Table() string {
	rows := make([]Exception, len(Exceptions))
	copy(rows, Exceptions)
	sort.SliceStable(rows, func(i, j int) bool { return rows[i].Control < rows[j].Control })
	var b strings.Builder
	b.WriteString("| Control | Resources (logical IDs) | Where | Why | Setting that makes it pass |\n|---|---|---|---|---|\n")
	for _, e := range rows {
		setting, where := e.Setting, "every environment"
		if setting == "" {
			setting = "none"
		}
		if e.Applies != nil {
			where = e.Applies.In
		}
		fmt.Fprintf(&b, "| %s | `%s` | %s | %s | %s |\n", e.Control, strings.ReplaceAll(e.Resources, "|", `\|`), where, e.Reason, setting)
	}
	return b.String()
}

package config_test

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/example/platform/lib/config"
	// The plan checks each pipeline stage's size as part of validation.
	_ "github.com/example/platform/lib/plan"
)

func TestLoad_TwoEnvironmentConfigIsValidAndDefaulted(t *testing.T) {
	platform := mustLoad(t, "testdata/valid-two-environments.json")

	if platform.Name != "acme" || len(platform.Environments) != 2 {
		t.Fatalf("got platform %q with %d environments, want acme with 2", platform.Name, len(platform.Environments))
	}
	staging, prod := platform.Environments[0], platform.Environments[1]
	if staging.Protected() {
		t.Error("staging sets terminationProtection false but Protected() is true")
	}
	if !prod.Protected() {
		t.Error("prod sets terminationProtection true but Protected() is false")
	}
	if staging.NeedsApproval() || !prod.NeedsApproval() {
		t.Errorf("approval defaults: staging %v, prod %v; want only the later environment gated", staging.NeedsApproval(), prod.NeedsApproval())
	}
	if got := prod.Primary().Region; got != "us-east-1" {
		t.Errorf("prod primary = %s, want us-east-1 (the first region listed)", got)
	}
	if got := prod.Regions[1].AvailabilityZones; strings.Join(got, ",") != "eu-west-1a,eu-west-1b,eu-west-1c" {
		t.Errorf("eu-west-1 zones defaulted to %v, want eu-west-1a-c", got)
	}
	if got := prod.Regions[1].NatGateways; got != config.AvailabilityZoneCount {
		t.Errorf("unset natGateways defaulted to %d, want one per AZ (%d)", got, config.AvailabilityZoneCount)
	}
	if prod.DNS == nil || prod.DNS.DomainName != "example.com" {
		t.Errorf("valid-two-environments.json's prod must configure example.com so DNS resources synthesize, got %+v", prod.DNS)
	}
	if got := prod.Regions[1].CloudFrontPrefixListID; got != "pl-4fa04526" {
		t.Errorf("eu-west-1's CloudFront prefix list defaulted to %q, want pl-4fa04526", got)
	}
	if got := *prod.Regions[1].TrafficDialPercent; got != 100 {
		t.Errorf("unset trafficDialPercent defaulted to %d, want 100", got)
	}
}

func TestLoad_ThreeRegionConfigHasThreeProdRegions(t *testing.T) {
	platform := mustLoad(t, "testdata/valid-three-regions.json")
	prod := platform.Environments[0]
	var codes []string
	for _, r := range prod.Regions {
		codes = append(codes, r.Region)
	}
	if got := strings.Join(codes, ","); got != "us-east-1,eu-west-1,ap-southeast-2" {
		t.Fatalf("regions = %s", got)
	}
	if len(prod.Secondaries()) != 2 {
		t.Errorf("secondaries = %d, want 2", len(prod.Secondaries()))
	}
}

func TestLoad_AppliesDefaultsToAMinimalConfig(t *testing.T) {
	platform := mustLoad(t, "testdata/valid-minimal.json")
	env := platform.Environments[0]
	if !env.Protected() {
		t.Error("termination protection must default to on")
	}
	want := config.Sizing{
		TaskCPU: config.DefaultTaskCPU, TaskMemoryMiB: config.DefaultTaskMemoryMiB,
		MinCapacity: config.DefaultMinCapacity, MaxCapacity: config.DefaultMaxCapacity,
		DBInstanceClass: config.DefaultDBInstanceClass, DBInstances: config.DefaultDBInstances,
		BackupRetentionDays: config.DefaultBackupRetentionDays,
	}
	if env.Sizing != want {
		t.Errorf("sizing = %+v, want defaults %+v", env.Sizing, want)
	}
	wantService := config.Service{Name: "api", Dockerfile: "api/Dockerfile", ScanThreshold: "CRITICAL", KeepDeployedImages: 30,
		BootstrapImage: config.DefaultBootstrapImage, ContainerPort: 8080, HealthCheckPath: "/"}
	if platform.Service != wantService {
		t.Errorf("service = %+v, want defaults %+v", platform.Service, wantService)
	}
	wantDeployment := config.Deployment{Strategy: config.StrategyBlueGreen, BakeTimeMinutes: 10, StepPercent: 10, StepMinutes: 5}
	if env.Deployment != wantDeployment {
		t.Errorf("deployment = %+v, want defaults %+v", env.Deployment, wantDeployment)
	}
	wantEvents := config.Events{ArchiveRetentionDays: 30, MaxReceiveCount: 5, QueueRetentionDays: 4, StreamRetentionHours: 24, DeliveryBufferSeconds: 300}
	if env.Events != wantEvents {
		t.Errorf("events = %+v, want defaults %+v", env.Events, wantEvents)
	}
	if b := env.Backup; b.RetentionDays != 35 || b.FrequencyHours != 24 || !b.LakeOn() ||
		b.VaultLock != (config.VaultLock{Mode: config.LockGovernance, MinRetentionDays: 35}) {
		t.Errorf("backup = %+v (lock %+v), want 35 days, daily, the lake, a governance lock at 35 days and no grace time", b, b.VaultLock)
	}
	if env.Drills != (config.Drills{StopTaskPercent: 50, AZDisruptionMinutes: 10}) {
		t.Errorf("drills = %+v, want 50 %% of the tasks and 10 minutes", env.Drills)
	}
	// Grafana needs IAM Identity Center and OpenSearch costs by the hour: both wait to be asked for.
	if m := env.Monitoring; !m.PrometheusOn() || m.GrafanaOn() || m.OpenSearchOn() {
		t.Errorf("monitoring stores: prometheus %v, grafana %v, openSearch %v; want on, off, off by default", m.PrometheusOn(), m.GrafanaOn(), m.OpenSearchOn())
	}
	if env.Database.EngineVersion != config.DefaultEngineVersion || env.Database.EngineMajorVersion() != "16" {
		t.Errorf("database = %+v, want engine %s", env.Database, config.DefaultEngineVersion)
	}
	if platform.Pipeline.Source.Branch != "main" {
		t.Errorf("branch = %q, want main", platform.Pipeline.Source.Branch)
	}
}

func TestLoad_ConnectionsDefaultToGitHubWhichAloneGetsPullRequestChecks(t *testing.T) {
	platform := mustLoad(t, "testdata/valid-two-environments.json")
	source := platform.Pipeline.Source
	if source.CodeConnections.Provider != config.ProviderGitHub || !source.ChecksPullRequests() {
		t.Errorf("valid-two-environments.json's connection: provider %q, pull-request checks %v; want GitHub, with checks", source.CodeConnections.Provider, source.ChecksPullRequests())
	}
	for _, provider := range []string{config.ProviderGitLab, config.ProviderBitbucket} {
		source.CodeConnections.Provider = provider
		if source.ChecksPullRequests() {
			t.Errorf("a %s connection gets pull-request checks; CodeBuild's GitHub webhook cannot serve it", provider)
		}
	}
	if codeCommit := mustLoad(t, "testdata/valid-three-regions.json").Pipeline.Source; !codeCommit.ChecksPullRequests() {
		t.Error("a CodeCommit repository gets no pull-request checks")
	}
}

func TestLoad_IrregularRegionGetsItsRealZones(t *testing.T) {
	data := strings.Replace(readFile(t, "testdata/valid-minimal.json"), `"eu-west-1"`, `"ap-northeast-1"`, 1)
	platform, err := config.Parse("tokyo.json", []byte(data))
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(platform.Environments[0].Regions[1].AvailabilityZones, ","); got != "ap-northeast-1a,ap-northeast-1c,ap-northeast-1d" {
		t.Errorf("ap-northeast-1 zones = %s; it has no 1b for new accounts", got)
	}
}

// A compliance lock gets AWS Backup's shortest grace time, and its minimum retention follows the
// plans' retention unless the file sets it.
func TestLoad_ComplianceLockDefaultsToTheShortestGraceTime(t *testing.T) {
	data := strings.Replace(readFile(t, "testdata/valid-minimal.json"), `"name": "prod",`,
		`"name": "prod", "backup": {"retentionDays": 90, "vaultLock": {"mode": "compliance"}},`, 1)
	platform, err := config.Parse("compliance.json", []byte(data))
	if err != nil {
		t.Fatal(err)
	}
	if got := platform.Environments[1].Backup.VaultLock; got != (config.VaultLock{Mode: config.LockCompliance, MinRetentionDays: 90, ChangeableForDays: 3}) {
		t.Errorf("lock = %+v, want compliance, 90 days minimum, 3 days' grace", got)
	}
}

// Each fixture in testdata/invalid breaks one rule; the test pins the field path and the
// message, and that no other problem is reported.
func TestLoad_RejectsEachInvalidFixture(t *testing.T) {
	cases := []struct {
		fixture, path, message string
	}{
		{"unknown-field", "bogusField", "unknown field; known fields are name, owner, costCentre, alertEmails, pipeline, service, environments, baseline, permissionsBoundary, tags"},
		{"unknown-nested-field", "environments[0].regions[0].cidrBlock", "unknown field; known fields are region, cidr"},
		{"unknown-field-typo", "environments[0].sizng", "unknown field; did you mean sizing? known fields are name, account, regions, sizing, deployment"},
		{"wrong-type", "environments[0].sizing.taskCpu", `"512": expected a whole number`},
		{"fractional-number", "environments[0].sizing.minCapacity", "1.5: expected a whole number"},
		{"missing-name", "name", "required"},
		{"bad-platform-name", "name", `"Acme Corp" is not valid`},
		{"missing-owner", "owner", "required"},
		{"bad-owner", "owner", `"team<script>" is not valid`},
		{"no-alert-emails", "alertEmails", "required"},
		{"bad-email", "alertEmails[0]", `"oncall at example.com" is not an e-mail address`},
		{"bad-account", "environments[0].account", `"12345" is not valid; want a 12-digit AWS account ID`},
		{"bad-pipeline-account", "pipeline.account", "12-digit AWS account ID"},
		{"unknown-pipeline-region", "pipeline.region", `"us-est-1" is not an AWS region; did you mean us-east-1?`},
		{"unknown-region", "environments[0].regions[0].region", `"eu-west-9" is not an AWS region; did you mean eu-west-1?`},
		{"missing-region", "environments[0].regions[0].region", "required"},
		{"duplicate-region", "environments[0].regions[1].region", "us-east-1 is already environments[0].regions[0]"},
		{"overlapping-cidrs", "environments[1].regions[0].cidr", "10.0.128.0/17 overlaps environments[0].regions[0].cidr (staging/us-east-1, 10.0.0.0/16)"},
		{"public-cidr", "environments[0].regions[0].cidr", "8.8.0.0/16 is not a private range"},
		{"small-cidr", "environments[0].regions[0].cidr", "10.0.0.0/24 is too small"},
		{"large-cidr", "environments[0].regions[0].cidr", "10.0.0.0/8 is larger than AWS allows"},
		{"cidr-host-bits", "environments[0].regions[0].cidr", "did you mean 10.0.0.0/16?"},
		{"malformed-cidr", "environments[0].regions[0].cidr", `"10.0.0/16" is not an IPv4 CIDR`},
		{"missing-cidr", "environments[0].regions[0].cidr", "required"},
		{"duplicate-environment", "environments[1].name", `"staging" is also the name of environments[0]`},
		{"bad-environment-name", "environments[1].name", `"Production" is not valid`},
		{"no-environments", "environments", "required"},
		{"no-regions", "environments[1].regions", "required"},
		{"both-sources", "pipeline.source", "not both"},
		{"no-source", "pipeline.source", "required; set codeConnections"},
		{"bad-connection-arn", "pipeline.source.codeConnections.connectionArn", "is not valid; want a CodeConnections ARN"},
		{"unknown-connection-provider", "pipeline.source.codeConnections.provider", `"Gitlab" is not a provider; use GitHub, GitLab or Bitbucket, as the connection's provider type says`},
		{"too-many-regions", "environments[0].regions", "7 regions need 52 actions in the pipeline's prod stage (6 per region: 6 stacks, one action each; 4 for the edge, the accelerator, the observer and the recovery stack, 3 for the permissions check and approval, 1 for termination protection, 1 for the smoke test, 1 to tag the release), and a CodePipeline stage holds at most 50: list at most 6 regions here, or split the regions into two environments"},
		{"observer-among-regions", "environments[0].observerRegion", "eu-west-1 is also environments[0].regions[1]: the observer watches the environment from a region that runs none of its workload"},
		{"bad-observer-region", "environments[1].observerRegion", `"us-wset-2" is not an AWS region; did you mean us-west-2?`},
		{"observer-required", "environments[1].observerRegion", "required: the environment runs in both us-west-2 and us-east-1, which the default picks from; name a region that runs none of its workload (the canaries there watch it from outside), such as us-east-2"},
		{"budget-negative", "environments[0].budget.monthlyUsd", "-500: give the monthly limit in whole US dollars, 1 to 10000000"},
		{"canary-interval-out-of-range", "environments[0].monitoring.canaryIntervalMinutes", "90: give 1 to 60 minutes between a canary's runs"},
		{"canary-retention-out-of-range", "environments[1].monitoring.canaryRetentionDays", "500: give 1 to 455 days Synthetics keeps a canary's runs (its range)"},
		{"canary-failed-runs-out-of-range", "environments[0].monitoring.thresholds.canaryFailedRuns", "11: give 1 to 10 failed runs in a row before a canary's alarm fires"},
		{"events-archive-retention-out-of-range", "environments[0].events.archiveRetentionDays", "4000: must be 1 to 3650 days"},
		{"events-max-receive-count-out-of-range", "environments[0].events.maxReceiveCount", "1001: must be 1 to 1000 receives"},
		{"events-queue-outlives-dead-letters", "environments[0].events.queueRetentionDays", "14: must be 1 to 13 days: the dead-letter queue keeps a message 14 days"},
		{"events-stream-retention-too-short", "environments[0].events.streamRetentionHours", "12: Kinesis keeps records for 24 to 8760 hours"},
		{"events-delivery-buffer-too-short", "environments[0].events.deliveryBufferSeconds", "30: must be 60 to 900 seconds"},
		{"recovery-unknown-tier", "environments[0].recovery.tier", `"Gold" is not a Resilience Hub tier; use one of MissionCritical, Critical, Important, CoreServices or NonCritical`},
		{"recovery-rto-longer-than-a-week", "environments[0].recovery.objectives.region.rtoMinutes", "20000: must be 1 to 10080 minutes"},
		{"recovery-negative-rpo", "environments[0].recovery.objectives.az.rpoMinutes", "-5: must be 1 to 10080 minutes"},
		{"recovery-rto-below-the-plans-worst-case", "environments[0].recovery.objectives.region.rtoMinutes", "14: a region's failure takes up to 10 minutes to fire the alarms failover waits for"},
		// Enough for the plans alone (15), not for detection before them: the RTO counts from the failure.
		{"recovery-rto-below-detection-and-plan", "environments[0].recovery.objectives.region.rtoMinutes", "20: a region's failure takes up to 10 minutes to fire the alarms failover waits for " +
			"(the canaries: monitoring.canaryIntervalMinutes 5 × monitoring.thresholds.canaryFailedRuns 2; the other health alarms 5), " +
			"then the Region switch plans up to 15 (scale-up 10 alongside approval 10, then the database 5); " +
			"give at least 25, or shorten detection with monitoring.canaryIntervalMinutes or monitoring.thresholds.canaryFailedRuns"},
		{"bad-branch", "pipeline.source.branch", `"main branch" is not valid`},
		{"zone-outside-region", "environments[0].regions[0].availabilityZones[2]", `"eu-west-1c" is not an availability zone of us-east-1`},
		{"two-zones", "environments[0].regions[0].availabilityZones", "2 zones listed: the VPC spans exactly 3"},
		{"duplicate-zone", "environments[0].regions[0].availabilityZones[2]", "us-east-1a is listed twice"},
		{"too-many-nat-gateways", "environments[0].regions[0].natGateways", "5: must be 1 to 3"},
		{"bad-task-cpu", "environments[0].sizing.taskCpu", "300 is not a Fargate CPU size"},
		{"bad-task-memory", "environments[0].sizing.taskMemoryMiB", "512 MiB does not go with taskCpu 512; Fargate accepts 1024, 2048, 3072, 4096 MiB"},
		{"min-above-max", "environments[0].sizing.maxCapacity", "4: must be from minCapacity (5)"},
		{"min-above-default-max", "environments[0].sizing.maxCapacity", "6 (the default): must be from minCapacity (10) to 1000"},
		{"default-memory-with-large-cpu", "environments[0].sizing.taskMemoryMiB",
			"1024 MiB (the default) does not go with taskCpu 4096; Fargate accepts 8192 to 30720 in steps of 1024 MiB"},
		{"bad-db-instance-class", "environments[0].sizing.dbInstanceClass", `"r7g.large" is not valid; want an Aurora instance class such as db.r7g.large`},
		{"too-many-db-instances", "environments[0].sizing.dbInstances", "20: must be 1 to 16"},
		{"backup-retention-too-long", "environments[0].sizing.backupRetentionDays", "40: Aurora keeps automated backups for 1 to 35 days"},
		{"bad-hosted-zone", "environments[0].dns.hostedZoneId", `"zone-1" is not valid`},
		{"bad-domain", "environments[0].dns.domainName", `"Example..com" is not valid`},
		{"platform-level-dns", "dns", "moved: each environment has its own dns"},
		{"bad-price-class", "environments[0].edge.priceClass", `"PriceClass_50" is not a price class`},
		{"rate-limit-too-low", "environments[0].edge.rateLimit", "50: must be 100 to 2000000000"},
		{"bad-static-path", "environments[0].edge.staticPaths[0]", `"static/*" is not a path pattern`},
		{"static-path-everything", "environments[0].edge.staticPaths[0]", "not /*, which is every request"},
		{"bad-accelerator-interval", "environments[0].edge.accelerator.healthCheckIntervalSeconds", "15: Global Accelerator checks every 10 or 30 seconds"},
		{"bad-accelerator-threshold", "environments[0].edge.accelerator.healthCheckThreshold", "11: must be 1 to 10"},
		{"traffic-dial-out-of-range", "environments[0].regions[1].trafficDialPercent", "101: must be 0 to 100"},
		{"unknown-prefix-list-region", "environments[1].regions[0].cloudFrontPrefixListId", "required for ap-southeast-5"},
		{"bad-prefix-list", "environments[1].regions[0].cloudFrontPrefixListId", `"prefix-1" is not a prefix list ID`},
		{"bad-service-name", "service.name", `"API_v2" is not valid`},
		{"unpinned-bootstrap-image", "service.bootstrapImage", `"nginx" is not valid; want a public image with a registry host and a pinned tag`},
		{"bad-release-digest", "service.releaseDigest", `"sha256:123" is not valid; want an image digest`},
		{"bad-scan-threshold", "service.scanThreshold", `"SEVERE" is not a severity; use LOW, MEDIUM, HIGH, CRITICAL`},
		{"dockerfile-outside-repository", "service.dockerfile", `"../other/Dockerfile" is not valid; want a path inside the repository`},
		{"environment-named-tooling", "environments[0].name", `"tooling" names the tooling account's stacks`},
		{"bad-approver", "pipeline.approvers[0]", `"arn:aws:iam::333333333333:group/admins" is not valid; want the ARN of an IAM role or user`},
		{"approver-whole-account", "pipeline.approvers[0]", "333333333333 is a whole account: every principal its IAM lets assume roles could approve; name the IAM roles or users who approve, such as arn:aws:iam::333333333333:role/ReleaseManagers, or set pipeline.allowAccountApprovers to true"},
		{"approver-account-root", "pipeline.approvers[0]", "arn:aws:iam::333333333333:root is a whole account"},
		{"no-approvers", "pipeline.approvers", `required: name the IAM roles or users who approve deployments to gated environments and Region switch plans, such as ["arn:aws:iam::333333333333:role/ReleaseManagers"]; or set pipeline.allowAccountApprovers to true`},
		{"bad-container-port", "service.containerPort", "70000: must be a TCP port"},
		{"bad-health-check-path", "service.healthCheckPath", `"health" is not valid; want a URL path`},
		{"bad-region-check-path", "service.regionCheckPath", `"ready/region" is not valid; want a URL path`},
		{"unknown-strategy", "environments[0].deployment.strategy", `"rolling" is not a strategy; use blue-green, linear or canary`},
		{"bake-time-too-long", "environments[0].deployment.bakeTimeMinutes", "2000: must be 1 to 1440"},
		{"step-percent-out-of-range", "environments[0].deployment.stepPercent", "100: must be 1 to 99"},
		{"step-minutes-zero-after-default", "environments[0].deployment.stepMinutes", "-1: must be 1 to 1440"},
		{"bad-log-retention", "environments[0].monitoring.logRetentionDays", "45 is not a retention period CloudWatch Logs accepts; use one of 1, 3, 5, 7, 14, 30, 60, 90,"},
		{"threshold-out-of-range", "environments[0].monitoring.thresholds.http5xxPercent", "150: give a percentage from 1 to 100"},
		{"opensearch-without-log-readers", "environments[0].monitoring.logReaders", "required when openSearch is on: name the IAM roles of account 111111111111 that may search the logs"},
		{"log-reader-outside-account", "environments[0].monitoring.logReaders[0]", "arn:aws:iam::999999999999:role/OnCall is not in the environment's account 111111111111"},
		{"bad-log-reader", "environments[0].monitoring.logReaders[0]", `"arn:aws:iam::111111111111:user/dale" is not valid; want the ARN of an IAM role of the environment's account`},
		{"opensearch-collection-name-too-long", "environments[0].monitoring.openSearch", `the log search collection would be named "averylongplatfor-preproductio" (29 characters); OpenSearch Serverless takes at most 28`},
		{"bad-engine-version", "environments[0].database.engineVersion", `"16" is not an Aurora PostgreSQL version`},
		{"bad-master-username", "environments[0].database.masterUsername", `"1admin" is not a master user name Aurora PostgreSQL accepts`},
		{"bad-monitoring-interval", "environments[0].database.monitoringIntervalSeconds", "45: Enhanced Monitoring samples every 1, 5, 10, 15, 30 or 60 seconds"},
		{"engine-without-global-database", "environments[0].database.engineVersion", "12.22: Aurora global databases need PostgreSQL 13 to 17"},
		{"platform-name-too-long", "name", `"averyveryverylongname" is not valid; want 2-16 lowercase letters`},
		{"bad-auditor", "baseline.auditors[0]", `"arn:aws:iam::333333333333:group/auditors" is not valid; want the tooling account's ID (333333333333), or the ARN of one of its IAM roles or users`},
		{"auditor-outside-tooling", "baseline.auditors[1]", "arn:aws:iam::999999999999:role/SecurityAudit is not in the tooling account 333333333333: the auditor role is assumed from the tooling account"},
		{"baseline-retention-too-short", "baseline.retentionDays", "30: must be 90 to 3653 days"},
		{"environment-named-baseline", "environments[1].name", `"baseline" names the pipeline stage of every account's security baseline`},
		{"too-many-account-regions", "environments", "the platform uses 48 account-regions, and the pipeline's baseline stage deploys a stack to each (one action each) plus 3 more actions; a CodePipeline stage holds at most 50: use at most 47 account-regions"},
		{"backup-retention-out-of-range", "environments[0].backup.retentionDays", "40000: must be 1 to 36500 days"},
		{"backup-frequency-not-a-divisor", "environments[0].backup.frequencyHours", "5: must divide a day; use one of 1, 2, 3, 4, 6, 8, 12, 24"},
		{"vault-lock-unknown-mode", "environments[0].backup.vaultLock.mode", `"legal-hold" is not a lock mode; use governance or compliance`},
		{"vault-lock-minimum-above-retention", "environments[0].backup.vaultLock.minRetentionDays", "30: must be 1 to retentionDays (14)"},
		{"vault-lock-grace-without-compliance", "environments[0].backup.vaultLock.changeableForDays", "7: only a compliance lock has a grace time"},
		{"vault-lock-grace-too-short", "environments[0].backup.vaultLock.changeableForDays", "2: must be at least 3: AWS Backup enforces a 72-hour cooling-off period"},
		{"vault-lock-compliance-unprotected", "environments[0].backup.vaultLock.mode", "compliance cannot go with terminationProtection false"},
		{"drills-stop-percent-out-of-range", "environments[0].drills.stopTaskPercent", "101: give a percentage from 1 to 100"},
		{"drills-az-disruption-too-long", "environments[0].drills.azDisruptionMinutes", "721: must be 1 to 720"},
		{"byte-order-mark", "", "the file starts with a UTF-8 byte-order mark (EF BB BF), which JSON does not allow; save it as UTF-8 without a BOM"},
		{"duplicate-key", "environments[1].regions[0].cidr", `duplicate key: "cidr" is at lines 40 and 41 of the same object; keep one`},
		{"duplicate-top-level-key", "name", `duplicate key: "name" is at lines 2 and 4 of the same object`},
		{"comment", "", "invalid JSON at line 11, column 5: a comment; JSON allows no comments (nor trailing commas): delete it"},
		{"trailing-comma", "", "invalid JSON at line 30, column 32: a trailing comma before }; JSON allows no comments and no trailing commas: delete the comma"},
		{"account-as-number", "environments[0].account", `111111111111: an account ID written as a number; quote it: "111111111111"`},
		{"account-as-11-digit-number", "environments[1].account", `22222222222: an 11-digit number where a string is expected; an account ID has 12 digits in quotes, and a number loses the leading zero: write "022222222222" if that is the account`},
		{"too-many-static-paths", "environments[0].edge.staticPaths", "74 static paths and 2 health paths (one per region) make 76 cache behaviors, and the quota is 75 (the default) per distribution: " +
			"list at most 73 static paths (a pattern such as /assets/* covers many), or raise the quota in Service Quotas and set environments[0].edge.cacheBehaviorQuota"},
		{"raised-cache-behavior-quota-too-small", "environments[1].edge.staticPaths", "100 static paths and 1 health paths (one per region) make 101 cache behaviors, and the quota is 100 per distribution"},
		{"zone-not-in-region", "environments[0].regions[1].availabilityZones[2]", `"eu-west-1d" is not an availability zone of eu-west-1, which has eu-west-1a, eu-west-1b, eu-west-1c; if your account has it (or AWS opened it lately), add it to environments[0].regions[1].extraAvailabilityZones`},
		{"bad-extra-zone", "environments[0].regions[1].extraAvailabilityZones[0]", `"euw1-az4" is not an availability zone name of eu-west-1; write one such as eu-west-1d`},
		{"list-too-long", "alertEmails", "more than 100 items: list at most 100 (the most any list of the config may hold)"},
		{"cache-behavior-quota-out-of-range", "environments[1].edge.cacheBehaviorQuota", "5000: must be 1 to 1000 cache behaviors per distribution (CloudFront's default quota is 75)"},
		{"nested-too-deep", "costCentre[0][0][0][0][0][0][0][0][0][0][0][0][0][0][0]", "nested more than 16 levels deep"},
		{"not-json", "", "invalid JSON at line 4, column 3"},
		{"empty", "", "the file is empty"},
		{"not-an-object", "", "must hold one JSON object"},
	}
	covered := map[string]bool{"overlap-and-unknown.json": true} // has its own test
	// footprint_test.go's TestFootprint_RejectsEachCombinationThatMissesWhatAPartNeeds has these.
	for _, c := range footprintFixtures {
		covered[c.fixture+".json"] = true
	}
	for _, c := range cases {
		covered[c.fixture+".json"] = true
		t.Run(c.fixture, func(t *testing.T) {
			problems := loadProblems(t, filepath.Join("testdata", "invalid", c.fixture+".json"))
			if len(problems) != 1 {
				t.Fatalf("want exactly one problem at %q, got %d: %+v", c.path, len(problems), problems)
			}
			if problems[0].Path != c.path || !strings.Contains(problems[0].Message, c.message) {
				t.Errorf("got %s: %s\nwant %s: ...%s...", problems[0].Path, problems[0].Message, c.path, c.message)
			}
		})
	}
	entries, err := os.ReadDir("testdata/invalid")
	if err != nil {
		t.Fatal(err)
	}
	for _, e := range entries {
		if !covered[e.Name()] {
			t.Errorf("fixture testdata/invalid/%s has no case in this test", e.Name())
		}
	}
}

func TestLoad_ReportsEveryProblemAtOnceNamingTheFile(t *testing.T) {
	path := "testdata/invalid/overlap-and-unknown.json"
	_, err := config.Load(path)
	if err == nil {
		t.Fatal("want an error")
	}
	want := path + `: 2 problems
  bogusField: unknown field; known fields are name, owner, costCentre, alertEmails, pipeline, service, environments, baseline, permissionsBoundary, tags
  environments[1].regions[0].cidr: 10.0.0.0/16 overlaps environments[0].regions[0].cidr (staging/us-east-1, 10.0.0.0/16); pick a range outside 10.0.0.0/16`
	if err.Error() != want {
		t.Errorf("message:\n%s\nwant:\n%s", err, want)
	}
}

func TestLoad_MissingFileSaysHowToChooseOne(t *testing.T) {
	_, err := config.Load("config/nope.json")
	if err == nil || !strings.Contains(err.Error(), "config/nope.json: 1 problem\n  no such file; pass an existing config with -c config=") {
		t.Errorf("got %v", err)
	}
}

func TestLoad_DoesNotRepeatAProblemForAMistypedValue(t *testing.T) {
	data := strings.Replace(readFile(t, "testdata/valid-minimal.json"), `"cidr": "10.0.0.0/16"`, `"cidr": 10`, 1)
	_, err := config.Parse("typed.json", []byte(data))
	var cfgErr *config.Error
	if !errors.As(err, &cfgErr) || len(cfgErr.Problems) != 1 || cfgErr.Problems[0].Message != "10: expected a string" {
		t.Errorf("want only the type problem for the cidr, got %v", err)
	}
}

func mustLoad(t *testing.T, path string) *config.Platform {
	t.Helper()
	platform, err := config.Load(path)
	if err != nil {
		t.Fatalf("%s must be valid: %v", path, err)
	}
	return platform
}

func loadProblems(t *testing.T, path string) []config.Problem {
	t.Helper()
	_, err := config.Load(path)
	var cfgErr *config.Error
	if !errors.As(err, &cfgErr) {
		t.Fatalf("want a *config.Error for %s, got %v", path, err)
	}
	if cfgErr.File != path {
		t.Errorf("error names file %q, want %q", cfgErr.File, path)
	}
	return cfgErr.Problems
}

func readFile(t *testing.T, path string) string {
	t.Helper()
	data, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return string(data)
}

func TestPlatform_SetImageDigestRunsThePlatformsOwnRelease(t *testing.T) {
	platform := mustLoad(t, "testdata/valid-minimal.json")
	digest := "sha256:" + strings.Repeat("ab", 32)
	if err := platform.SetImageDigest(digest); err != nil {
		t.Fatal(err)
	}
	if platform.Service.Digest() != digest {
		t.Errorf("digest = %q", platform.Service.Digest())
	}
}

// The pipeline's build wins over a pinned release; without either, the bootstrap image runs.
func TestService_DigestIsTheBuildThenThePinThenNone(t *testing.T) {
	built, pinned := "sha256:"+strings.Repeat("1", 64), "sha256:"+strings.Repeat("2", 64)
	for _, c := range []struct{ built, pinned, want string }{{built, pinned, built}, {"", pinned, pinned}, {"", "", ""}} {
		if got := (config.Service{ImageDigest: c.built, ReleaseDigest: c.pinned}).Digest(); got != c.want {
			t.Errorf("built %q, pinned %q: Digest() = %q, want %q", c.built, c.pinned, got, c.want)
		}
	}
}

func TestPlatform_SetImageDigestRejectsATag(t *testing.T) {
	platform := mustLoad(t, "testdata/valid-minimal.json")
	err := platform.SetImageDigest("git-3f2a1bc")
	if err == nil || !strings.Contains(err.Error(), "context value imageDigest: 1 problem") || !strings.Contains(err.Error(), "want an image digest") {
		t.Fatalf("error = %v", err)
	}
	if platform.Service.Digest() != "" {
		t.Errorf("a rejected digest was kept: %q", platform.Service.Digest())
	}
}

// A limit reached because of defaults the file never stated says which defaults it counted.
func TestLoad_TooManyRegionsSaysWhichDefaultsItCounted(t *testing.T) {
	problems := loadProblems(t, "testdata/invalid/too-many-regions.json")
	if len(problems) != 1 || !strings.HasSuffix(problems[0].Message, "split the regions into two environments; counted with terminationProtection true (the default)") {
		t.Errorf("got %+v; want the message to end with the terminationProtection default the fixture leaves out", problems)
	}
}

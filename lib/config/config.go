// Package config is the typed configuration of one platform: a customer's deployment of the
// service across environments, accounts and regions. Load reads a JSON file strictly, fills
// defaults and validates it; everything downstream (stacks, constructs) trusts what it returns.
package config

import "strings"

// Platform is one customer's deployment: every environment, its accounts and regions, and the
// pipeline that delivers them.
type Platform struct {
	// Name prefixes every stack and physical name: 2-16 lowercase letters, digits and hyphens
	// (S3 bucket names, which carry it with the environment, account and region, stop at 63).
	Name string `json:"name"`
	// Owner is the team that answers for the platform; it is tagged on every resource.
	Owner string `json:"owner"`
	// CostCentre is tagged on every resource when set.
	CostCentre string `json:"costCentre,omitempty"`
	// AlertEmails receive alarms and pipeline approval requests.
	AlertEmails []string `json:"alertEmails"`
	// Pipeline is where the delivery pipeline lives and what it builds from.
	Pipeline Pipeline `json:"pipeline"`
	// Service is the containerised application the platform runs in every region.
	Service Service `json:"service,omitempty"`
	// Environments are deployed in this order by the pipeline (staging before prod).
	Environments []Environment `json:"environments"`
	// Baseline is the security baseline of every account and region the platform uses.
	Baseline Baseline `json:"baseline,omitempty"`
	// PermissionsBoundary, when set, is attached to every IAM role the platform creates (CDK's
	// own and its custom-resource providers' included) and to CDK's bootstrap roles. Default: none.
	PermissionsBoundary *PermissionsBoundary `json:"permissionsBoundary,omitempty"`
	// Tags configures the keys of the tags every resource carries.
	Tags Tags `json:"tags,omitempty"`
}

// ToolingName names the tooling account's stacks and stage, as an environment's name names its
// own: no environment may take it.
const ToolingName = "tooling"

// Pipeline places the self-mutating pipeline in the tooling account.
type Pipeline struct {
	Account string `json:"account"`
	Region  string `json:"region"`
	Source  Source `json:"source"`
	// Approvers may assume the roles that approve a deployment to a gated environment and a
	// Region switch plan's execution: the ARNs of IAM roles or users (users must sign in with
	// MFA). Required when an environment is gated or runs in more than one region, unless
	// AllowAccountApprovers.
	Approvers []string `json:"approvers,omitempty"`
	// AllowAccountApprovers lets Approvers name whole accounts (an account ID or its root ARN:
	// every principal the account's IAM lets assume roles may approve) and, with no Approvers,
	// trusts the tooling account (deployments) and each environment's account (its plans).
	// Default: false (DefaultAllowAccountApprovers).
	AllowAccountApprovers bool `json:"allowAccountApprovers,omitempty"`
}

// Source is the repository the pipeline builds: exactly one of CodeConnections or CodeCommit.
type Source struct {
	CodeConnections *CodeConnectionsSource `json:"codeConnections,omitempty"`
	CodeCommit      *CodeCommitSource      `json:"codeCommit,omitempty"`
	// Branch the pipeline follows. Default: main.
	Branch string `json:"branch,omitempty"`
}

// CodeConnectionsSource is a GitHub, GitLab or Bitbucket repository reached through an
// AWS CodeConnections connection.
type CodeConnectionsSource struct {
	ConnectionArn string `json:"connectionArn"`
	// Repository is "owner/name".
	Repository string `json:"repository"`
	// Provider is the connection's provider: GitHub, GitLab or Bitbucket (the connection ARN
	// does not say). Only GitHub repositories get pull-request checks. Default: GitHub.
	Provider string `json:"provider,omitempty"`
}

// Providers of a CodeConnections connection that the pipeline can build from.
const (
	ProviderGitHub    = "GitHub"
	ProviderGitLab    = "GitLab"
	ProviderBitbucket = "Bitbucket"
)

// ChecksPullRequests reports whether the platform gets a pull-request project for this
// source: CodeCommit repositories and GitHub connections do; GitLab and Bitbucket connections
// get the pipeline only.
func (s Source) ChecksPullRequests() bool {
	return s.CodeCommit != nil || (s.CodeConnections != nil && s.CodeConnections.Provider == ProviderGitHub)
}

// CodeCommitSource is a CodeCommit repository in the tooling account.
type CodeCommitSource struct {
	Repository string `json:"repository"`
}

// DNS is an environment's public hosted zone, in the environment's account (CloudFormation
// can only write records and validate certificates in a zone of the account it deploys to).
// The site is served at DomainName itself, the API at api.<DomainName>, and CloudFront reaches
// the regions at origin.<DomainName> (failover) and <region>.origin.<DomainName>.
type DNS struct {
	// DomainName is the zone's name, e.g. example.com or staging.example.com.
	DomainName   string `json:"domainName"`
	HostedZoneID string `json:"hostedZoneId"`
}

// CloudFront price classes: which edge locations serve the distribution.
const (
	PriceClass100 = "PriceClass_100" // North America, Europe, Israel
	PriceClass200 = "PriceClass_200" // and most of Asia, Africa and the Middle East
	PriceClassAll = "PriceClass_All" // every edge location
)

// Edge configures an environment's global front door: CloudFront with WAF, and Global
// Accelerator. Every field has a default.
type Edge struct {
	// PriceClass is PriceClass_100, PriceClass_200 or PriceClass_All. Default: PriceClass_100.
	PriceClass string `json:"priceClass,omitempty"`
	// RateLimit is how many requests one client IP may send in any 5 minutes before WAF
	// blocks it, 100 to 2000000000. Default: 2000.
	RateLimit int `json:"rateLimit,omitempty"`
	// StaticPaths are CloudFront path patterns served from cache (everything else reaches the
	// service uncached). Default: ["/static/*"].
	StaticPaths []string `json:"staticPaths,omitempty"`
	// CacheBehaviorQuota is the account's quota of cache behaviors per CloudFront distribution,
	// for an account that had it raised: the static paths and one health path per region must
	// fit in it. Default: 75, CloudFront's default quota.
	CacheBehaviorQuota int `json:"cacheBehaviorQuota,omitempty"`
	// Accelerator configures Global Accelerator's endpoint groups.
	Accelerator Accelerator `json:"accelerator,omitempty"`
}

// Accelerator configures how Global Accelerator checks and weighs the regions.
type Accelerator struct {
	// HealthCheckIntervalSeconds is 10 or 30. Default: 30.
	HealthCheckIntervalSeconds int `json:"healthCheckIntervalSeconds,omitempty"`
	// HealthCheckThreshold is how many checks in a row change a region's health, 1 to 10.
	// Default: 3.
	HealthCheckThreshold int `json:"healthCheckThreshold,omitempty"`
}

// Environment is one deployment stage of the platform (staging, prod, ...) in one account.
type Environment struct {
	Name    string `json:"name"`
	Account string `json:"account"`
	// Regions are ordered: the first is the primary (database writer, global resources' home).
	Regions []Region `json:"regions"`
	Sizing  Sizing   `json:"sizing,omitempty"`
	// Deployment is how a new service version reaches production traffic.
	Deployment Deployment `json:"deployment,omitempty"`
	// Database configures the environment's Aurora database: a global database, or a regional
	// cluster (footprint.globalDatabase).
	Database Database `json:"database,omitempty"`
	// TerminationProtection guards the stateful (data) stacks against deletion. Default: true.
	TerminationProtection *bool `json:"terminationProtection,omitempty"`
	// DNS, when set, gives the environment its names, certificates and Route 53 failover.
	// Without it the environment is reached by its generated CloudFront and Global
	// Accelerator names, and CloudFront's origin group alone fails over.
	DNS *DNS `json:"dns,omitempty"`
	// Edge configures CloudFront, WAF and Global Accelerator.
	Edge Edge `json:"edge,omitempty"`
	// Events configures the event tier (bus, queues, stream, delivery into the lake).
	Events Events `json:"events,omitempty"`
	// InterRegionPeering connects the VPCs of every two of the environment's regions with a
	// VPC peering connection, which is how a region's service reaches the database writer in
	// whichever region it is. Peering has no hourly cost. Default: true.
	InterRegionPeering *bool `json:"interRegionPeering,omitempty"`
	// Monitoring configures the alarms, dashboards, logs and metric store.
	Monitoring Monitoring `json:"monitoring,omitempty"`
	// ObserverRegion is where the environment is watched from outside: a region that runs none
	// of its workload, with a canary calling the site, the API and every region's health route.
	// Default: us-west-2 (the accelerator's region, so already bootstrapped and baselined), or
	// us-east-1 when the environment runs in us-west-2; required when it runs in both.
	ObserverRegion string `json:"observerRegion,omitempty"`
	// Recovery states the recovery objectives that Resilience Hub assesses and the Region
	// switch plans aim for.
	Recovery Recovery `json:"recovery,omitempty"`
	// ManualApproval makes the pipeline wait for a person (after a permissions-broadening
	// check) before deploying the environment. Default: false for the first environment,
	// true for every later one.
	ManualApproval *bool `json:"manualApproval,omitempty"`
	// Backup configures the AWS Backup plans, vaults and cross-region copies of every region.
	Backup Backup `json:"backup,omitempty"`
	// Drills configures the fault-injection (AWS FIS) experiment templates of every region.
	Drills Drills `json:"drills,omitempty"`
	// Footprint leaves out optional parts of the environment (the edge, the accelerator, the
	// observer, the recovery stack, the drills, the global database).
	Footprint Footprint `json:"footprint,omitempty"`
	// Budget is the environment's AWS Budgets cost budget and its alerts.
	Budget Budget `json:"budget,omitempty"`
}

// Region is the environment's footprint in one AWS region.
type Region struct {
	Region string `json:"region"`
	// CIDR of the region's VPC: private (RFC 1918), /16 to /20, and disjoint from every other
	// VPC of the platform.
	CIDR string `json:"cidr"`
	// AvailabilityZones are the three AZs the VPC spans. Default: the region's first three.
	AvailabilityZones []string `json:"availabilityZones,omitempty"`
	// ExtraAvailabilityZones are zones of the region the platform's table does not list (a
	// zone AWS opened since, or one only older accounts have), so availabilityZones may name them.
	ExtraAvailabilityZones []string `json:"extraAvailabilityZones,omitempty"`
	// NatGateways is how many NAT gateways the VPC has, 1 to 3. Default: one per AZ.
	NatGateways int `json:"natGateways,omitempty"`
	// TrafficDialPercent is the share of the region's Global Accelerator traffic it takes,
	// 0 to 100 (0 drains it, e.g. for maintenance). Default: 100.
	TrafficDialPercent *int `json:"trafficDialPercent,omitempty"`
	// CloudFrontPrefixListID is the ID of the managed prefix list
	// com.amazonaws.global.cloudfront.origin-facing in this region. The platform knows it for
	// most regions; set it for the others.
	CloudFrontPrefixListID string `json:"cloudFrontPrefixListId,omitempty"`
}

// Sizing is how big the environment's service and database are. Every field has a default.
type Sizing struct {
	// TaskCPU is the Fargate task's CPU units (256 = 0.25 vCPU). Default: 512.
	TaskCPU int `json:"taskCpu,omitempty"`
	// TaskMemoryMiB must be a valid Fargate pairing with TaskCPU. Default: 1024.
	TaskMemoryMiB int `json:"taskMemoryMiB,omitempty"`
	// MinCapacity and MaxCapacity bound autoscaling, which owns the running task count: a
	// deployment never resets it. Default: 2 and 6.
	MinCapacity int `json:"minCapacity,omitempty"`
	MaxCapacity int `json:"maxCapacity,omitempty"`
	// DBInstanceClass is the Aurora instance class, e.g. db.r7g.large (Graviton). Default: db.r7g.large.
	DBInstanceClass string `json:"dbInstanceClass,omitempty"`
	// DBInstances is the number of Aurora instances per region (writer + readers in the
	// primary). Default: 2.
	DBInstances int `json:"dbInstances,omitempty"`
	// BackupRetentionDays is how long automated database backups are kept, 1 to 35. Default: 7.
	BackupRetentionDays int `json:"backupRetentionDays,omitempty"`
}

// Service describes the application container. Every field has a default: the service in
// api/, and a public image that runs until the pipeline has published the first release, so a
// platform synthesizes and deploys before its own image exists.
type Service struct {
	// Name names the image repository, ECS service and Service Connect endpoint. Default: api.
	Name string `json:"name,omitempty"`
	// Dockerfile builds the image the pipeline ships, relative to the repository root; its
	// directory is the build context. Default: api/Dockerfile.
	Dockerfile string `json:"dockerfile,omitempty"`
	// ScanThreshold is the least severity of a vulnerability found by the image scan that stops
	// the pipeline before any environment deploys: CRITICAL, HIGH, MEDIUM or LOW.
	// Default: CRITICAL.
	ScanThreshold string `json:"scanThreshold,omitempty"`
	// ReleaseDigest pins the image the pipeline deploys (sha256:<64 hex digits>, an image still
	// in the platform's repositories) instead of the one it builds: how a release is rolled back
	// through the pipeline and its approval. Default: none, deploy what the commit builds.
	ReleaseDigest string `json:"releaseDigest,omitempty"`
	// KeepDeployedImages is how many images that environments were deployed with each
	// repository keeps for rollbacks. Default: 30.
	KeepDeployedImages int `json:"keepDeployedImages,omitempty"`
	// BootstrapImage is the public image the service runs while no release is given (a
	// synthesis outside the pipeline, without ReleaseDigest): it must listen on ContainerPort and
	// answer HealthCheckPath. Default: public.ecr.aws/nginx/nginx-unprivileged:stable-alpine.
	BootstrapImage string `json:"bootstrapImage,omitempty"`
	// ContainerPort the application listens on. Default: 8080 (the image runs as a non-root
	// user, which cannot bind ports below 1024).
	ContainerPort int `json:"containerPort,omitempty"`
	// HealthCheckPath answers 200 when a task can take traffic, without touching what it
	// depends on. Default: /.
	HealthCheckPath string `json:"healthCheckPath,omitempty"`
	// RegionCheckPath, when set, is a route that answers 200 only while the dependencies of the
	// task's own region work, reading nothing of another region (the shipped service's
	// /ready/region: its reader and table replica, not the writer); each region's canary calls
	// it after the health path. Default: none (the bootstrap image serves only /).
	RegionCheckPath string `json:"regionCheckPath,omitempty"`
	// ImageDigest is the release the pipeline built for this run, from the imageDigest
	// context value (SetImageDigest); not a config field.
	ImageDigest string `json:"-"`
}

// Digest is the release every region runs: the pipeline's build, else the pinned release,
// else none (the bootstrap image).
func (s Service) Digest() string {
	if s.ImageDigest != "" {
		return s.ImageDigest
	}
	return s.ReleaseDigest
}

// Scan severities, least to most severe.
var ScanSeverities = []string{"LOW", "MEDIUM", "HIGH", "CRITICAL"}

// Deployment strategies: ECS-native blue/green variants that differ in how traffic moves to
// the new version once it is healthy.
const (
	StrategyBlueGreen = "blue-green" // all at once, after the bake time
	StrategyLinear    = "linear"     // in equal steps
	StrategyCanary    = "canary"     // one step, then the rest
)

// Deployment configures the service's blue/green deployments.
type Deployment struct {
	// Strategy is blue-green, linear or canary. Default: blue-green.
	Strategy string `json:"strategy,omitempty"`
	// BakeTimeMinutes is how long the new version serves all traffic, with the old one kept
	// ready for rollback, before the deployment completes. Default: 10.
	BakeTimeMinutes int `json:"bakeTimeMinutes,omitempty"`
	// StepPercent is the traffic share of each linear step or of the canary. Default: 10.
	StepPercent int `json:"stepPercent,omitempty"`
	// StepMinutes is the wait after each linear step or after the canary. Default: 5.
	StepMinutes int `json:"stepMinutes,omitempty"`
}

// Database configures the Aurora PostgreSQL global database; its size is in Sizing.
type Database struct {
	// EngineVersion is the Aurora PostgreSQL version every region runs, major.minor, one that
	// Aurora global databases support. Default: 16.6.
	EngineVersion string `json:"engineVersion,omitempty"`
	// MasterUsername is the primary cluster's master user, set when the cluster is created
	// (a change replaces the cluster: keep the name an existing cluster was made with): 1 to 63
	// letters, digits and underscores, starting with a letter. The engine's default, postgres,
	// is what Control Tower's CT.RDS.PR.21 refuses. Default: platform_admin. A platform deployed
	// before this default existed was created with postgres and must set "postgres" here; make
	// preflight says so (its "master user of" check compares with the existing cluster).
	MasterUsername string `json:"masterUsername,omitempty"`
	// MonitoringIntervalSeconds is how often RDS Enhanced Monitoring samples each instance's
	// operating system: 1, 5, 10, 15, 30 or 60 (Control Tower's CT.RDS.PR.2 asks for it). Default: 60.
	MonitoringIntervalSeconds int `json:"monitoringIntervalSeconds,omitempty"`
}

// EngineMajorVersion is the major part of EngineVersion ("16" of "16.6").
func (d Database) EngineMajorVersion() string {
	major, _, _ := strings.Cut(d.EngineVersion, ".")
	return major
}

// Primary is the environment's primary region.
func (e Environment) Primary() Region { return e.Regions[0] }

// Secondaries are the environment's regions after the primary, in config order.
func (e Environment) Secondaries() []Region { return e.Regions[1:] }

// NeedsApproval reports whether the pipeline waits for a person before deploying env.
func (e Environment) NeedsApproval() bool { return e.ManualApproval != nil && *e.ManualApproval }

// PeersRegions reports whether env's regions are connected by VPC peering, wherever there is
// more than one region (Load sets InterRegionPeering, on by default).
func (e Environment) PeersRegions() bool {
	return len(e.Regions) > 1 && e.InterRegionPeering != nil && *e.InterRegionPeering
}

// Protected reports whether the environment's stateful stacks get termination protection (Load
// sets TerminationProtection, on by default).
func (e Environment) Protected() bool {
	return e.TerminationProtection != nil && *e.TerminationProtection
}

// Package limits holds the limits AWS sets that the platform must stay within (retention periods,
// bake times, name lengths, quotas), each with the API or resource property that sets it:
// lib/config checks a config against them, the constructs in lib/ check their props against
// them, and stacks/ fits names into them, so each is stated once. It imports nothing, for
// lib/config and lib/plan.
package limits

// Retention periods.
const (
	// SQSMaxRetentionDays is the longest an SQS queue keeps a message (MessageRetentionPeriod:
	// 60 seconds to 14 days).
	SQSMaxRetentionDays = 14
	// AuroraMaxBackupRetentionDays is the longest Aurora keeps automated backups
	// (BackupRetentionPeriod: 1 to 35 days).
	AuroraMaxBackupRetentionDays = 35
	// SyntheticsMaxRetentionDays is the longest Synthetics keeps a canary's runs
	// (CreateCanary: SuccessRetentionPeriodInDays, FailureRetentionPeriodInDays: 1 to 455).
	SyntheticsMaxRetentionDays = 455
	// LogsMaxRetentionDays is CloudWatch Logs' longest retention period short of never
	// expiring (PutRetentionPolicy: up to 3653 days).
	LogsMaxRetentionDays = 3653
	// OpenSearchServerlessMaxRetentionDays is the longest MinIndexRetention of an OpenSearch
	// Serverless lifecycle policy (24 hours to 3650 days).
	OpenSearchServerlessMaxRetentionDays = 3650
	// VaultLockMaxRetentionDays is the longest retention AWS Backup Vault Lock accepts
	// (MaxRetentionDays: up to 36500 days).
	VaultLockMaxRetentionDays = 36500
)

// Durations.
const (
	// ECSMaxBakeMinutes is the longest an ECS deployment bakes or waits between steps
	// (DeploymentConfiguration: bakeTimeInMinutes, stepBakeTimeInMinutes: 0 to 1440).
	ECSMaxBakeMinutes = 1440
	// FISMaxActionMinutes is the longest an AWS FIS action runs (12 hours).
	FISMaxActionMinutes = 720
)

// Quotas.
const (
	// AuroraMaxInstances is the most instances of an Aurora cluster: one writer and up to 15
	// readers.
	AuroraMaxInstances = 16
	// CloudFrontCacheBehaviors is the default quota of cache behaviors per distribution, the
	// default behavior not counted ("Cache behaviors per distribution: 75", adjustable; CloudFront
	// Developer Guide, Quotas, read 2026-12-04).
	CloudFrontCacheBehaviors = 75
	// CodePipelineMaxStages is the most stages a pipeline holds ("Quotas in AWS CodePipeline": 50).
	CodePipelineMaxStages = 50
	// IAMManagedPolicyChars is the most characters of a customer managed policy document,
	// whitespace not counted ("IAM and AWS STS quotas": managed policy size, 6,144 characters).
	IAMManagedPolicyChars = 6144
	// IAMManagedPoliciesPerRole is the default quota of managed policies attached to one role
	// ("IAM and AWS STS quotas": 10, adjustable up to 20): the CloudFormation execution role
	// takes that many execution policies at most.
	IAMManagedPoliciesPerRole = 10
	// BudgetMaxNotifications is the most notifications of a budget, each with one SNS subscriber
	// (AWS::Budgets::Budget NotificationsWithSubscribers: up to five).
	BudgetMaxNotifications = 5
)

// Name lengths.
const (
	// BudgetNameLength is the longest budget name (AWS::Budgets::Budget BudgetData BudgetName:
	// up to 100 characters, no ':' or '\', unique in the account).
	BudgetNameLength = 100
	// EventArchiveNameLength is the longest name of an EventBridge archive (AWS::Events::Archive
	// ArchiveName: 1 to 48 characters).
	EventArchiveNameLength = 48
	// OpenSearchServerlessNameLength is the longest OpenSearch Serverless collection name
	// (AWS::OpenSearchServerless::Collection Name: 3 to 28 characters).
	OpenSearchServerlessNameLength = 28
	// AcceleratorNameLength is the longest name Global Accelerator accepts (CreateAccelerator
	// Name: up to 64 characters).
	AcceleratorNameLength = 64
	// RegionSwitchPlanNameLength is the longest Region switch plan name
	// (AWS::ARCRegionSwitch::Plan Name: 1 to 32 characters).
	RegionSwitchPlanNameLength = 32
)

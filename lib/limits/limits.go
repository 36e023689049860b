// Package limits holds the limits AWS sets that the platform must stay within (retention periods,
// name lengths, quotas), each with the API or resource property that sets it: lib/config checks a
// config against them and the constructs in lib/ check their props, so a limit is stated once.
// It imports nothing of CDK's, for lib/config and lib/plan.
package limits

const (
	// SQSMaxRetentionDays is the longest an SQS queue keeps a message (MessageRetentionPeriod:
	// 60 seconds to 14 days).
	SQSMaxRetentionDays = 14
	// EventArchiveNameLength is the longest name of an EventBridge archive (AWS::Events::Archive
	// ArchiveName: 1 to 48 characters).
	EventArchiveNameLength = 48
)

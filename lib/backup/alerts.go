package backup

import (
	"github.com/aws/aws-cdk-go/awscdk/v2/awsevents"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/example/platform/lib/alerts"
)

// FailedJobStates are the job states that mean a backup or its copy did not happen ("Monitoring
// AWS Backup events using Amazon EventBridge": Backup Job and Copy Job State Change events).
var FailedJobStates = []string{"FAILED", "ABORTED", "EXPIRED"}

// JobAlertsProps configures the alert on failed backup and copy jobs. Topic is required.
type JobAlertsProps struct {
	// Topic is the region's alert topic; its Publishers must include EventBridge.
	Topic awssns.ITopic
}

// NewJobAlerts tells the topic when a backup or a copy to another region fails in this account
// and region: a first copy can meet a destination vault that its stack has not created yet,
// and nothing else would say so. AWS Backup emits these events in the job's region, best
// effort, within about five minutes. The rule matches every vault of the account-region: the
// guide's example events do not document the field that names a copy job's vault, and a
// filter on a field that is not there would silence the alert.
func NewJobAlerts(scope constructs.Construct, id string, p JobAlertsProps) awsevents.Rule {
	return alerts.NewEventAlert(scope, id, "backup.NewJobAlerts", alerts.EventsProps{
		Topic:       p.Topic,
		Description: "Backup and copy jobs of this account and region that failed",
		Pattern: &awsevents.EventPattern{
			Source:     jsii.Strings("aws.backup"),
			DetailType: jsii.Strings("Backup Job State Change", "Copy Job State Change"),
			Detail:     &map[string]any{"state": FailedJobStates},
		},
	})
}

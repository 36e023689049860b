package recovery

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatchactions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/example/platform/lib/props"
)

// WriterGateProps configures a WriterGate. Every field is required.
type WriterGateProps struct {
	// AlarmName is the alarm's name, which a Route 53 health check names (with the region).
	AlarmName string
	// ClusterIdentifier is the region's Aurora cluster, a member of the global database.
	ClusterIdentifier string
	// Topic hears the alarm fire and recover: the site's traffic moved away or came back.
	Topic awssns.ITopic
}

// WriterGate is an alarm that is in ALARM while the region's Aurora cluster is a secondary of
// the global database: Aurora reports AuroraGlobalDBReplicationLag for secondary clusters only,
// so the alarm fires when the region stops holding the writer (a switchover or failover moved
// it, or the cluster rejoined as a secondary after a failover) and recovers when the writer
// comes back. A Route 53 health check on it (lib/edge's Domain.PrimaryGate) keeps the site's
// origin away from the primary region while the writer is elsewhere: the site's traffic follows
// the Region switch plan's database step on Route 53's data plane, in an unplanned execution too.
type WriterGate struct {
	constructs.Construct
	Alarm awscloudwatch.Alarm
}

func (p WriterGateProps) check(scope constructs.Construct, id string) {
	c := props.Check(scope, id, "recovery.NewWriterGate")
	c.Require("Props.AlarmName", p.AlarmName != "", "name the alarm, such as acme-prod-us-east-1-writer-elsewhere")
	c.Require("Props.ClusterIdentifier", p.ClusterIdentifier != "", "give the region's Aurora cluster identifier")
	c.Require("Props.Topic", p.Topic != nil, "give the region's alert topic")
	c.Done()
}

// NewWriterGate builds the alarm.
func NewWriterGate(scope constructs.Construct, id string, p WriterGateProps) *WriterGate {
	p.check(scope, id)
	c := constructs.NewConstruct(scope, jsii.String(id))
	alarm := awscloudwatch.NewAlarm(c, jsii.String("Alarm"), &awscloudwatch.AlarmProps{
		AlarmName: jsii.String(p.AlarmName),
		AlarmDescription: jsii.String("The region's database is a secondary of the global database: the writer is in another region, " +
			"and the site's origin has left this region until the writer returns"),
		// Route 53 takes standard-resolution alarms on Average, Minimum, Maximum, Sum or
		// SampleCount (AWS::Route53::HealthCheck AlarmIdentifier): a sample at all is the signal.
		Metric: awscloudwatch.NewMetric(&awscloudwatch.MetricProps{
			Namespace:     jsii.String("AWS/RDS"),
			MetricName:    jsii.String("AuroraGlobalDBReplicationLag"),
			DimensionsMap: &map[string]*string{"DBClusterIdentifier": jsii.String(p.ClusterIdentifier)},
			Statistic:     jsii.String("SampleCount"),
			Period:        awscdk.Duration_Minutes(jsii.Number(1)),
		}),
		Threshold:          jsii.Number(1),
		ComparisonOperator: awscloudwatch.ComparisonOperator_GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
		// Two minutes of reports: one late datapoint during a switchover does not move traffic.
		EvaluationPeriods: jsii.Number(2),
		DatapointsToAlarm: jsii.Number(2),
		// No report is the writer's normal state.
		TreatMissingData: awscloudwatch.TreatMissingData_NOT_BREACHING,
	})
	alarm.AddAlarmAction(awscloudwatchactions.NewSnsAction(p.Topic))
	alarm.AddOkAction(awscloudwatchactions.NewSnsAction(p.Topic))
	return &WriterGate{Construct: c, Alarm: alarm}
}

package edge

import (
	"encoding/json"
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudfront"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatchactions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsroute53"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/example/platform/lib/alarmnames"
)

// newHealthRewrite is a CloudFront function that turns a region's health route into the
// service's own health path, so a check through the distribution reaches one region's tasks
// exactly as users' requests do: WAF, origin header, production listener rule, live target group.
func newHealthRewrite(scope constructs.Construct, healthCheckPath string) awscloudfront.Function {
	path, _ := json.Marshal(healthCheckPath)
	return awscloudfront.NewFunction(scope, jsii.String("HealthRewrite"), &awscloudfront.FunctionProps{
		Comment: jsii.String("Rewrites a region's health route to the service's health path"),
		Runtime: awscloudfront.FunctionRuntime_JS_2_0(),
		Code: awscloudfront.FunctionCode_FromInline(jsii.String(fmt.Sprintf(
			"function handler(event) {\n  var request = event.request;\n  request.uri = %s;\n  request.querystring = {};\n  return request;\n}\n", path))),
	})
}

// newHealthCheck checks one region through the distribution every 30 seconds from Route 53's
// checkers, and alarms when it fails. A check straight at the load balancer would be refused:
// it admits only CloudFront, and only with the origin header.
func newHealthCheck(scope constructs.Construct, region string, host *string, path string, topic awssns.ITopic, alarmName string) (awsroute53.HealthCheck, awscloudwatch.Alarm) {
	check := awsroute53.NewHealthCheck(scope, jsii.String("Health-"+region), &awsroute53.HealthCheckProps{
		Type:             awsroute53.HealthCheckType_HTTPS,
		Fqdn:             host,
		Port:             jsii.Number(443),
		ResourcePath:     jsii.String(path),
		EnableSNI:        jsii.Bool(true),
		RequestInterval:  awscdk.Duration_Seconds(jsii.Number(30)),
		FailureThreshold: jsii.Number(3),
	})
	alarm := awscloudwatch.NewAlarm(scope, jsii.String("Health-"+region+"-Alarm"), &awscloudwatch.AlarmProps{
		AlarmName:        jsii.String(alarmName),
		AlarmDescription: jsii.String(fmt.Sprintf("%s fails its health check through CloudFront: traffic is failing over away from it", region)),
		Metric: awscloudwatch.NewMetric(&awscloudwatch.MetricProps{
			Namespace:     jsii.String("AWS/Route53"),
			MetricName:    jsii.String("HealthCheckStatus"),
			DimensionsMap: &map[string]*string{"HealthCheckId": check.HealthCheckId()},
			Period:        awscdk.Duration_Minutes(jsii.Number(1)),
			Statistic:     jsii.String("Minimum"),
		}),
		Threshold:          jsii.Number(1),
		EvaluationPeriods:  jsii.Number(2),
		ComparisonOperator: awscloudwatch.ComparisonOperator_LESS_THAN_THRESHOLD,
		// A new check has no data until Route 53's checkers report: that is not an outage, and
		// paging for it on every first deployment teaches people to ignore the alarm.
		TreatMissingData: awscloudwatch.TreatMissingData_MISSING,
	})
	alarm.AddAlarmAction(awscloudwatchactions.NewSnsAction(topic))
	alarm.AddOkAction(awscloudwatchactions.NewSnsAction(topic))
	return check, alarm
}

// HealthAlarmName names the alarm on region's health check, for the edge whose
// Props.AlarmPrefix is prefix.
func HealthAlarmName(prefix, region string) string {
	return prefix + "-" + region + alarmnames.HealthCheck
}

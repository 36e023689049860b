package service

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	elbv2 "github.com/aws/aws-cdk-go/awscdk/v2/awselasticloadbalancingv2"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// RollbackErrorsAlarmName and RollbackUnhealthyAlarmName name the rollback alarms of the
// service whose Props.AlarmPrefix is prefix.
func RollbackErrorsAlarmName(prefix string) string    { return prefix + "-rollback-5xx" }
func RollbackUnhealthyAlarmName(prefix string) string { return prefix + "-rollback-unhealthy-tasks" }

// newRollbackAlarms creates the alarms that roll a deployment back: server errors from the
// tasks behind any load balancer, and unhealthy tasks in any target group (the new version is
// in whichever ones the rules are not on). It returns their names for the service's deployment
// configuration.
func newRollbackAlarms(scope constructs.Construct, prefix string, s *Service) []*string {
	minute := awscdk.Duration_Minutes(jsii.Number(1))
	errorMetrics := map[string]awscloudwatch.IMetric{}
	unhealthyMetrics := map[string]awscloudwatch.IMetric{}
	for i, in := range s.Ingresses() {
		errorMetrics[fmt.Sprintf("errors%d", i)] = in.LoadBalancer.Metrics().HttpCodeTarget(elbv2.HttpCodeTarget_TARGET_5XX_COUNT,
			&awscloudwatch.MetricOptions{Period: minute, Statistic: jsii.String("Sum")})
		unhealthyMetrics[fmt.Sprintf("blue%d", i)] = in.Blue.Metrics().UnhealthyHostCount(&awscloudwatch.MetricOptions{Period: minute, Statistic: jsii.String("Maximum")})
		unhealthyMetrics[fmt.Sprintf("green%d", i)] = in.Green.Metrics().UnhealthyHostCount(&awscloudwatch.MetricOptions{Period: minute, Statistic: jsii.String("Maximum")})
	}
	errors := awscloudwatch.NewAlarm(scope, jsii.String("Target5xxAlarm"), &awscloudwatch.AlarmProps{
		AlarmName:        jsii.String(RollbackErrorsAlarmName(prefix)),
		AlarmDescription: jsii.String("Tasks answer with 5xx: a deployment in progress rolls back"),
		Metric: awscloudwatch.NewMathExpression(&awscloudwatch.MathExpressionProps{
			Expression: jsii.String("SUM(METRICS(\"errors\"))"), UsingMetrics: &errorMetrics, Period: minute,
		}),
		Threshold:          jsii.Number(10),
		EvaluationPeriods:  jsii.Number(2),
		DatapointsToAlarm:  jsii.Number(2),
		ComparisonOperator: awscloudwatch.ComparisonOperator_GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
		TreatMissingData:   awscloudwatch.TreatMissingData_NOT_BREACHING,
	})
	unhealthy := awscloudwatch.NewAlarm(scope, jsii.String("UnhealthyTargetsAlarm"), &awscloudwatch.AlarmProps{
		AlarmName:        jsii.String(RollbackUnhealthyAlarmName(prefix)),
		AlarmDescription: jsii.String("Tasks fail load balancer health checks: a deployment in progress rolls back"),
		Metric: awscloudwatch.NewMathExpression(&awscloudwatch.MathExpressionProps{
			Expression: jsii.String("MAX(METRICS())"), UsingMetrics: &unhealthyMetrics, Period: minute,
		}),
		Threshold:          jsii.Number(1),
		EvaluationPeriods:  jsii.Number(3),
		DatapointsToAlarm:  jsii.Number(3),
		ComparisonOperator: awscloudwatch.ComparisonOperator_GREATER_THAN_OR_EQUAL_TO_THRESHOLD,
		TreatMissingData:   awscloudwatch.TreatMissingData_NOT_BREACHING,
	})
	s.RollbackAlarms = []awscloudwatch.Alarm{errors, unhealthy}
	return []*string{errors.AlarmName(), unhealthy.AlarmName()}
}

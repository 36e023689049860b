package service

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsecs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/jsii-runtime-go"
)

// collectorConfig is the ADOT collector's pipeline: the application's OpenTelemetry traces go
// to X-Ray and, with a metrics store, its metrics to Prometheus through remote write, signed
// with the task role (sigv4auth). %[1]s is the remote write URL, %[2]s the region.
const collectorConfig = `extensions:
  sigv4auth:
    region: %[2]s
    service: aps
receivers:
  otlp:
    protocols:
      grpc:
        endpoint: 0.0.0.0:4317
      http:
        endpoint: 0.0.0.0:4318
processors:
  batch/traces:
    timeout: 1s
    send_batch_size: 50
  batch/metrics:
    timeout: 60s
exporters:
  awsxray:
    region: %[2]s
  prometheusremotewrite:
    endpoint: %[1]s
    auth:
      authenticator: sigv4auth
    resource_to_telemetry_conversion:
      enabled: true
service:
  extensions: [sigv4auth]
  pipelines:
    traces:
      receivers: [otlp]
      processors: [batch/traces]
      exporters: [awsxray]
    metrics:
      receivers: [otlp]
      processors: [batch/metrics]
      exporters: [prometheusremotewrite]
`

// AppUser is the application container's user: the non-root user api/Dockerfile's image runs as.
const AppUser = "65532:65532"

// CollectorUser is the ADOT collector's user, a non-root UID its image (built FROM scratch,
// world-readable files) runs under.
const CollectorUser = "10001"

// collectorMemoryMiB is the collector's hard memory limit; the application container may use
// the rest of the task's memory.
const collectorMemoryMiB = 256

// CollectorConfigVariable is the collector's environment variable that carries its whole
// configuration (ADOT reads it instead of a file).
const CollectorConfigVariable = "AOT_CONFIG_CONTENT"

// addCollector adds the ADOT collector beside the application. Without a metrics store it runs
// the image's own X-Ray configuration; with one, the configuration above, and the task role
// may write to the store.
func addCollector(task awsecs.FargateTaskDefinition, props Props, logs awslogs.ILogGroup) {
	options := &awsecs.ContainerDefinitionOptions{
		Image: awsecs.ContainerImage_FromRegistry(jsii.String(adotImage), nil),
		// Telemetry must never take the service down.
		Essential:              jsii.Bool(false),
		ReadonlyRootFilesystem: jsii.Bool(true),
		MemoryReservationMiB:   jsii.Number(64),
		// A hard limit (CT.ECS.PR.7), which the application's limit leaves room for.
		MemoryLimitMiB: jsii.Number(collectorMemoryMiB),
		// The image sets no user, so it would run as root (CT.ECS.PR.3); it only reads its files.
		User:    jsii.String(CollectorUser),
		Logging: awsecs.LogDriver_AwsLogs(&awsecs.AwsLogDriverProps{LogGroup: logs, StreamPrefix: jsii.String("adot")}),
	}
	if props.Metrics == nil {
		options.Command = jsii.Strings("--config=/etc/ecs/ecs-xray.yaml")
	} else {
		region := *awscdk.Stack_Of(task).Region()
		options.Environment = &map[string]*string{
			CollectorConfigVariable: jsii.String(fmt.Sprintf(collectorConfig, *props.Metrics.RemoteWriteURL, region)),
		}
		task.AddToTaskRolePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Actions: jsii.Strings("aps:RemoteWrite"), Resources: &[]*string{props.Metrics.Arn},
		}))
	}
	task.AddContainer(jsii.String("adot-collector"), options)
}

// OutboxLagField is the field of the service's JSON log line that reports its outbox's lag in
// seconds (api/background.go logs it each minute).
const OutboxLagField = "outboxLagSeconds"

// OutboxMetricNamespace is the namespace of the metrics extracted from the service's logs of
// the region and environment whose alarm prefix is prefix: a metric, and so the alarm on it,
// reads only its own region's tasks.
func OutboxMetricNamespace(prefix string) string { return "Platform/" + prefix }

// outboxLagMetric extracts the outbox lag from the service's log lines (a metric filter): the
// collector's metrics go to Prometheus, which CloudWatch alarms cannot read.
func outboxLagMetric(logs awslogs.LogGroup, prefix string) awscloudwatch.Metric {
	m := logs.ExtractMetric(jsii.String("$."+OutboxLagField), jsii.String(OutboxMetricNamespace(prefix)), jsii.String("OutboxLagSeconds"))
	return m.With(&awscloudwatch.MetricOptions{Statistic: jsii.String("Maximum"), Period: awscdk.Duration_Minutes(jsii.Number(1))})
}

package constructs_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"

	"github.com/example/platform/lib/service"
	"github.com/example/platform/test/constructkit"
)

// The application sends OTLP/HTTP to the sidecar and samples at the sampling rule's rate.
func TestService_ApplicationSendsOTLPOverHTTPAtTheSamplingRulesRate(t *testing.T) {
	template := serviceSynth(t, func(p *service.Props) { p.TraceSampleRate = 0.25 })
	constructkit.Assert(t, func() {
		template.HasResourceProperties(jsii.String("AWS::ECS::TaskDefinition"), map[string]any{
			"ContainerDefinitions": assertions.Match_ArrayWith(&[]any{assertions.Match_ObjectLike(&map[string]any{
				"Environment": assertions.Match_ArrayWith(&[]any{
					map[string]any{"Name": "OTEL_EXPORTER_OTLP_ENDPOINT", "Value": "http://localhost:4318"},
					map[string]any{"Name": "OTEL_EXPORTER_OTLP_PROTOCOL", "Value": "http/protobuf"},
					map[string]any{"Name": "OTEL_TRACES_SAMPLER", "Value": "parentbased_traceidratio"},
					map[string]any{"Name": "OTEL_TRACES_SAMPLER_ARG", "Value": "0.25"},
				}),
			})}),
		})
		template.HasResourceProperties(jsii.String("AWS::XRay::SamplingRule"), map[string]any{
			"SamplingRule": assertions.Match_ObjectLike(&map[string]any{"FixedRate": 0.25}),
		})
	})
}

// The outbox's lag is extracted from the tasks' log lines into a namespace of the region and
// environment's own (the alarm prefix), so an alarm on it reads this region's tasks only.
func TestService_ExtractsTheOutboxLagFromItsLogsInTheRegionsNamespace(t *testing.T) {
	template := serviceSynth(t, nil)
	constructkit.Assert(t, func() {
		template.HasResourceProperties(jsii.String("AWS::Logs::MetricFilter"), map[string]any{
			"FilterPattern": "{ $." + service.OutboxLagField + " = \"*\" }",
			"MetricTransformations": []any{map[string]any{
				"MetricNamespace": service.OutboxMetricNamespace("acme-prod-eu-west-1"),
				"MetricName":      "OutboxLagSeconds",
				"MetricValue":     "$." + service.OutboxLagField,
			}},
		})
	})
}

// Without a metrics store the collector has no metrics pipeline: the service exports no
// metrics there (OTEL_METRICS_EXPORTER=none), and does where the region has one.
func TestService_ExportsMetricsOnlyWhereTheRegionHasAMetricsStore(t *testing.T) {
	none := map[string]any{"Name": "OTEL_METRICS_EXPORTER", "Value": "none"}
	withoutStore := serviceSynth(t, nil)
	constructkit.Assert(t, func() {
		withoutStore.HasResourceProperties(jsii.String("AWS::ECS::TaskDefinition"), map[string]any{
			"ContainerDefinitions": assertions.Match_ArrayWith(&[]any{assertions.Match_ObjectLike(&map[string]any{
				"Environment": assertions.Match_ArrayWith(&[]any{none}),
			})}),
		})
	})
	withStore := serviceSynth(t, func(p *service.Props) {
		p.Metrics = &service.MetricsStore{Arn: jsii.String("arn:aws:aps:eu-west-1:111111111111:workspace/ws-1"),
			RemoteWriteURL: jsii.String("https://aps-workspaces.eu-west-1.amazonaws.com/workspaces/ws-1/api/v1/remote_write")}
	})
	var tasks *map[string]*map[string]any
	constructkit.Assert(t, func() { tasks = withStore.FindResources(jsii.String("AWS::ECS::TaskDefinition"), nil) })
	for _, task := range *tasks {
		if data, _ := json.Marshal(task); strings.Contains(string(data), `"OTEL_METRICS_EXPORTER"`) {
			t.Error("a region with a metrics store turns the service's metrics off")
		}
	}
}

package service_test

import (
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"

	"github.com/example/platform/lib/service"
	"github.com/example/platform/test/constructkit"
)

// The application sends OTLP/HTTP to the sidecar and samples at the sampling rule's rate.
func TestService_ApplicationSendsOTLPOverHTTPAtTheSamplingRulesRate(t *testing.T) {
	template := synth(t, func(p *service.Props) { p.TraceSampleRate = 0.25 })
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
	template := synth(t, nil)
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

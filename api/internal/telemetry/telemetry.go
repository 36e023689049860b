// Package telemetry sets up OpenTelemetry: traces and metrics over OTLP/HTTP to the ADOT
// collector beside the task (OTEL_EXPORTER_OTLP_ENDPOINT), which sends traces to X-Ray and
// metrics to the region's Prometheus workspace. Trace IDs are X-Ray's (a time prefix) and
// the X-Ray header is propagated with W3C's. The SDK reads the standard OTEL_* variables,
// among them OTEL_TRACES_SAMPLER and OTEL_TRACES_SAMPLER_ARG, which the platform sets from
// its sampling rule's rate.
package telemetry

import (
	"context"
	"errors"
	"os"
	"time"

	"go.opentelemetry.io/contrib/propagators/aws/xray"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlpmetric/otlpmetrichttp"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/propagation"
	sdkmetric "go.opentelemetry.io/otel/sdk/metric"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
)

// MetricInterval is how often metrics are exported; the collector batches a minute too.
const MetricInterval = 30 * time.Second

// Setup installs the global tracer and meter providers when endpoint is set, and returns
// what flushes and stops them. Without an endpoint it installs nothing: the API's no-op
// providers stay, and instrumentation costs next to nothing.
func Setup(ctx context.Context, endpoint, region string) (func(context.Context) error, error) {
	if endpoint == "" {
		return func(context.Context) error { return nil }, nil
	}
	res, err := resource.Merge(resource.Default(), resource.NewSchemaless(attribute.String("cloud.region", region)))
	if err != nil {
		return nil, err
	}
	traces, err := otlptracehttp.New(ctx)
	if err != nil {
		return nil, err
	}
	tp := sdktrace.NewTracerProvider(sdktrace.WithBatcher(traces), sdktrace.WithResource(res),
		sdktrace.WithIDGenerator(xray.NewIDGenerator()))
	otel.SetTracerProvider(tp)
	otel.SetTextMapPropagator(propagation.NewCompositeTextMapPropagator(xray.Propagator{}, propagation.TraceContext{}, propagation.Baggage{}))
	if !MetricsExported(os.Getenv("OTEL_METRICS_EXPORTER")) {
		return tp.Shutdown, nil
	}
	metrics, err := otlpmetrichttp.New(ctx)
	if err != nil {
		return nil, err
	}
	mp := sdkmetric.NewMeterProvider(sdkmetric.WithResource(res),
		sdkmetric.WithReader(sdkmetric.NewPeriodicReader(metrics, sdkmetric.WithInterval(MetricInterval))))
	otel.SetMeterProvider(mp)
	return func(ctx context.Context) error {
		return errors.Join(tp.Shutdown(ctx), mp.Shutdown(ctx))
	}, nil
}

// MetricsExported reports whether OTEL_METRICS_EXPORTER (the OpenTelemetry variable, which the
// platform sets to none where the region has no metrics store, so the collector has no metrics
// pipeline to refuse them) leaves metrics on.
func MetricsExported(exporter string) bool { return exporter != "none" }

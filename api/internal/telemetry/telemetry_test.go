package telemetry

import "testing"

// The platform sets OTEL_METRICS_EXPORTER=none where the region has no metrics store; any other
// value, or none set, exports metrics to the collector.
func TestMetricsExported_OnlyNoneTurnsThemOff(t *testing.T) {
	for value, want := range map[string]bool{"none": false, "": true, "otlp": true} {
		if got := MetricsExported(value); got != want {
			t.Errorf("OTEL_METRICS_EXPORTER=%q: exported %v, want %v", value, got, want)
		}
	}
}

package monitoring

import (
	"strings"

	"github.com/example/platform/lib/alarmnames"
)

// Documented is a signal as the alarm table of docs/operations.md shows it (test/alarmdoc_test.go
// renders it), with the minutes of one of its periods (the alarm fires after Periods of them).
type Documented struct {
	Signal
	PeriodMinutes float64
}

// Placeholders stand for the names a deployment gives, in the catalogue's texts.
const (
	placeholderCanary   = "`<canary>`"
	placeholderObserver = "`<observer canary>`"
	placeholderRegion   = "`<region>`"
)

// Catalogue is every signal a region or the observer region alarms on, with thresholds t, in
// the order the stacks make them: the region's (CanarySignal, ServiceSignals, DatabaseSignals,
// TableSignals, EventSignals), then the observer's. Names a deployment gives are placeholders;
// runbook is the runbook's path or link, which some actions name. ID is what the alarm's name
// ends with after <platform>-<env>-<region>-.
func Catalogue(t Thresholds, runbook string) []Documented {
	var out []Documented
	add := func(minutes float64, signals ...Signal) {
		for _, s := range signals {
			if s.Periods == 0 {
				s.Periods = defaultPeriods
			}
			out = append(out, Documented{Signal: s, PeriodMinutes: minutes})
		}
	}
	add(t.CanaryIntervalMinutes, CanarySignal(placeholderCanary, t))
	add(1, serviceSignals(t)...)
	add(1, DatabaseSignals("<cluster>", true, t)...)
	add(1, TableSignals("<table>", []string{"<another region>"}, t)...)
	add(1, eventSignals(t)...)
	add(t.CanaryIntervalMinutes, ObserverCanarySignal(placeholderObserver, t))
	health := ObserverHealthSignal(placeholderObserver, "<step>", placeholderRegion, "", runbook, t)
	health.ID = strings.TrimPrefix(alarmnames.ObserverHealth, "-")
	add(t.CanaryIntervalMinutes, health)
	for i := range out {
		out[i].Metric = nil // a catalogue entry documents its signal; it does not measure
	}
	return out
}

// Package alarmdoc renders the alarm table of docs/operations.md from lib/monitoring's signals,
// so the thresholds, periods and texts people read are the ones the alarms are made with.
package alarmdoc

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/example/platform/lib/alarmnames"
	"github.com/example/platform/lib/monitoring"
)

// Table is the Markdown table of the region-unhealthy composite alarm and every signal's alarm,
// with thresholds t (the config's defaults, for the docs); runbook is what the actions that
// name the runbook link to.
func Table(t monitoring.Thresholds, runbook string) string {
	var out strings.Builder
	out.WriteString("| Alarm | Fires when (default) | What it means | What to do |\n|---|---|---|---|\n")
	row(&out, "`"+strings.TrimPrefix(alarmnames.RegionUnhealthy, "-")+"`", "any *health* alarm of the region fires",
		monitoring.UnhealthyMeaning, monitoring.UnhealthyAction(runbook))
	for _, d := range monitoring.Catalogue(t, runbook) {
		name := "`" + d.ID + "`"
		if d.RegionHealth {
			name += " (*health*)"
		}
		row(&out, name, firesWhen(d), d.Meaning, d.Action)
	}
	return out.String()
}

func row(out *strings.Builder, cells ...string) {
	for i, c := range cells {
		cells[i] = strings.ReplaceAll(c, "|", `\|`)
	}
	fmt.Fprintf(out, "| %s |\n", strings.Join(cells, " | "))
}

// firesWhen says what the alarm compares and for how long: "Service CPU (%) ≥ 85, for 3 minutes".
func firesWhen(d monitoring.Documented) string {
	comparison := "<"
	if d.Above {
		comparison = "≥"
	}
	value := number(d.Threshold)
	if mib := d.Threshold / (1024 * 1024); strings.HasSuffix(d.Title, "(bytes)") && mib >= 1 {
		value += " (" + number(mib) + " MiB)"
	}
	window := "for " + number(d.Periods) + " " + plural(d.Periods, "minute")
	if d.PeriodMinutes != 1 {
		window = number(d.Periods) + " " + plural(d.Periods, "run") + " in a row (one every " + number(d.PeriodMinutes) + " minutes)"
	}
	text := fmt.Sprintf("%s %s %s, %s", d.Title, comparison, value, window)
	if d.SilenceNotifies {
		text += "; INSUFFICIENT_DATA (e-mailed, not ALARM) when it stops reporting"
	}
	return text
}

func number(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

func plural(n float64, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}

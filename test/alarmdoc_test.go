package test

import (
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"github.com/example/platform/lib/alarmnames"
	"github.com/example/platform/lib/config"
	"github.com/example/platform/lib/monitoring"
	"github.com/example/platform/stacks"
	"github.com/example/platform/test/constructkit"
)

const (
	alarmTableBegin = "<!-- The table below is generated from lib/monitoring by test/alarmdoc_test.go: UPDATE_GOLDEN=1 go test ./test -run TestDocs_AlarmTableIsTheCodes -->"
	alarmTableEnd   = "<!-- end of the generated alarm table -->"
)

// The alarm table is lib/monitoring's: every signal's name, threshold (lib/config's default),
// periods, meaning and action, generated between markers, so what people read is what the
// alarms are made with.
func TestDocs_AlarmTableIsTheCodes(t *testing.T) {
	root := constructkit.RepoRoot(t)
	file := filepath.Join(root, "docs", "operations.md")
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	reference, err := os.ReadFile(filepath.Join(root, "docs", "configuration.md"))
	if err != nil {
		t.Fatal(err)
	}
	platform, err := config.Parse("docs/configuration.md's minimal config", minimalConfigOf(t, string(reference)))
	if err != nil {
		t.Fatalf("the minimal config does not load: %v", err)
	}
	want := alarmTable(stacks.Thresholds(platform.Environments[0]), "[the runbook](runbook.md)")
	before, rest, ok1 := strings.Cut(string(data), alarmTableBegin+"\n")
	got, after, ok2 := strings.Cut(rest, alarmTableEnd)
	if !ok1 || !ok2 {
		t.Fatalf("docs/operations.md has no generated alarm table between %q and %q", alarmTableBegin, alarmTableEnd)
	}
	if got == want {
		return
	}
	if os.Getenv("UPDATE_GOLDEN") == "1" {
		if err := os.WriteFile(file, []byte(before+alarmTableBegin+"\n"+want+alarmTableEnd+after), 0o644); err != nil {
			t.Fatal(err)
		}
		t.Log("rewrote docs/operations.md's alarm table")
		return
	}
	t.Errorf("docs/operations.md's alarm table is not lib/monitoring's: run UPDATE_GOLDEN=1 go test ./test -run TestDocs_AlarmTableIsTheCodes. It should read:\n%s", want)
}

// alarmTable is the Markdown table of the region-unhealthy composite alarm and of every signal's
// alarm (monitoring.Catalogue), with thresholds t; runbook is what the actions that name the
// runbook link to.
func alarmTable(t monitoring.Thresholds, runbook string) string {
	var out strings.Builder
	out.WriteString("| Alarm | Fires when (default) | What it means | What to do |\n|---|---|---|---|\n")
	alarmRow(&out, "`"+strings.TrimPrefix(alarmnames.RegionUnhealthy, "-")+"`", "any *health* alarm of the region fires",
		monitoring.UnhealthyMeaning, monitoring.UnhealthyAction(runbook))
	for _, d := range monitoring.Catalogue(t, runbook) {
		name := "`" + d.ID + "`"
		if d.RegionHealth {
			name += " (*health*)"
		}
		alarmRow(&out, name, alarmFiresWhen(d), d.Meaning, d.Action)
	}
	return out.String()
}

// alarmRow writes one row of cells, their pipes escaped.
func alarmRow(out *strings.Builder, cells ...string) {
	for i, c := range cells {
		cells[i] = strings.ReplaceAll(c, "|", `\|`)
	}
	fmt.Fprintf(out, "| %s |\n", strings.Join(cells, " | "))
}

// alarmFiresWhen says what the alarm compares and for how long: "Service CPU (%) ≥ 85, for 3
// minutes".
func alarmFiresWhen(d monitoring.Documented) string {
	comparison := "<"
	if d.Above {
		comparison = "≥"
	}
	value := alarmNumber(d.Threshold)
	if mib := d.Threshold / (1024 * 1024); strings.HasSuffix(d.Title, "(bytes)") && mib >= 1 {
		value += " (" + alarmNumber(mib) + " MiB)"
	}
	window := "for " + alarmNumber(d.Periods) + " " + alarmPlural(d.Periods, "minute")
	if d.PeriodMinutes != 1 {
		window = alarmNumber(d.Periods) + " " + alarmPlural(d.Periods, "run") + " in a row (one every " + alarmNumber(d.PeriodMinutes) + " minutes)"
	}
	text := fmt.Sprintf("%s %s %s, %s", d.Title, comparison, value, window)
	if d.SilenceNotifies {
		text += "; INSUFFICIENT_DATA (e-mailed, not ALARM) when it stops reporting"
	}
	return text
}

func alarmNumber(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

func alarmPlural(n float64, word string) string {
	if n == 1 {
		return word
	}
	return word + "s"
}

package test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/example/platform/internal/alarmdoc"
	"github.com/example/platform/lib/config"
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
	want := alarmdoc.Table(stacks.Thresholds(platform.Environments[0]), "[the runbook](runbook.md)")
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

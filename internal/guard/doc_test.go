package guard_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/example/platform/internal/guard"
)

const (
	tableBegin = "<!-- The table below is generated from internal/guard by internal/guard/doc_test.go: UPDATE_GOLDEN=1 go test ./internal/guard -run TestDocs_ExceptionsTableIsTheCodes -->"
	tableEnd   = "<!-- end of the generated exceptions table -->"
)

// docs/security.md's table of declared exceptions is internal/guard's, generated between
// markers, so what a reviewer reads is what the tests excuse.
func TestDocs_ExceptionsTableIsTheCodes(t *testing.T) {
	file := filepath.Join("..", "..", "docs", "security.md")
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	want := guard.Table()
	before, rest, ok1 := strings.Cut(string(data), tableBegin+"\n")
	got, after, ok2 := strings.Cut(rest, tableEnd)
	if !ok1 || !ok2 {
		t.Fatalf("docs/security.md has no generated exceptions table between %q and %q", tableBegin, tableEnd)
	}
	if got == want {
		return
	}
	if os.Getenv("UPDATE_GOLDEN") == "1" {
		if err := os.WriteFile(file, []byte(before+tableBegin+"\n"+want+tableEnd+after), 0o644); err != nil {
			t.Fatal(err)
		}
		t.Log("rewrote docs/security.md's exceptions table")
		return
	}
	t.Errorf("docs/security.md's exceptions table is not internal/guard's: run UPDATE_GOLDEN=1 go test ./internal/guard -run TestDocs_ExceptionsTableIsTheCodes. It should read:\n%s", want)
}

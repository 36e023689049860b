package test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/example/platform/internal/configdoc"
	"github.com/example/platform/lib/config"
	"github.com/example/platform/test/constructkit"
)

const (
	configReferenceBegin = "<!-- The reference below is generated from lib/config by test/configdoc_test.go: UPDATE_GOLDEN=1 go test ./test -run TestDocs_ConfigurationReferenceIsTheCodes -->"
	configReferenceEnd   = "<!-- end of the generated configuration reference -->"
)

// minimalConfigOf is the ```json block under docs/configuration.md's "## A minimal config".
func minimalConfigOf(t *testing.T, doc string) []byte {
	t.Helper()
	_, rest, ok := strings.Cut(doc, "\n## A minimal config\n")
	if ok {
		_, rest, ok = strings.Cut(rest, "```json\n")
	}
	block, _, closed := strings.Cut(rest, "\n```")
	if !ok || !closed {
		t.Fatal("docs/configuration.md shows no ```json block under \"## A minimal config\"")
	}
	return []byte(block)
}

// The configuration reference is lib/config's: every field, its type, the default loading fills
// in and its doc comment, generated between markers; and the minimal config it opens with loads.
func TestDocs_ConfigurationReferenceIsTheCodes(t *testing.T) {
	root := constructkit.RepoRoot(t)
	file := filepath.Join(root, "docs", "configuration.md")
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	minimal := minimalConfigOf(t, string(data))
	if _, err := config.Parse("docs/configuration.md's minimal config", minimal); err != nil {
		t.Fatalf("the minimal config does not load: %v", err)
	}
	want, err := configdoc.Reference(filepath.Join(root, "lib", "config"), minimal)
	if err != nil {
		t.Fatal(err)
	}
	before, rest, ok1 := strings.Cut(string(data), configReferenceBegin+"\n")
	got, after, ok2 := strings.Cut(rest, configReferenceEnd)
	if !ok1 || !ok2 {
		t.Fatalf("docs/configuration.md has no generated reference between %q and %q", configReferenceBegin, configReferenceEnd)
	}
	if got == want {
		return
	}
	if os.Getenv("UPDATE_GOLDEN") == "1" {
		if err := os.WriteFile(file, []byte(before+configReferenceBegin+"\n"+want+configReferenceEnd+after), 0o644); err != nil {
			t.Fatal(err)
		}
		t.Log("rewrote docs/configuration.md's reference")
		return
	}
	t.Errorf("docs/configuration.md's reference is not lib/config's: run UPDATE_GOLDEN=1 go test ./test -run TestDocs_ConfigurationReferenceIsTheCodes. It should read:\n%s", want)
}

// Every field the loader knows has a row, nested objects and lists of objects included.
func TestDocs_ConfigurationReferenceHasARowForEveryField(t *testing.T) {
	root := constructkit.RepoRoot(t)
	data, err := os.ReadFile(filepath.Join(root, "docs", "configuration.md"))
	if err != nil {
		t.Fatal(err)
	}
	ref, err := configdoc.Reference(filepath.Join(root, "lib", "config"), minimalConfigOf(t, string(data)))
	if err != nil {
		t.Fatal(err)
	}
	for _, row := range []string{
		"| `name` | string |",
		"| `pipeline.source.codeConnections.provider` | string |",
		"| `environments[].regions[].cidr` | string |",
		"| `environments[].sizing.taskCpu` | integer | `512` |",
		"| `environments[].terminationProtection` | boolean | `true` |",
		"| `baseline.guardDuty` |",
	} {
		if !strings.Contains(ref, row) {
			t.Errorf("the reference has no row starting %s:\n%s", row, ref)
		}
	}
}

package docspath_test

import (
	"testing"

	"github.com/example/platform/internal/docspath"
)

func TestDir_KeepsTheExamplesDocsInDocsAndPutsEveryOtherPlatformsInItsOwnFolder(t *testing.T) {
	for _, c := range []struct{ config, platform, dir string }{
		{"config/example.json", "acme", "docs"},
		{"config/./example.json", "acme", "docs"},
		{"config/three-region.json", "globex", "docs/globex"},
		// Another config of the example's platform still gets a folder of its own.
		{"config/acme-dev.json", "acme", "docs/acme"},
	} {
		if got := docspath.Dir(c.config, c.platform); got != c.dir {
			t.Errorf("Dir(%q, %q) = %q, want %q", c.config, c.platform, got, c.dir)
		}
	}
	if got := docspath.Runbook("config/three-region.json", "globex"); got != "docs/globex/runbook.md" {
		t.Errorf("Runbook = %q", got)
	}
	if got := docspath.Architecture("config/example.json", "acme"); got != "docs/architecture.md" {
		t.Errorf("Architecture = %q", got)
	}
}

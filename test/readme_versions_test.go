package test

import (
	"os"
	"path/filepath"
	"regexp"
	"testing"

	"github.com/example/platform/internal/toolchain"
	"github.com/example/platform/stacks"
	"github.com/example/platform/test/constructkit"
)

// The Quick start names the tools a fresh machine needs: the Go it states is the Go go.mod
// requires (an older one cannot build the module), and the Node.js it states is the one the
// pipeline's builds select.
func TestReadme_QuickStartStatesTheVersionsTheRepositoryPins(t *testing.T) {
	quickStart := readmeSection(t, "## Quick start")
	tools, err := toolchain.Read("..")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct{ tool, pattern, want, source string }{
		{"Go", `\bGo ([0-9]+\.[0-9]+)\+`, tools.Go, "go.mod's go line"},
		{"Node.js", `\bNode\.js ([0-9]+)\+`, stacks.BuildNodeVersion, "stacks.BuildNodeVersion, which the pipeline's builds select"},
	} {
		match := regexp.MustCompile(c.pattern).FindStringSubmatch(quickStart)
		switch {
		case match == nil:
			t.Errorf("README's Quick start states no %s version (%s); want %s+, from %s", c.tool, c.pattern, c.want, c.source)
		case match[1] != c.want:
			t.Errorf("README's Quick start says %s %s+, but %s says %s: make the README say %s+", c.tool, match[1], c.source, c.want, c.want)
		}
	}
}

// The Quick start's two commands are the contract with a fresh machine: the README shows
// `make synth` and `make test`, and the Makefile has both targets.
func TestReadme_QuickStartNamesMakeSynthAndMakeTest(t *testing.T) {
	quickStart := readmeSection(t, "## Quick start")
	makefile, err := os.ReadFile(filepath.Join(constructkit.RepoRoot(t), "Makefile"))
	if err != nil {
		t.Fatal(err)
	}
	for _, target := range []string{"synth", "test"} {
		if !regexp.MustCompile(`(?m)^make ` + target + `\b`).MatchString(quickStart) {
			t.Errorf("README's Quick start does not show the command make %s", target)
		}
		if !regexp.MustCompile(`(?m)^` + target + `:`).Match(makefile) {
			t.Errorf("the Makefile has no %s target, which README's Quick start runs", target)
		}
	}
}

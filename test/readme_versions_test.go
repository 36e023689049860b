package test

import (
	"regexp"
	"testing"

	"github.com/example/platform/internal/toolchain"
	"github.com/example/platform/stacks"
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

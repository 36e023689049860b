package test

// The configs the whole-app tests run on. The project's tests read fixtures of their own in
// testdata/, so a fork that edits config/example.json or adds its config keeps them green; only
// the tests of the example itself (its generated docs, the figures docs quote) read config/.
// `make check CONFIG=<file>` sets PLATFORM_CHECK_CONFIG to run the assembly-wide rules on one file.

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/example/platform/test/constructkit"
)

const (
	// twoEnvironments has a domain and a gated production (a copy of config/example.json).
	twoEnvironments = "test/testdata/two-environments.json"
	// threeRegions has three regions, no domain and CodeCommit (a copy of config/three-region.json).
	threeRegions = "test/testdata/three-regions.json"
)

// exampleConfigs are the configs the project ships, for the tests of the example itself.
var exampleConfigs = []string{"config/example.json", "config/three-region.json"}

// checkConfig is the config make check holds to the rules, or "" in the project's own tests.
var checkConfig = os.Getenv("PLATFORM_CHECK_CONFIG")

// configs are the platforms every whole-app test runs against: the fixtures, or the one config
// make check was given.
var configs = func() []string {
	if checkConfig != "" {
		return []string{checkConfig}
	}
	return []string{twoEnvironments, threeRegions}
}()

// withFixtures are configs and, in the project's own tests, the fixtures a rule adds for a shape
// the others lack (make check holds only the config it was given).
func withFixtures(extra ...string) []string {
	if checkConfig != "" {
		return slices.Clone(configs)
	}
	return append(slices.Clone(configs), extra...)
}

// fixtureOnly skips a test under make check: it pins a fixture's particular shape or figures,
// which another config need not have.
func fixtureOnly(t *testing.T, why string) {
	t.Helper()
	if checkConfig != "" {
		t.Skipf("holds the test fixtures only (%s), not %s", why, checkConfig)
	}
}

// checkedSomething fails a rule that found nothing to check in the fixtures (a broken loop
// passes silently otherwise); under make check it skips: the config lacks what the rule is about.
func checkedSomething(t *testing.T, n int, what string) {
	t.Helper()
	if n == 0 && checkConfig != "" {
		t.Skipf("%s has no %s: the rule does not apply", checkConfig, what)
	}
	constructkit.CheckedSomething(t, n, what)
}

// exampleTests are the only test files that name the shipped configs: the tests of the example
// itself (its generated docs under docs/) and this file.
var exampleTests = []string{"fixtures_test.go", "docs_test.go", "runbook_test.go", "cost_test.go"}

// The project's tests test the code: only the example's own tests read config/example.json or
// config/three-region.json, so editing them, or adding a config, leaves every other test as it was.
func TestFixtures_OnlyTheExamplesOwnTestsReadTheShippedConfigs(t *testing.T) {
	files, err := filepath.Glob(filepath.Join(constructkit.RepoRoot(t), "test", "*_test.go"))
	if err != nil {
		t.Fatal(err)
	}
	constructkit.CheckedSomething(t, len(files), "test file")
	for _, file := range files {
		if slices.Contains(exampleTests, filepath.Base(file)) {
			continue
		}
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		for _, shipped := range exampleConfigs {
			if strings.Contains(string(data), shipped) {
				t.Errorf("test/%s reads %s: use a fixture of test/testdata (twoEnvironments, threeRegions), or list it in exampleTests if it tests the example itself", filepath.Base(file), shipped)
			}
		}
	}
}

// Package test holds the whole-app tests: they synthesize every stack of a config once and
// check what the platform promises across stacks, stages and regions.
package test

import (
	"flag"
	"testing"

	"github.com/example/platform/test/constructkit"
)

// TestMain starts, in a full run, the built app's run in the background (test/apprun_test.go)
// and, as soon as each config is synthesized, cfn-guard's check (test/controls_test.go); it
// holds a full run to its synthesis budget (test/variants_test.go) after the tests.
func TestMain(m *testing.M) {
	flag.Parse()
	startAppRun()
	startChecks()
	constructkit.Main(m, holdSynthesisBudget)
}

// fullRun reports whether this is a full run of the package: no -run, no -bench, not make check.
func fullRun() bool {
	return flag.Lookup("test.run").Value.String() == "" && flag.Lookup("test.bench").Value.String() == "" && checkConfig == ""
}

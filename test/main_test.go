// Package test holds the whole-app tests: they synthesize every stack of a config once and
// check what the platform promises across stacks, stages and regions.
package test

import (
	"flag"
	"testing"

	"github.com/example/platform/internal/cfnvalidator"
	"github.com/example/platform/test/constructkit"
	"github.com/example/platform/test/testkit"
)

// TestMain starts, in a full run, as soon as each config is synthesized, cfn-guard's check
// (test/controls_test.go) and CDK's validator (testkit.PrepareValidation), each a process of its
// own; it holds a full run to its synthesis budget (test/variants_test.go) after the tests. Run
// as the validator's process (cfnvalidator.Serve), it serves that and exits. The built app's
// runs are the root package's tests (app_test.go): its test binary is the app.
func TestMain(m *testing.M) {
	cfnvalidator.Serve()
	flag.Parse()
	startChecks()
	constructkit.Main(m, holdSynthesisBudget, func() int { testkit.StopValidator(); return 0 })
}

// fullRun reports whether this is a full run of the package: no -run, no -bench, not make check.
func fullRun() bool {
	return flag.Lookup("test.run").Value.String() == "" && flag.Lookup("test.bench").Value.String() == "" && checkConfig == ""
}

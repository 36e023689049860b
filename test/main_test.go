// Package test holds the whole-app tests: they synthesize every stack of a config once and
// check what the platform promises across stacks, stages and regions.
package test

import (
	"testing"

	"github.com/example/platform/test/constructkit"
)

// TestMain starts the built app's run in the background (test/apprun_test.go) and holds a full
// run to its synthesis budget (test/variants_test.go) after the tests.
func TestMain(m *testing.M) {
	startAppRun()
	constructkit.Main(m, holdSynthesisBudget)
}

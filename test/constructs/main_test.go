// Package constructs_test holds the tests of every construct under lib/: one file (or a few,
// named <construct>_<topic>_test.go) per lib/<construct> package.
//
// They share one package because each Go test package is a test binary of its own: it links the
// whole CDK module and starts its own jsii Node runtime, about a second of CPU each, before its
// first test runs. One package pays that once for every construct instead of once per construct
// (docs/development.md, "Where tests live", has the numbers).
//
// Construct tests build one construct in a bare stack (test/constructkit); they link neither the
// app (stacks) nor its config (lib/config), which test/constructkit's isolation test checks.
// Helpers are package-level here, so a helper that two constructs' tests would both call synth,
// props... takes its construct's name: serviceSynth, edgeValidProps.
package constructs_test

import (
	"testing"

	"github.com/example/platform/test/constructkit"
)

func TestMain(m *testing.M) { constructkit.Main(m) }

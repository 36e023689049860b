package test

import (
	"testing"

	"github.com/example/platform/test/testkit"
)

// BenchmarkSynth_Example is the whole app for the two-environment fixture, built and synthesized, without
// CDK's validator (the validation tests run it once per config; make bench times it with it).
func BenchmarkSynth_Example(b *testing.B) {
	for b.Loop() {
		testkit.Build(b, testkit.LoadConfig(b, twoEnvironments), twoEnvironments)
	}
}

func BenchmarkSynth_ThreeRegion(b *testing.B) {
	for b.Loop() {
		testkit.Build(b, testkit.LoadConfig(b, threeRegions), threeRegions)
	}
}

package testkit

import "runtime"

// The checks a test binary runs in processes of its own beside its tests (the validator's, and
// the test package's own: cfn-guard, the built app) take turns on the cores the tests' Node
// process leaves: one on the 2 cores that are the norm. Run side by side, they would take turns
// with the syntheses too and slow them down, leaving that core idle later.
var backgroundLane = make(chan struct{}, max(1, runtime.NumCPU()-1))

// InBackgroundLane runs f, work in other processes whose results the tests wait for later,
// when the background lane has room, and waits for it.
func InBackgroundLane(f func()) {
	backgroundLane <- struct{}{}
	defer func() { <-backgroundLane }()
	f()
}

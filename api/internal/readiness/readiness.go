// Package readiness runs the service's dependency checks side by side, each cut
// off after a timeout, and reports every result.
package readiness

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"
)

// Check returns nil when a dependency works. It should honour ctx, but the Checker
// does not rely on that: a check that ignores its deadline is abandoned at it.
type Check func(ctx context.Context) error

// Result is one check's outcome.
type Result struct {
	OK      bool
	Latency time.Duration
	// TimedOut is set when the check had no answer within the timeout.
	TimedOut bool
	// Err says why the check failed. It can name hosts and resources: log it, do not
	// show it to clients.
	Err error
}

// Report is every check's outcome; OK when all passed.
type Report struct {
	OK     bool
	Checks map[string]Result
}

// Failed lists the names of the checks that did not pass, sorted.
func (r Report) Failed() []string {
	var failed []string
	for name, res := range r.Checks {
		if !res.OK {
			failed = append(failed, name)
		}
	}
	slices.Sort(failed)
	return failed
}

// Checker runs a fixed set of named checks.
type Checker struct {
	checks  map[string]Check
	timeout time.Duration
}

// New returns a Checker that gives each check timeout to pass.
func New(timeout time.Duration, checks map[string]Check) *Checker {
	return &Checker{checks: checks, timeout: timeout}
}

// Run runs every check concurrently and returns when each has finished or timed out,
// so it takes at most about the timeout however the dependencies behave.
func (c *Checker) Run(ctx context.Context) Report {
	report := Report{OK: true, Checks: make(map[string]Result, len(c.checks))}
	var mu sync.Mutex
	var wg sync.WaitGroup
	for name, check := range c.checks {
		wg.Go(func() {
			res := c.run(ctx, check)
			mu.Lock()
			defer mu.Unlock()
			report.Checks[name] = res
			report.OK = report.OK && res.OK
		})
	}
	wg.Wait()
	return report
}

func (c *Checker) run(ctx context.Context, check Check) Result {
	ctx, cancel := context.WithTimeout(ctx, c.timeout)
	defer cancel()
	start := time.Now()
	done := make(chan error, 1) // buffered: an abandoned check can still finish and exit
	go func() { done <- check(ctx) }()

	var err error
	select {
	case err = <-done:
	case <-ctx.Done():
		err = ctx.Err()
	}
	res := Result{OK: err == nil, Latency: time.Since(start), Err: err}
	// Whether the check noticed its deadline or was abandoned at it, say so plainly.
	if err != nil && errors.Is(ctx.Err(), context.DeadlineExceeded) {
		res.TimedOut, res.Err = true, fmt.Errorf("no answer within %s (last error: %w)", c.timeout, err)
	}
	return res
}

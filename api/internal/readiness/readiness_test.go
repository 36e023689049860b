package readiness_test

import (
	"context"
	"errors"
	"slices"
	"testing"
	"testing/synctest"
	"time"

	"github.com/example/platform/api/internal/readiness"
)

func pass(context.Context) error { return nil }

func TestChecker_ReportsOKWhenEveryCheckPasses(t *testing.T) {
	report := readiness.New(time.Second, map[string]readiness.Check{"a": pass, "b": pass}).Run(t.Context())
	if !report.OK || len(report.Checks) != 2 || !report.Checks["a"].OK || !report.Checks["b"].OK {
		t.Errorf("Run() = %+v, want both checks OK", report)
	}
}

func TestChecker_NamesTheFailingCheck(t *testing.T) {
	broken := errors.New("connection refused")
	report := readiness.New(time.Second, map[string]readiness.Check{
		"databaseReader": pass,
		"table":          func(context.Context) error { return broken },
	}).Run(t.Context())
	if report.OK {
		t.Fatal("Run() is OK with a failing check")
	}
	if got := report.Failed(); !slices.Equal(got, []string{"table"}) {
		t.Errorf("Failed() = %v, want [table]", got)
	}
	if res := report.Checks["table"]; res.OK || res.TimedOut || !errors.Is(res.Err, broken) {
		t.Errorf("table = %+v, want the check's own error", res)
	}
}

func TestChecker_CutsOffASlowCheckAtTheTimeout(t *testing.T) {
	// The fake clock makes the hour-long check cost no real time, and lets the test
	// measure exactly how long Run waited.
	synctest.Test(t, func(t *testing.T) {
		hangs := func(context.Context) error { time.Sleep(time.Hour); return nil } // ignores its context
		honours := func(ctx context.Context) error { <-ctx.Done(); return ctx.Err() }
		start := time.Now()
		report := readiness.New(2*time.Second, map[string]readiness.Check{
			"databaseWriter": hangs, "databaseReader": honours, "table": pass,
		}).Run(t.Context())
		if waited := time.Since(start); waited != 2*time.Second {
			t.Errorf("Run() took %s, want the 2s timeout", waited)
		}
		for _, name := range []string{"databaseWriter", "databaseReader"} {
			if res := report.Checks[name]; res.OK || !res.TimedOut || res.Err == nil {
				t.Errorf("%s = %+v, want a timeout", name, res)
			}
		}
		if report.OK || !report.Checks["table"].OK {
			t.Errorf("Run() = %+v, want the table OK and the report not", report)
		}
		// Let the abandoned check finish: synctest fails if its goroutine could not exit.
		time.Sleep(time.Hour)
	})
}

func TestChecker_RunsChecksConcurrently(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		slow := func(context.Context) error { time.Sleep(time.Second); return nil }
		start := time.Now()
		report := readiness.New(5*time.Second, map[string]readiness.Check{"a": slow, "b": slow, "c": slow}).Run(t.Context())
		if waited := time.Since(start); waited != time.Second || !report.OK {
			t.Errorf("three 1s checks took %s (OK %v), want 1s", waited, report.OK)
		}
		if lat := report.Checks["a"].Latency; lat != time.Second {
			t.Errorf("latency = %s, want 1s", lat)
		}
	})
}

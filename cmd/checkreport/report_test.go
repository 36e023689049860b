package main

import (
	"strings"
	"testing"
)

// What go test -json prints for a rule that passes, one that skips and one that fails in a subtest.
const events = `{"Action":"run","Test":"TestRule_A"}
{"Action":"output","Test":"TestRule_A","Output":"=== RUN   TestRule_A\n"}
{"Action":"output","Test":"TestRule_A","Output":"--- PASS: TestRule_A (0.01s)\n"}
{"Action":"pass","Test":"TestRule_A"}
{"Action":"run","Test":"TestRule_B"}
{"Action":"output","Test":"TestRule_B","Output":"    fixtures_test.go:55: holds the test fixtures only (pins IDs), not mine.json\n"}
{"Action":"output","Test":"TestRule_B","Output":"--- SKIP: TestRule_B (0.00s)\n"}
{"Action":"skip","Test":"TestRule_B"}
{"Action":"run","Test":"TestRule_C"}
{"Action":"run","Test":"TestRule_C/prod"}
{"Action":"output","Test":"TestRule_C/prod","Output":"    rules_test.go:12: acme-prod-app/Key allows kms:CreateGrant for anything\n"}
{"Action":"output","Test":"TestRule_C/prod","Output":"    --- FAIL: TestRule_C/prod (0.00s)\n"}
{"Action":"fail","Test":"TestRule_C/prod"}
{"Action":"output","Test":"TestRule_C","Output":"--- FAIL: TestRule_C (0.00s)\n"}
{"Action":"fail","Test":"TestRule_C"}
{"Action":"output","Output":"FAIL\n"}
{"Action":"fail"}
`

func TestReport_SaysEachRulesVerdictWhySkippedWhatFailedAndTheCounts(t *testing.T) {
	var out strings.Builder
	if report(strings.NewReader(events), &out, "mine.json") {
		t.Error("a failed rule must fail make check")
	}
	for _, want := range []string{
		"  pass  TestRule_A\n",
		"  skip  TestRule_B: holds the test fixtures only (pins IDs), not mine.json\n",
		"  FAIL  TestRule_C\n        rules_test.go:12: acme-prod-app/Key allows kms:CreateGrant for anything\n",
		"make check: 3 rules on mine.json: 1 passed, 1 skipped (they do not apply to it), 1 failed\n",
	} {
		if !strings.Contains(out.String(), want) {
			t.Errorf("the report has no %q:\n%s", want, out.String())
		}
	}
}

func TestReport_PassesOnlyWhenEveryRuleThatRanPassed(t *testing.T) {
	passing := strings.Join(strings.Split(events, "\n")[:8], "\n")
	var out strings.Builder
	if !report(strings.NewReader(passing), &out, "mine.json") {
		t.Errorf("a passed and a skipped rule must pass make check:\n%s", out.String())
	}
}

// A build failure runs no rule: the report shows go's message and fails.
func TestReport_ShowsWhyNoRuleRan(t *testing.T) {
	var out strings.Builder
	in := "# github.com/example/platform/test\ntest/x_test.go:1:1: undefined: y\n"
	if report(strings.NewReader(in), &out, "mine.json") {
		t.Error("no rule ran, yet make check passed")
	}
	if !strings.Contains(out.String(), "undefined: y") || !strings.Contains(out.String(), "no rule ran on mine.json") {
		t.Errorf("the report does not say why no rule ran:\n%s", out.String())
	}
}

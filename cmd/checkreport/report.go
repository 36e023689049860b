package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// event is a line of `go test -json` (test2json).
type event struct {
	Action, Test, Output string
}

// failureLines is how much of a failed rule's output the report shows; the rest is in the
// test's own output, `go test -v` of the rule.
const failureLines = 30

// report writes the report of the events in r and says whether every rule that ran passed.
func report(r io.Reader, w io.Writer, configFile string) bool {
	output := map[string][]string{}
	var loose []string
	counts := map[string]int{}
	scanner := bufio.NewScanner(r)
	scanner.Buffer(make([]byte, 1024*1024), 16*1024*1024)
	for scanner.Scan() {
		var e event
		if err := json.Unmarshal(scanner.Bytes(), &e); err != nil {
			// Not test2json's: a build failure or a panic before any test, said as it is.
			loose = append(loose, scanner.Text())
			continue
		}
		rule, _, sub := strings.Cut(e.Test, "/")
		switch {
		case e.Test == "" && e.Action == "output":
			loose = append(loose, strings.TrimRight(e.Output, "\n"))
		case e.Action == "output":
			if line := strings.TrimRight(e.Output, "\n"); !isFramingLine(line) {
				output[rule] = append(output[rule], line)
			}
		case sub || e.Test == "":
		case e.Action == "pass":
			counts["passed"]++
			fmt.Fprintf(w, "  pass  %s\n", rule)
		case e.Action == "skip":
			counts["skipped"]++
			fmt.Fprintf(w, "  skip  %s: %s\n", rule, skipReason(output[rule]))
		case e.Action == "fail":
			counts["failed"]++
			fmt.Fprintf(w, "  FAIL  %s\n", rule)
			lines := output[rule]
			if len(lines) > failureLines {
				lines = append(lines[:failureLines:failureLines], fmt.Sprintf("... %d more lines: go test ./test -run '^%s$' -v with PLATFORM_CHECK_CONFIG=%s", len(output[rule])-failureLines, rule, configFile))
			}
			for _, line := range lines {
				fmt.Fprintf(w, "        %s\n", strings.TrimSpace(line))
			}
		}
	}
	ran := counts["passed"] + counts["skipped"] + counts["failed"]
	if ran == 0 {
		for _, line := range loose {
			fmt.Fprintln(w, line)
		}
		fmt.Fprintf(w, "make check: no rule ran on %s\n", configFile)
		return false
	}
	fmt.Fprintf(w, "make check: %d rules on %s: %d passed, %d skipped (they do not apply to it), %d failed\n",
		ran, configFile, counts["passed"], counts["skipped"], counts["failed"])
	return counts["failed"] == 0
}

// isFramingLine is go test's own bookkeeping (=== RUN, --- PASS...), which the report restates.
func isFramingLine(line string) bool {
	trimmed := strings.TrimSpace(line)
	for _, prefix := range []string{"=== ", "--- PASS", "--- SKIP", "--- FAIL"} {
		if strings.HasPrefix(trimmed, prefix) {
			return true
		}
	}
	return trimmed == ""
}

// skipReason is the message a rule skipped with, without the file:line go test puts before it.
func skipReason(lines []string) string {
	for i := len(lines) - 1; i >= 0; i-- {
		line := strings.TrimSpace(lines[i])
		if _, msg, found := strings.Cut(line, ": "); found && strings.Contains(line, "_test.go:") {
			return msg
		}
	}
	return "(no reason given)"
}

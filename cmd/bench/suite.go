package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"regexp"
	"sort"
	"strings"
	"syscall"
	"time"
)

// suite is one run of the test suite: its wall and CPU time (every process it started, test
// binaries, compilers and the Node processes of jsii), and each package's elapsed time.
type suite struct {
	// args are the packages go test was given.
	args      []string
	wall, cpu time.Duration
	packages  []packageTime
	// syntheses is the whole-app package's count of whole-app syntheses, as its TestMain prints it.
	syntheses string
}

type packageTime struct {
	name    string
	elapsed float64
	failed  bool
}

var synthesesLine = regexp.MustCompile(`whole-app syntheses: (\d+)`)

// runSuite runs `go test -count=1 -json` over packages, in make test's order (warm build cache,
// no test cache).
func runSuite(packages []string) suite {
	cmd := exec.Command("go", append([]string{"test", "-count=1", "-json"}, packages...)...)
	cmd.Stderr = os.Stderr
	stdout, err := cmd.StdoutPipe()
	check(err)
	start := time.Now()
	check(cmd.Start())
	s := suite{args: packages}
	failed := false
	scanner := bufio.NewScanner(stdout)
	scanner.Buffer(make([]byte, 1<<20), 1<<24)
	for scanner.Scan() {
		var event struct {
			Action, Package, Test, Output string
			Elapsed                       float64
		}
		if json.Unmarshal(scanner.Bytes(), &event) != nil {
			continue
		}
		if m := synthesesLine.FindStringSubmatch(event.Output); m != nil {
			s.syntheses = m[1]
		}
		if event.Test == "" && (event.Action == "pass" || event.Action == "fail") {
			s.packages = append(s.packages, packageTime{name: event.Package, elapsed: event.Elapsed, failed: event.Action == "fail"})
			failed = failed || event.Action == "fail"
		}
	}
	err = cmd.Wait()
	s.wall = time.Since(start)
	if usage, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
		s.cpu = time.Duration(usage.Utime.Nano() + usage.Stime.Nano())
	}
	if err != nil || failed {
		fail("go test ./... failed: the suite must pass to be timed (%v)", err)
	}
	sort.Slice(s.packages, func(i, j int) bool { return s.packages[i].elapsed > s.packages[j].elapsed })
	return s
}

// table is the per-package section of results.md: every package with tests, slowest first.
func (s suite) table() string {
	var out strings.Builder
	fmt.Fprintf(&out, "\n## Test packages\n\n`go test -count=1 -json %s`: %.0f s wall, %.0f s CPU on %d packages with tests. ", strings.Join(s.args, " "), s.wall.Seconds(), s.cpu.Seconds(), len(s.packages))
	fmt.Fprintln(&out, "A package's time runs from its test binary's start (after its compile and link) to its end;")
	fmt.Fprintln(&out, "on 2 cores packages run two at a time, so the times add up to more than the wall time.")
	fmt.Fprintln(&out, "\n| Package | Elapsed |\n|---|---|")
	for _, p := range s.packages {
		name := strings.TrimPrefix(strings.TrimPrefix(p.name, "github.com/example/platform"), "/")
		if name == "" {
			name = ". (app.go)"
		}
		fmt.Fprintf(&out, "| %s | %.1f s |\n", name, p.elapsed)
	}
	return out.String()
}

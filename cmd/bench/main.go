// Command bench measures what the platform costs to synthesize and test on this machine and
// prints one table (also written to bench/results.md, and projected into the speed table of
// docs/development.md): synthesis against a one-bucket baseline, with the validator and without,
// how synthesis grows with regions, the warm test suite (wall and CPU, per package), the
// pipeline's deployment waves and estimated time to production, every stack against
// CloudFormation's limits, peak memory, and the Go benchmarks of the hot paths.
//
// Run it from the repository root with the CLI installed: make bench.
package main

import (
	"bufio"
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"sort"
	"strings"
	"syscall"
	"time"

	"github.com/example/platform/internal/assembly"
)

const (
	runs = 3 // each synthesis timed this often; the fastest run is reported
	// CloudFormation's limits; the largest stack must stay under half of each.
	maxResources     = 500
	maxTemplateBytes = 1 << 20
	exampleConfig    = "config/example.json"
)

// scalingRegions are used in order to build platforms of 1 to 6 regions.
var scalingRegions = []string{"us-east-1", "eu-west-1", "ap-southeast-2", "us-west-2", "eu-central-1", "ap-northeast-1"}

type measurement struct {
	seconds float64
	cpu     float64 // user + system seconds of the CLI, the app and jsii's Node processes
	maxRSS  int64   // KiB, of the largest process in the synthesis
	outdir  string
}

// Targets (issue #28), as ratios to the baseline measured in the same run.
const (
	maxRatio      = 2.0 // example.json's synthesis, validator on, against the baseline's
	maxPeakMiB    = 700
	maxSuiteWall  = 60.0 // seconds, make test's go test warm with no test cache
	maxRegionGrow = 3.0  // 6 regions against 1
)

func main() {
	work, err := os.MkdirTemp("", "bench-")
	check(err)
	defer os.RemoveAll(work)
	defer os.RemoveAll(scalingDir)

	platformBin, baselineBin := filepath.Join(work, "platform"), filepath.Join(work, "baseline")
	run("go", "build", "-o", platformBin, ".")
	run("go", "build", "-o", baselineBin, "./bench/baseline")

	var out strings.Builder
	fmt.Fprintf(&out, "# Benchmark results\n\n%s\n\n", machine())
	fmt.Fprintln(&out, "Synthesis runs `npx cdk synth --app <prebuilt binary>`, the way `make synth` runs it minus")
	fmt.Fprintf(&out, "the Go compile; each is the fastest of %d runs, with CDK's template validation on, as in `make synth`,\n", runs)
	fmt.Fprintln(&out, "unless the row says otherwise. CPU is user + system time of every process of the run. Targets are")
	fmt.Fprintln(&out, "ratios to the baseline of the same run, so a busy machine moves values more than verdicts.")
	fmt.Fprintln(&out)

	platform := fastest(platformBin, exampleConfig, work, true)
	baseline := fastest(baselineBin, exampleConfig, work, true)
	unvalidated := fastest(platformBin, exampleConfig, work, false)
	ratio := platform.seconds / baseline.seconds
	fmt.Fprintln(&out, "| Measure | Value | Target |")
	fmt.Fprintln(&out, "|---|---|---|")
	fmt.Fprintf(&out, "| synth example.json | %.1f s (%.1f s CPU) | |\n", platform.seconds, platform.cpu)
	fmt.Fprintf(&out, "| synth baseline (one bucket) | %.1f s (%.1f s CPU) | |\n", baseline.seconds, baseline.cpu)
	fmt.Fprintf(&out, "| ratio example / baseline | %.1f× | ≤ %.1f× %s |\n", ratio, maxRatio, verdict(ratio <= maxRatio))
	fmt.Fprintf(&out, "| ratio example / baseline in CPU time (steadier on a busy machine) | %.1f× | |\n", platform.cpu/baseline.cpu)
	fmt.Fprintf(&out, "| synth example.json, validator off | %.1f s (%.1f s CPU; %.1f× baseline) | |\n", unvalidated.seconds, unvalidated.cpu, unvalidated.seconds/baseline.seconds)
	fmt.Fprintf(&out, "| peak memory, synth example.json | %d MiB | < %d MiB %s |\n", platform.maxRSS/1024, maxPeakMiB, verdict(platform.maxRSS/1024 < maxPeakMiB))

	var oneRegion float64
	var growth []string
	for _, n := range []int{1, 2, 3, 4, 6} {
		m := fastest(platformBin, scalingConfig(n), work, true)
		if n == 1 {
			oneRegion = m.seconds
		}
		growth = append(growth, fmt.Sprintf("%.1f", m.seconds))
		if n == 6 {
			grow := m.seconds / oneRegion
			fmt.Fprintf(&out, "| synth of 1 / 2 / 3 / 4 / 6 regions | %s s | 6 regions ≤ %.0f× 1 region (%.2f×) %s |\n", strings.Join(growth, " / "), maxRegionGrow, grow, verdict(grow <= maxRegionGrow))
		}
	}

	// The packages make test runs, in its order (the Makefile's TEST_PACKAGES).
	packages := os.Args[1:]
	if len(packages) == 0 {
		packages = []string{"./..."}
	}
	tests := runSuite(packages)
	fmt.Fprintf(&out, "| `go test %s` warm, no test cache | %.0f s (%.0f s CPU) | ≤ %.0f s %s |\n", strings.Join(packages, " "), tests.wall.Seconds(), tests.cpu.Seconds(), maxSuiteWall, verdict(tests.wall.Seconds() <= maxSuiteWall))
	fmt.Fprintf(&out, "| whole-app syntheses in `./test` | %s | the budget in test/variants_test.go |\n", tests.syntheses)

	stacks, err := assembly.Read(platform.outdir)
	check(err)
	pipeline, pipelineSummary := pipelineSection(stacks)
	fmt.Fprintf(&out, "| push to production (estimate) | %s | |\n", pipelineSummary)
	sort.Slice(stacks, func(i, j int) bool { return stacks[i].TemplateBytes > stacks[j].TemplateBytes })
	largestResources, largestBytes := 0, 0
	for _, s := range stacks {
		largestResources = max(largestResources, len(s.Template.Resources))
		largestBytes = max(largestBytes, s.TemplateBytes)
	}
	fmt.Fprintf(&out, "| largest stack, resources | %d | < %d (half of %d) %s |\n", largestResources, maxResources/2, maxResources, verdict(largestResources < maxResources/2))
	fmt.Fprintf(&out, "| largest template | %.0f KiB | < %d KiB (half of 1 MiB) %s |\n", float64(largestBytes)/1024, maxTemplateBytes/2/1024, verdict(largestBytes < maxTemplateBytes/2))

	fmt.Fprint(&out, tests.table())
	fmt.Fprint(&out, pipeline)

	fmt.Fprintln(&out, "\n## Stacks of example.json\n\n| Stack | Resources | Template |\n|---|---|---|")
	for _, s := range stacks {
		fmt.Fprintf(&out, "| %s | %d | %.1f KiB |\n", s.Name, len(s.Template.Resources), float64(s.TemplateBytes)/1024)
	}

	fmt.Fprintln(&out, "\n## Go benchmarks\n\n```")
	fmt.Fprint(&out, goBenchmarks())
	fmt.Fprintln(&out, "```")

	fmt.Print(out.String())
	check(os.MkdirAll("bench", 0o755))
	check(os.WriteFile(resultsFile, []byte(out.String()), 0o644))
	writeSpeedTable(out.String())
	fmt.Fprintf(os.Stderr, "written to %s and the speed table of %s\n", resultsFile, speedTableDoc)
}

// writeSpeedTable rewrites the speed table of docs/development.md from results.
func writeSpeedTable(results string) {
	block, err := projectSpeedTable(results)
	check(err)
	doc, err := os.ReadFile(speedTableDoc)
	check(err)
	updated, err := spliceSpeedTable(string(doc), block)
	check(err)
	check(os.WriteFile(speedTableDoc, []byte(updated), 0o644))
}

// fastest synthesizes config with binary `runs` times and returns the fastest run; validate
// false switches CDK's validator off (CDK_VALIDATION=false), as make diff does.
func fastest(binary, config, work string, validate bool) measurement {
	var best measurement
	for i := range runs {
		outdir := filepath.Join(work, fmt.Sprintf("%s-%s-%t-%d", filepath.Base(binary), strings.TrimSuffix(filepath.Base(config), ".json"), validate, i))
		cmd := exec.Command("npx", "--no-install", "cdk", "synth", "--quiet", "--app", binary, "-o", outdir, "-c", "config="+config)
		cmd.Env = append(os.Environ(), "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION=20", fmt.Sprintf("CDK_VALIDATION=%t", validate))
		var output strings.Builder
		cmd.Stdout, cmd.Stderr = &output, &output
		start := time.Now()
		if err := cmd.Run(); err != nil {
			fail("synth of %s with %s: %v\n%s", config, binary, err, output.String())
		}
		m := measurement{seconds: time.Since(start).Seconds(), outdir: outdir}
		if usage, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage); ok {
			m.maxRSS = usage.Maxrss
			m.cpu = float64(usage.Utime.Nano()+usage.Stime.Nano()) / 1e9
		}
		if best.seconds == 0 || m.seconds < best.seconds {
			best = m
		}
	}
	return best
}

// scalingDir holds the scaling configs during a run, relative to the repository root.
const scalingDir = ".bench"

// scalingConfig writes a platform with one environment in the first n scaling regions.
func scalingConfig(n int) string {
	var regions []map[string]any
	for i, r := range scalingRegions[:n] {
		regions = append(regions, map[string]any{"region": r, "cidr": fmt.Sprintf("10.%d.0.0/16", 100+i), "natGateways": 1})
	}
	platform := map[string]any{
		"name": "bench", "owner": "bench", "alertEmails": []string{"bench@example.com"},
		"pipeline": map[string]any{"account": "333333333333", "region": "us-east-1", "approvers": []string{"arn:aws:iam::333333333333:role/ReleaseManagers"},
			"source": map[string]any{"codeCommit": map[string]any{"repository": "bench"}}},
		// The observer region runs none of the scaling regions' workload.
		"environments": []any{map[string]any{"name": "prod", "account": "222222222222", "regions": regions, "observerRegion": "ca-central-1"}},
	}
	data, err := json.MarshalIndent(platform, "", "  ")
	check(err)
	// The app refuses a config outside the repository (the pipeline could not read it), so the
	// scaling configs live in .bench/ (git-ignored) for the run.
	check(os.MkdirAll(scalingDir, 0o755))
	file := filepath.Join(scalingDir, fmt.Sprintf("regions-%d.json", n))
	check(os.WriteFile(file, data, 0o644))
	return file
}

func goBenchmarks() string {
	cmd := exec.Command("go", "test", "-run", "^$", "-bench", ".", "-benchtime", "3x", "-benchmem", "./...")
	cmd.Stderr = os.Stderr
	data, err := cmd.Output()
	if err != nil {
		fail("go test -bench: %v\n%s", err, data)
	}
	var lines []string
	scanner := bufio.NewScanner(strings.NewReader(string(data)))
	for scanner.Scan() {
		if line := scanner.Text(); strings.HasPrefix(line, "Benchmark") {
			lines = append(lines, line)
		}
	}
	return strings.Join(lines, "\n") + "\n"
}

func machine() string {
	cpu := "unknown CPU"
	if data, err := os.ReadFile("/proc/cpuinfo"); err == nil {
		for _, line := range strings.Split(string(data), "\n") {
			if name, ok := strings.CutPrefix(line, "model name"); ok {
				cpu = strings.TrimSpace(strings.TrimPrefix(strings.TrimSpace(name), ":"))
				break
			}
		}
	}
	load := ""
	if data, err := os.ReadFile("/proc/loadavg"); err == nil {
		load = "; load average " + strings.Fields(string(data))[0] + " at the start"
	}
	memory := ""
	if data, err := os.ReadFile("/proc/meminfo"); err == nil {
		var kib int64
		fmt.Sscanf(strings.SplitN(string(data), "\n", 2)[0], "MemTotal: %d kB", &kib)
		memory = fmt.Sprintf(", %.0f GiB", float64(kib)/(1<<20))
	}
	node, _ := exec.Command("node", "--version").Output()
	return fmt.Sprintf("Measured %s on %d cores (%s)%s, %s, Node %s%s.",
		time.Now().UTC().Format("2006-01-02"), runtime.NumCPU(), cpu, memory, runtime.Version(), strings.TrimSpace(string(node)), load)
}

func verdict(ok bool) string {
	if ok {
		return "✓"
	}
	return "✗"
}

func run(name string, args ...string) {
	output, err := exec.Command(name, args...).CombinedOutput()
	if err != nil {
		fail("%s %s: %v\n%s", name, strings.Join(args, " "), err, output)
	}
}

func check(err error) {
	if err != nil {
		fail("%v", err)
	}
}

func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "bench: "+format+"\n", args...)
	os.Exit(1)
}

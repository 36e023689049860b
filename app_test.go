package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/example/platform/internal/cfnvalidator"
	"github.com/example/platform/internal/configpath"
	"github.com/example/platform/lib/config"
	"github.com/example/platform/test/constructkit"
)

// runAppEnv makes the test binary run the app instead of the tests, so a test sees exactly what
// a user sees: its output and its exit status.
const runAppEnv = "PLATFORM_TEST_RUN_APP"

func TestMain(m *testing.M) {
	// The app's validator process is the binary run again: here, this test binary.
	cfnvalidator.Serve()
	if os.Getenv(runAppEnv) == "1" {
		os.Exit(run())
	}
	code := m.Run()
	appRunMu.Lock()
	for _, dir := range appRunDirs {
		os.RemoveAll(dir)
	}
	appRunMu.Unlock()
	os.Exit(code)
}

// runApp runs the app with the given CDK context, from the repository root, as cdk does.
func runApp(t *testing.T, context map[string]string) (stdout, stderr string, status int) {
	t.Helper()
	values := map[string]any{}
	for key, value := range context {
		values[key] = value
	}
	return runAppIn(t, values, t.TempDir())
}

// runAppIn runs the app the way the CDK CLI does: context in CDK_CONTEXT_JSON, the output
// directory in CDK_OUTDIR; env adds to (or overrides) the environment.
func runAppIn(t *testing.T, context map[string]any, outdir string, env ...string) (stdout, stderr string, status int) {
	t.Helper()
	contextJSON, err := json.Marshal(context)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), runAppEnv+"=1", "CDK_CONTEXT_JSON="+string(contextJSON),
		"CDK_OUTDIR="+outdir, "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION=20")
	cmd.Env = append(cmd.Env, env...)
	var out, errOut bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &errOut
	err = cmd.Run()
	// jsii-runtime-go v1.139.0's exit race is the runtime's, not the app's: the Makefile's quiet
	// cuts it, and v1.142.0, which fixes it, cannot read the cloud assembly's manifest.
	stderr = strings.ReplaceAll(errOut.String(), jsiiExitRace, "")
	if exit, ok := err.(*exec.ExitError); ok {
		return out.String(), stderr, exit.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return out.String(), stderr, 0
}

// jsiiExitRace is what jsii-runtime-go v1.139.0 prints, with no newline, in about half the runs,
// when its two waits for the Node process race at exit.
const jsiiExitRace = "Runtime process exited abnormally: waitid: no child processes"

// A config error is all the app says, run after run.
func TestApp_ConfigErrorIsTheOnlyOutput(t *testing.T) {
	_, loadErr := config.Load("config/missing.json")
	if loadErr == nil {
		t.Fatal("config/missing.json loads")
	}
	want := loadErr.Error() + "\n"
	for i := 0; i < 8; i++ {
		stdout, stderr, status := runApp(t, map[string]string{"config": "config/missing.json"})
		if status != 1 || stdout != "" || stderr != want {
			t.Fatalf("run %d: exit %d, stdout %q, stderr %q; want exit 1 and only %q", i, status, stdout, stderr, want)
		}
	}
}

// The pipeline would bake an absolute path into its Synth step and fail there; the app refuses
// it at once, with the path to pass instead.
func TestApp_RefusesAnAbsoluteConfigPath(t *testing.T) {
	abs, err := filepath.Abs("test/testdata/two-environments.json")
	if err != nil {
		t.Fatal(err)
	}
	stdout, stderr, status := runApp(t, map[string]string{"config": abs})
	// internal/configpath's tests hold the message's words; here it must be all the app says.
	_, checkErr := configpath.Check(".", abs)
	if checkErr == nil || !strings.Contains(checkErr.Error(), "make synth CONFIG=test/testdata/two-environments.json") {
		t.Fatalf("configpath.Check(%q) = %v; want it refused with the path from the root", abs, checkErr)
	}
	want := checkErr.Error() + "\n"
	if status != 1 || stdout != "" || stderr != want {
		t.Fatalf("exit %d, stdout %q, stderr %q; want exit 1 and only %q", status, stdout, stderr, want)
	}
}

func TestApp_BadConfigFailsWithEveryProblemAndWritesNothing(t *testing.T) {
	outdir := t.TempDir()
	_, stderr, code := runAppIn(t, map[string]any{"config": "test/testdata/overlap-and-unknown.json"}, outdir)

	if code != 1 {
		t.Errorf("exit status %d, want 1", code)
	}
	for _, want := range []string{
		"test/testdata/overlap-and-unknown.json: 2 problems",
		"bogusField: unknown field",
		"environments[1].regions[0].cidr: 10.10.0.0/16 overlaps environments[0].regions[0].cidr (staging/us-east-1, 10.10.0.0/16); pick a range outside 10.10.0.0/16",
	} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	if strings.Contains(stderr, "goroutine") || strings.Contains(stderr, "panic") {
		t.Errorf("stderr shows a Go stack trace:\n%s", stderr)
	}
	if entries, _ := os.ReadDir(outdir); len(entries) > 0 {
		t.Errorf("wrote %d entries to the output directory, want none", len(entries))
	}
}

// appRun is the one synthesis by the app the tests below share, run the way the CLI runs it:
// the one-region fixture (a config other than the default, chosen by context, with cdk.json's
// context; the smallest, as the in-process tests hold what each config builds) with nothing but node and npx on PATH (no docker), CDK's validator off (the
// validation tests hold it). It returns the output directory.
func appRun(t *testing.T) string {
	t.Helper()
	appRunMu.Lock()
	defer appRunMu.Unlock()
	if appRunOutdir != "" {
		return appRunOutdir
	}
	context, err := constructkit.ReadCDKJSONContext(".")
	if err != nil {
		t.Fatal(err)
	}
	context["config"] = oneRegion
	outdir, err := os.MkdirTemp("", "platform-app-")
	if err != nil {
		t.Fatal(err)
	}
	noDocker, err := os.MkdirTemp("", "platform-path-")
	if err != nil {
		t.Fatal(err)
	}
	appRunDirs = append(appRunDirs, outdir, noDocker)
	for _, tool := range []string{"node", "npx"} {
		if path, err := exec.LookPath(tool); err == nil {
			if err := os.Symlink(path, filepath.Join(noDocker, tool)); err != nil {
				t.Fatal(err)
			}
		}
	}
	if _, stderr, code := runAppIn(t, context, outdir, "PATH="+noDocker, "CDK_VALIDATION=false"); code != 0 {
		t.Fatalf("%s: exit status %d with only node and npx on PATH:\n%s", oneRegion, code, stderr)
	}
	appRunOutdir = outdir
	return outdir
}

// oneRegion is the fixture appRun synthesizes.
const oneRegion = "test/testdata/one-region-minimal.json"

var (
	appRunMu     sync.Mutex
	appRunOutdir string
	appRunDirs   []string // removed after the tests
)

func TestApp_SynthesizesTheConfigChosenByContext(t *testing.T) {
	outdir := appRun(t)
	data, err := os.ReadFile(filepath.Join(outdir, "assembly-dev", "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	var manifest struct {
		Artifacts map[string]struct {
			Type       string `json:"type"`
			Properties struct {
				StackName string `json:"stackName"`
			} `json:"properties"`
		} `json:"artifacts"`
	}
	if err := json.Unmarshal(data, &manifest); err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, a := range manifest.Artifacts {
		if a.Type == "aws:cloudformation:stack" && strings.HasSuffix(a.Properties.StackName, "-network") {
			names = append(names, a.Properties.StackName)
		}
	}
	sort.Strings(names)
	if got := strings.Join(names, ","); got != "solo-dev-us-east-1-network" {
		t.Errorf("network stacks = %s", got)
	}
}

// `make synth` and `make test` need no Docker: the app builds no image and declares no Docker
// asset, and it synthesizes with no docker on PATH.
func TestApp_SynthesizesWithoutDocker(t *testing.T) {
	outdir := appRun(t)
	assets, _ := filepath.Glob(filepath.Join(outdir, "*", "*.assets.json"))
	top, _ := filepath.Glob(filepath.Join(outdir, "*.assets.json"))
	if len(assets)+len(top) == 0 {
		t.Fatal("no asset manifests: did the synthesis write anything?")
	}
	for _, manifest := range append(assets, top...) {
		data, err := os.ReadFile(manifest)
		if err != nil {
			t.Fatal(err)
		}
		var assets struct {
			DockerImages map[string]any `json:"dockerImages"`
		}
		if err := json.Unmarshal(data, &assets); err != nil {
			t.Fatal(err)
		}
		if len(assets.DockerImages) > 0 {
			t.Errorf("%s declares Docker image assets, which would need Docker to publish", filepath.Base(manifest))
		}
	}
}

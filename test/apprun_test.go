package test

// The built app, run the way the CDK CLI runs it: compiled once per test binary, and one
// synthesis in its own process that the app tests share. A full run starts both as the package
// starts (startAppRun), so they use the second core while the in-process syntheses hold the first.

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/example/platform/test/constructkit"
	"github.com/example/platform/test/testkit"
)

var (
	appBinary    string
	appBuildErr  error
	appBuildOnce sync.Once

	appRunCount  atomic.Int32
	appRunOutdir string
	appRunErr    error
	appRunOnce   sync.Once
)

// buildApp compiles the app as `cdk synth` runs it, once per test binary, and returns the
// binary's path.
func buildApp(t *testing.T) string {
	t.Helper()
	appBuildOnce.Do(compileApp)
	if appBuildErr != nil {
		t.Fatal(appBuildErr)
	}
	return appBinary
}

func compileApp() {
	root, err := constructkit.FindRepoRoot()
	dir := ""
	if err == nil {
		dir, err = constructkit.MakeTempDir()
	}
	if err != nil {
		appBuildErr = err
		return
	}
	appBinary = filepath.Join(dir, "platform")
	build := exec.Command("go", "build", "-o", appBinary, ".")
	build.Dir = root
	if out, err := build.CombinedOutput(); err != nil {
		appBuildErr = fmt.Errorf("go build: %v\n%s", err, out)
	}
}

// runApp runs the binary the way the CDK CLI does: cdk.json's context and the chosen config
// in CDK_CONTEXT_JSON, the output directory in CDK_OUTDIR; env adds to (or overrides) the
// environment. Each run is counted against appRunBudget.
func runApp(t *testing.T, binary, configFile, outdir string, env ...string) (stderr string, exitCode int) {
	t.Helper()
	stderr, exitCode, err := execApp(binary, configFile, outdir, env...)
	if err != nil {
		t.Fatal(err)
	}
	return stderr, exitCode
}

func execApp(binary, configFile, outdir string, env ...string) (stderr string, exitCode int, err error) {
	appRunCount.Add(1)
	root, err := constructkit.FindRepoRoot()
	if err != nil {
		return "", 0, err
	}
	contextValues, err := constructkit.ReadCDKJSONContext(root)
	if err != nil {
		return "", 0, err
	}
	contextValues["config"] = configFile
	context, _ := json.Marshal(contextValues)
	cmd := exec.Command(binary)
	cmd.Dir = root
	cmd.Env = append(os.Environ(), "CDK_CONTEXT_JSON="+string(context), "CDK_OUTDIR="+outdir, "CDK_VALIDATION=false")
	cmd.Env = append(cmd.Env, env...)
	var errOut strings.Builder
	cmd.Stderr = &errOut
	err = cmd.Run()
	var exitErr *exec.ExitError
	if errors.As(err, &exitErr) {
		return errOut.String(), exitErr.ExitCode(), nil
	}
	return errOut.String(), 0, err
}

func appRuns() int { return int(appRunCount.Load()) }

// appRun is the one synthesis of the built app the tests make, the way the CLI runs it: the
// three-region fixture (a config other than the default, chosen by context) with nothing but
// node and npx on PATH (no docker). It returns the output directory.
func appRun(t *testing.T) string {
	t.Helper()
	appRunOnce.Do(synthesizeWithApp)
	if appRunErr != nil {
		t.Fatal(appRunErr)
	}
	return appRunOutdir
}

func synthesizeWithApp() {
	appBuildOnce.Do(compileApp)
	if appRunErr = appBuildErr; appRunErr != nil {
		return
	}
	var noDocker string
	appRunOutdir, appRunErr = constructkit.MakeTempDir()
	if appRunErr == nil {
		noDocker, appRunErr = constructkit.MakeTempDir()
	}
	for _, tool := range []string{"node", "npx"} {
		if path, err := exec.LookPath(tool); err == nil && appRunErr == nil {
			appRunErr = os.Symlink(path, filepath.Join(noDocker, tool))
		}
	}
	if appRunErr != nil {
		return
	}
	stderr, code, err := execApp(appBinary, threeRegions, appRunOutdir, "PATH="+noDocker)
	if err == nil && code != 0 {
		err = fmt.Errorf("%s: exit status %d with only node and npx on PATH:\n%s", threeRegions, code, stderr)
	}
	appRunErr = err
}

// startAppRun starts the app's build and run in the background in a full run of the package
// (no -run: a targeted run builds it only if a test asks).
func startAppRun() {
	if fullRun() {
		go appRunOnce.Do(func() { testkit.InBackgroundLane(synthesizeWithApp) })
	}
}

package main

import (
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/example/platform/internal/cfnvalidator"
	"github.com/example/platform/internal/configpath"
	"github.com/example/platform/lib/config"
)

// runAppEnv makes the test binary run the app instead of the tests, so a test sees exactly what
// a user sees: its output and its exit status.
const runAppEnv = "PLATFORM_TEST_RUN_APP"

func TestMain(m *testing.M) {
	// The app's validator processes are the binary run again: here, this test binary.
	cfnvalidator.Serve()
	if os.Getenv(runAppEnv) == "1" {
		os.Exit(run())
	}
	os.Exit(m.Run())
}

// runApp runs the app with the given CDK context, from the repository root, as cdk does.
func runApp(t *testing.T, context map[string]string) (stdout, stderr string, status int) {
	t.Helper()
	contextJSON, err := json.Marshal(context)
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), runAppEnv+"=1", "CDK_CONTEXT_JSON="+string(contextJSON),
		"CDK_OUTDIR="+t.TempDir(), "JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION=20")
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

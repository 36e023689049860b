package test

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/example/platform/test/constructkit"
)

var (
	appBinary    string
	appBuildErr  error
	appBuildOnce sync.Once
)

// buildApp compiles the app as `cdk synth` runs it, once per test binary, and returns the
// binary's path.
func buildApp(t *testing.T) string {
	t.Helper()
	appBuildOnce.Do(func() {
		appBinary = filepath.Join(constructkit.TempDir(t), "platform")
		build := exec.Command("go", "build", "-o", appBinary, ".")
		build.Dir = constructkit.RepoRoot(t)
		if out, err := build.CombinedOutput(); err != nil {
			appBuildErr = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if appBuildErr != nil {
		t.Fatal(appBuildErr)
	}
	return appBinary
}

// runApp runs the binary the way the CDK CLI does: cdk.json's context and the chosen config
// in CDK_CONTEXT_JSON, the output directory in CDK_OUTDIR.
func runApp(t *testing.T, binary, configFile, outdir string) (stderr string, exitCode int) {
	t.Helper()
	contextValues := *constructkit.CDKJSONContext(t)
	contextValues["config"] = configFile
	context, _ := json.Marshal(contextValues)
	cmd := exec.Command(binary)
	cmd.Dir = constructkit.RepoRoot(t)
	cmd.Env = append(os.Environ(), "CDK_CONTEXT_JSON="+string(context), "CDK_OUTDIR="+outdir, "CDK_VALIDATION=false")
	var errOut strings.Builder
	cmd.Stderr = &errOut
	err := cmd.Run()
	if exitErr, ok := err.(*exec.ExitError); ok {
		return errOut.String(), exitErr.ExitCode()
	} else if err != nil {
		t.Fatal(err)
	}
	return errOut.String(), 0
}

func TestApp_BadConfigFailsWithEveryProblemAndWritesNothing(t *testing.T) {
	outdir := t.TempDir()
	stderr, code := runApp(t, buildApp(t), "test/testdata/overlap-and-unknown.json", outdir)

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

func TestApp_SynthesizesTheConfigChosenByContext(t *testing.T) {
	outdir := t.TempDir()
	stderr, code := runApp(t, buildApp(t), "config/three-region.json", outdir)
	if code != 0 {
		t.Fatalf("exit status %d:\n%s", code, stderr)
	}
	data, err := os.ReadFile(filepath.Join(outdir, "assembly-prod", "manifest.json"))
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
	if got := strings.Join(names, ","); got != "globex-prod-ap-southeast-2-network,globex-prod-eu-west-1-network,globex-prod-us-east-1-network" {
		t.Errorf("network stacks = %s", got)
	}
}

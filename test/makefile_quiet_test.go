package test

import (
	"bytes"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/example/platform/test/constructkit"
)

// make synth runs the CLI through the Makefile's quiet: of what a stand-in CLI prints on both
// streams, the hint to name a stack, a failed app's restated exit status and jsii-runtime-go's
// glued-on exit race go; the app's own
// error, its warning and the CLI's summary stay, each on its stream and its own line; and the
// CLI's failure still fails make.
func TestMakefile_SynthDropsOnlyTheCLIsHintAndRestatedExitStatus(t *testing.T) {
	fakeCDK := filepath.Join(t.TempDir(), "cdk")
	script := `#!/usr/bin/env bash
echo "Successfully synthesized to /repo/cdk.out"
echo "Supply a stack id (pipeline, staging/us-east-1-keys) to display its template."
echo "config/acme.json: 1 problem" >&2
printf 'Runtime process exited abnormally: waitid: no child processes' >&2
echo "  name: give lowercase letters" >&2
echo "exit status 1" >&2
echo "go mod download && go run .: Subprocess exited with error 1" >&2
echo "Supply a stack id (pipeline, prod/us-east-1-keys) to display its template." >&2
echo "warning: config/acme.json is not tracked by git" >&2
exit 1
`
	if err := os.WriteFile(fakeCDK, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("make", "--no-print-directory", "--eval", "quiet-check: ; @$(call quiet,"+fakeCDK+")", "quiet-check")
	cmd.Dir = constructkit.RepoRoot(t)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	if err := cmd.Run(); err == nil {
		t.Error("make succeeded although the CLI failed")
	}
	if want := "Successfully synthesized to /repo/cdk.out\n"; stdout.String() != want {
		t.Errorf("stdout %q, want %q", stdout.String(), want)
	}
	// make's own "make: *** [quiet-check] Error 1" aside ("make[1]: ..." when make runs it, as
	// make test does), stderr holds the app's lines alone.
	makeLine := regexp.MustCompile(`^make(\[[0-9]+\])?: `)
	var lines []string
	for _, line := range strings.SplitAfter(stderr.String(), "\n") {
		if !makeLine.MatchString(line) {
			lines = append(lines, line)
		}
	}
	want := "config/acme.json: 1 problem\n  name: give lowercase letters\nwarning: config/acme.json is not tracked by git\n"
	if got := strings.Join(lines, ""); got != want {
		t.Errorf("stderr %q, want %q and make's line", stderr.String(), want)
	}
}

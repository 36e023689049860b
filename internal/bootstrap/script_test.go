package bootstrap

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

func minimalScript(t *testing.T) string {
	t.Helper()
	planned := minimalPlan(t, "")
	b, err := New(planned, stacksAt(planned, "AWS::ECS::Cluster"))
	if err != nil {
		t.Fatal(err)
	}
	return b.Script("config/acme.json", "cdk.out/bootstrap", func(string) string { return "" })
}

// make bootstrap > bootstrap.sh is a script: comments, then commands; bash parses it.
func TestScript_IsCommentsThenCommandsBashParses(t *testing.T) {
	script := minimalScript(t)
	for _, line := range strings.Split(script, "\n") {
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if line != "( set -euo pipefail" {
			t.Errorf("the first line after the comments is %q, want the subshell that holds the commands", line)
		}
		break
	}
	file := filepath.Join(t.TempDir(), "bootstrap.sh")
	if err := os.WriteFile(file, []byte(script), 0o644); err != nil {
		t.Fatal(err)
	}
	if out, err := exec.Command("bash", "-n", file).CombinedOutput(); err != nil {
		t.Errorf("bash -n: %v\n%s\n%s", err, out, script)
	}
}

// Pasted into an interactive shell, a failed check (credentials of another account) stops the
// script, not the shell.
func TestScript_AFailedCheckLeavesTheShellItIsPastedInto(t *testing.T) {
	dir := t.TempDir()
	if err := os.MkdirAll(filepath.Join(dir, "cdk.out", "bootstrap"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(dir, "bootstrap.sh"), []byte(minimalScript(t)), 0o644); err != nil {
		t.Fatal(err)
	}
	// aws answers another account, npx must never run; the shell sources the script as pasted.
	shell := `aws() { echo 999999999999; }; npx() { echo "npx ran" >&2; }; source ./bootstrap.sh; echo "shell still here: $?"`
	cmd := exec.Command("bash", "-c", shell)
	cmd.Dir = dir
	out, _ := cmd.CombinedOutput()
	if !strings.Contains(string(out), "shell still here: 1") || strings.Contains(string(out), "npx ran") {
		t.Errorf("the script's failed check must stop it (status 1) and leave the shell; got:\n%s", out)
	}
	if !strings.Contains(string(out), "the credentials are not account") {
		t.Errorf("the check says why it stopped; got:\n%s", out)
	}
}

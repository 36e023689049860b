package configpath_test

import (
	"errors"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/example/platform/internal/configpath"
	"github.com/example/platform/lib/config"
)

// refused checks that Check refuses path with one message that names the file and contains each of want.
func refused(t *testing.T, root, path string, want ...string) {
	t.Helper()
	got, err := configpath.Check(root, path)
	var cfgErr *config.Error
	if !errors.As(err, &cfgErr) {
		t.Fatalf("Check(%q) = %q, %v; want a *config.Error", path, got, err)
	}
	if cfgErr.File != path || len(cfgErr.Problems) != 1 {
		t.Fatalf("Check(%q): want one problem naming the file, got %v", path, err)
	}
	for _, w := range want {
		if !strings.Contains(err.Error(), w) {
			t.Errorf("Check(%q) says %q; want it to say %q", path, err, w)
		}
	}
}

func TestCheck_RefusesAnAbsolutePath(t *testing.T) {
	refused(t, t.TempDir(), "/home/me/platforms/initech.json",
		"/home/me/platforms/initech.json: 1 problem", "an absolute path", "make synth CONFIG=config/initech.json")
}

func TestCheck_RefusesAnAbsolutePathIntoTheRepositoryAndNamesItFromTheRoot(t *testing.T) {
	root := t.TempDir()
	refused(t, root, filepath.Join(root, "config", "teams", "initech.json"),
		"an absolute path", "make synth CONFIG=config/teams/initech.json")
}

func TestCheck_RefusesAPathOutsideTheRepository(t *testing.T) {
	for _, path := range []string{"../initech.json", "config/../../platforms/initech.json", ".."} {
		refused(t, ".", path, "outside the repository", "commit it")
	}
}

func TestCheck_NamesAPathInTheRepositoryFromTheRoot(t *testing.T) {
	for path, want := range map[string]string{
		"config/initech.json":             "config/initech.json",
		"./config/initech.json":           "config/initech.json",
		"config/../config/initech.json":   "config/initech.json",
		"config/..hidden/initech.json":    "config/..hidden/initech.json",
		"platforms//initech/initech.json": "platforms/initech/initech.json",
	} {
		got, err := configpath.Check(".", path)
		if err != nil || got != want {
			t.Errorf("Check(%q) = %q, %v; want %q", path, got, err, want)
		}
	}
}

func TestUntracked_WarnsOnlyForAFileGitDoesNotTrack(t *testing.T) {
	if _, err := exec.LookPath("git"); err != nil {
		t.Skip("no git")
	}
	root := t.TempDir()
	for _, name := range []string{"tracked.json", "untracked.json"} {
		if err := os.WriteFile(filepath.Join(root, name), []byte("{}"), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if got := configpath.Untracked(root, "untracked.json"); got != "" {
		t.Errorf("outside a git repository: got %q, want no warning (nothing to ask)", got)
	}
	for _, args := range [][]string{{"init", "-q"}, {"add", "tracked.json"}} {
		git := exec.Command("git", args...)
		git.Dir = root
		if out, err := git.CombinedOutput(); err != nil {
			t.Fatalf("git %v: %v %s", args, err, out)
		}
	}
	if got := configpath.Untracked(root, "tracked.json"); got != "" {
		t.Errorf("tracked file: got %q, want no warning", got)
	}
	got := configpath.Untracked(root, "untracked.json")
	for _, want := range []string{"warning: untracked.json is not tracked by git", "git add untracked.json"} {
		if !strings.Contains(got, want) {
			t.Errorf("untracked file: got %q, want it to say %q", got, want)
		}
	}
}

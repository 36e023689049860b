// Package configpath holds the config file a synth reads to what the pipeline can read too: the
// pipeline synthesizes the same path again in its own checkout of the repository, which has
// only the repository's committed files, at the same paths from its root.
package configpath

import (
	"fmt"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/example/platform/lib/config"
)

// Check returns path as the pipeline must name it (relative to the repository root, cleaned,
// with forward slashes), or a *config.Error naming path, why the pipeline cannot read it and
// what to pass instead. path is as given on the command line; root is the repository root,
// which cdk runs the app from.
func Check(root, path string) (string, error) {
	// The path to suggest: the same file's from the root if it is in the repository already.
	suggest := "config/" + filepath.Base(path)
	if filepath.IsAbs(path) {
		if abs, err := filepath.Abs(root); err == nil {
			if rel, err := filepath.Rel(abs, path); err == nil && !outside(rel) {
				suggest = filepath.ToSlash(rel)
			}
		}
		return "", refuse(path, "an absolute path; the pipeline synthesizes this path again in its own checkout of the repository, where it does not exist. "+
			"Pass the file's path from the repository root, with the file committed there: make synth CONFIG="+suggest)
	}
	clean := filepath.Clean(path)
	if outside(clean) {
		return "", refuse(path, "outside the repository; the pipeline synthesizes this path again in its own checkout of the repository, which holds only the repository's files. "+
			"Move the file into the repository's config/ folder, commit it, and pass its path from the repository root: make synth CONFIG="+suggest)
	}
	return filepath.ToSlash(clean), nil
}

// outside reports whether a cleaned relative path leaves the directory it is relative to.
func outside(rel string) bool {
	return rel == ".." || strings.HasPrefix(rel, "../") || strings.HasPrefix(rel, ".."+string(filepath.Separator))
}

func refuse(path, message string) error {
	return &config.Error{File: path, Problems: []config.Problem{{Message: message}}}
}

// Untracked returns a warning when git, in the repository at root, does not track path (a path
// Check returned): the pipeline, which builds what is committed, will not find the file. It
// returns "" when path is tracked, and when there is no git or no repository to ask (a build
// from a source archive), since then there is nothing to say.
func Untracked(root, path string) string {
	git := exec.Command("git", "rev-parse", "--is-inside-work-tree")
	git.Dir = root
	if out, err := git.Output(); err != nil || strings.TrimSpace(string(out)) != "true" {
		return ""
	}
	git = exec.Command("git", "ls-files", "--error-unmatch", "--", path)
	git.Dir = root
	if err := git.Run(); err == nil {
		return ""
	}
	return fmt.Sprintf("warning: %s is not tracked by git; the pipeline synthesizes it from the repository, where it does not exist yet. "+
		"Commit it (git add %s && git commit) before you deploy or push the pipeline.", path, path)
}

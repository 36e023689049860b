package test

import (
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"github.com/example/platform/test/constructkit"
	"github.com/example/platform/test/testkit"
)

// The tests switch CDK's validator off for every synthesis but the validation tests'; every
// synthesis that deploys keeps it on: `make synth` (which the pipeline's Synth step and the
// buildspec run, and whose assembly the pipeline deploys) and the app itself set no
// CDK_VALIDATION, and the pipeline's Synth step runs `make synth`. Only `make diff`, which
// deploys nothing, switches it off.
func TestValidator_StaysOnInEverySynthesisThatDeploys(t *testing.T) {
	root := constructkit.RepoRoot(t)
	read := func(file string) string {
		data, err := os.ReadFile(filepath.Join(root, file))
		if err != nil {
			t.Fatal(err)
		}
		return string(data)
	}
	recipe := regexp.MustCompile(`(?m)^synth:.*\n((?:\t.*\n)+)`).FindStringSubmatch(read("Makefile"))
	if recipe == nil {
		t.Fatal("the Makefile has no synth target")
	}
	for file, text := range map[string]string{"Makefile's synth recipe": recipe[1], "buildspec.yml": read("buildspec.yml"), "app.go": read("app.go"), "cdk.json": read("cdk.json")} {
		if strings.Contains(text, "CDK_VALIDATION") {
			t.Errorf("%s sets CDK_VALIDATION: the synthesis that deploys must run CDK's validator", file)
		}
	}
}

// The pipeline deploys what its Synth step's `make synth` wrote, the validator on.
func TestValidator_RunsInThePipelinesSynthesis(t *testing.T) {
	p := testkit.Synth(t, twoEnvironments)
	pipeline, res := pipelineOf(t, p)
	synth := projectOf(t, res, mustAction(t, stageNamed(t, pipeline, "Build"), "Synth"))
	if source := jsonOf(synth["Source"]); !strings.Contains(source, "make synth") || strings.Contains(source, "CDK_VALIDATION") {
		t.Errorf("the pipeline's Synth step does not run make synth with the validator on: %s", source)
	}
}

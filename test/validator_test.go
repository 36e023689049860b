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
// buildspec run, and whose assembly the pipeline deploys) sets no CDK_VALIDATION, the pipeline's
// Synth step runs `make synth`, and the app, unless CDK_VALIDATION is false, runs CDK's validator
// in processes of its own (internal/cfnvalidator) in place of CDK's in its Node process. Only
// `make diff`, which deploys nothing, switches it off.
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
	for file, text := range map[string]string{"Makefile's synth recipe": recipe[1], "buildspec.yml": read("buildspec.yml"), "cdk.json": read("cdk.json")} {
		if strings.Contains(text, "CDK_VALIDATION") {
			t.Errorf("%s sets CDK_VALIDATION: the synthesis that deploys must run CDK's validator", file)
		}
	}
	// TestPlatform_CloudFormationValidationRejectsAnInvalidTemplate holds that the plugin fails a
	// synthesis as CDK's own validator does; this, that the app hands CDK the plugin.
	app := read("app.go")
	for _, want := range []string{`os.Getenv("CDK_VALIDATION") != "false"`, "cfnvalidator.NewPlugin()", "awscdk.Validations_Of(app).AddPlugins(validator)"} {
		if !strings.Contains(app, want) {
			t.Errorf("app.go has no %s: the synthesis that deploys must run CDK's validator, in its own processes unless switched off", want)
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

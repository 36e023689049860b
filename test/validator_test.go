package test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/jsii-runtime-go"

	"github.com/example/platform/internal/cfnvalidator"
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
	for _, want := range []string{`os.Getenv("CDK_VALIDATION") != "false"`, "cfnvalidator.NewPlugin(nil)", "awscdk.Validations_Of(app).AddPlugins(validator)"} {
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

// The app hands the validator each stage's templates as soon as the pipeline has written them
// (cfnvalidator.Plugin.Prevalidate): what that early check finds fails the synthesis as any
// finding does, with no second check of the same template, and a stage with a template written
// again after it is checked again, as it is then.
func TestValidator_ChecksAStageEarlyAndAgainIfItsTemplateChanged(t *testing.T) {
	build := func() (awscdk.App, awscdk.Stage, *cfnvalidator.Plugin) {
		app := constructkit.NewApp(t)
		stage := awscdk.NewStage(app, jsii.String("Early"), nil)
		stack := awscdk.NewStack(stage, jsii.String("Test"), &awscdk.StackProps{Env: &awscdk.Environment{Account: jsii.String(constructkit.TestAccount), Region: jsii.String("us-east-1")}})
		awss3.NewCfnBucket(stack, jsii.String("Bad"), &awss3.CfnBucketProps{BucketName: jsii.String("Not_A_Valid_Bucket")})
		// A second stack, unchanged: the early check's findings are one report over both.
		other := awscdk.NewStack(stage, jsii.String("Other"), &awscdk.StackProps{Env: &awscdk.Environment{Account: jsii.String(constructkit.TestAccount), Region: jsii.String("us-east-1")}})
		awss3.NewCfnBucket(other, jsii.String("Good"), nil)
		plugin := cfnvalidator.NewPlugin(testkit.ValidatorProcess(t))
		awscdk.Validations_Of(app).AddPlugins(plugin)
		return app, stage, plugin
	}
	synth := func(app awscdk.App) (failure any) {
		defer func() { failure = recover() }()
		app.Synth(nil)
		return nil
	}

	process := testkit.ValidatorProcess(t)
	app, stage, plugin := build()
	before := process.Requests()
	plugin.Prevalidate(stage)
	if failure := synth(app); failure == nil || !slices.Contains(validatorErrors(t, *app.Outdir()), "Bad") {
		t.Errorf("the early check's finding did not fail the synthesis: %v", failure)
	}
	if checks := process.Requests() - before; checks != 1 {
		t.Errorf("the validator checked the stage %d times, want once, early", checks)
	}

	app, stage, plugin = build()
	before = process.Requests()
	plugin.Prevalidate(stage)
	// The bad stack's template, written again with a valid name after its early check.
	var template string
	for _, s := range cfnvalidator.Stacks(stage.Synth(nil)) {
		if strings.HasSuffix(*s.StackConstructPath, "Test") {
			template = *s.TemplatePath
		}
	}
	data, err := os.ReadFile(template)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(template, []byte(strings.ReplaceAll(string(data), "Not_A_Valid_Bucket", "a-valid-bucket")), 0o644); err != nil {
		t.Fatal(err)
	}
	if failure := synth(app); failure != nil {
		t.Errorf("a template fixed after its early check still failed the synthesis: %v", failure)
	}
	if checks := process.Requests() - before; checks != 2 {
		t.Errorf("the validator checked the stage %d times, want twice: early, and again once a template of it changed", checks)
	}
}

// validatorErrors are the logical IDs of the resources CDK's CloudFormation validator reported
// an error on, from the validation-report.json of outdir.
func validatorErrors(t *testing.T, outdir string) []string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(outdir, "validation-report.json"))
	if err != nil {
		t.Fatal(err)
	}
	var report struct {
		PluginReports []struct {
			PluginName, Conclusion string
			Violations             []struct {
				Severity            string
				ViolatingConstructs []struct {
					CloudFormationResource struct{ LogicalId string }
				}
			}
		}
	}
	if err := json.Unmarshal(data, &report); err != nil {
		t.Fatal(err)
	}
	var ids []string
	for _, plugin := range report.PluginReports {
		for _, v := range plugin.Violations {
			for _, c := range v.ViolatingConstructs {
				if plugin.PluginName == cfnvalidator.Name && plugin.Conclusion == "failure" && v.Severity == "error" {
					ids = append(ids, c.CloudFormationResource.LogicalId)
				}
			}
		}
	}
	return ids
}

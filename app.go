// Command platform synthesizes the multi-region SaaS platform described by one config file.
// The file is chosen with the CDK context value "config" (default config/example.json).
package main

import (
	"cmp"
	"fmt"
	"os"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"

	"github.com/example/platform/internal/cdkcontext"
	"github.com/example/platform/internal/cfnvalidator"
	"github.com/example/platform/internal/configpath"
	"github.com/example/platform/internal/toolchain"
	"github.com/example/platform/lib/config"
	"github.com/example/platform/stacks"
)

const defaultConfig = "config/example.json"

func main() {
	// A validator's process (started below) is this binary run again.
	cfnvalidator.Serve()
	os.Exit(run())
}

func run() int {
	// The config first, before the App starts its Node process: a config error is the user's to
	// fix, all the app says, and quick to say.
	context, err := cdkcontext.FromEnvironment()
	var (
		path     string
		platform *config.Platform
		tools    toolchain.Toolchain
	)
	if err == nil {
		path, platform, tools, err = load(context)
	}
	if err != nil {
		// A config (or pinned-version) error is the user's to fix: say what is wrong, write no templates.
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	if warning := configpath.Untracked(".", path); warning != "" {
		fmt.Fprintln(os.Stderr, warning)
	}
	// CDK's CloudFormation validator runs in a process of its own (internal/cfnvalidator), which
	// builds its engine while this one builds the app, unless the caller switched it off (make
	// diff does). CDK's own, in this process, stays off. The jsii client, made as packages
	// initialized, has not started Node yet: closing it makes the next call start one that sees it.
	var validator *cfnvalidator.Plugin
	if os.Getenv("CDK_VALIDATION") != "false" {
		os.Setenv("CDK_VALIDATION", "false")
		jsii.Close()
		validator = cfnvalidator.NewPlugin(nil)
		defer validator.Close()
		validator.Start()
	}
	defer jsii.Close()
	app := awscdk.NewApp(nil)
	for _, key := range []string{"config", "imageDigest"} {
		if got, _ := app.Node().TryGetContext(jsii.String(key)).(string); got != context.String(key) {
			fmt.Fprintf(os.Stderr, "the app read the context value %s as %q, CDK as %q: cdkcontext no longer reads the context as CDK does\n", key, context.String(key), got)
			return 1
		}
	}
	var synthesized func(awscdk.Stage)
	if validator != nil {
		awscdk.Validations_Of(app).AddPlugins(validator)
		// Each stage's templates are checked as soon as the pipeline has written them.
		synthesized = validator.Prevalidate
	}
	stacks.NewPlatform(app, platform, path, tools, synthesized)
	app.Synth(nil)
	return 0
}

// load reads the config the context chooses (default config/example.json), with the release
// the context names, and the repository's pinned tool versions.
func load(context cdkcontext.Context) (path string, platform *config.Platform, tools toolchain.Toolchain, err error) {
	path = cmp.Or(context.String("config"), defaultConfig)
	// The pipeline synthesizes this path again in its checkout: refuse one it could not read there.
	if path, err = configpath.Check(".", path); err != nil {
		return
	}
	if platform, err = config.Load(path); err != nil {
		return
	}
	// The pipeline deploys the release it built with -c imageDigest=sha256:...
	if digest := context.String("imageDigest"); digest != "" {
		if err = platform.SetImageDigest(digest); err != nil {
			return
		}
	}
	// The versions the pipeline installs: go.mod's Go, package.json's CLIs. cdk runs the app
	// from the repository root.
	tools, err = toolchain.Read(".")
	return
}

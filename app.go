// Command platform synthesizes the multi-region SaaS platform described by one config file.
// The file is chosen with the CDK context value "config" (default config/example.json).
package main

import (
	"fmt"
	"os"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"

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
	// CDK's CloudFormation validator runs in processes of its own (internal/cfnvalidator),
	// started once the config loads, unless the caller switched it off (make diff does).
	validate := os.Getenv("CDK_VALIDATION") != "false"
	if validate {
		// CDK's own, in this process, stays off. The jsii client, made as packages initialized,
		// has not started Node yet: closing it makes the next call start one that sees this.
		os.Setenv("CDK_VALIDATION", "false")
		jsii.Close()
	}
	defer jsii.Close()
	app := awscdk.NewApp(nil)
	path := defaultConfig
	if chosen, ok := app.Node().TryGetContext(jsii.String("config")).(string); ok && chosen != "" {
		path = chosen
	}
	// The pipeline synthesizes this path again in its checkout: refuse one it could not read there.
	path, err := configpath.Check(".", path)
	var platform *config.Platform
	if err == nil {
		platform, err = config.Load(path)
	}
	if err == nil {
		// The pipeline deploys the release it built with -c imageDigest=sha256:...
		if digest, ok := app.Node().TryGetContext(jsii.String("imageDigest")).(string); ok && digest != "" {
			err = platform.SetImageDigest(digest)
		}
	}
	var tools toolchain.Toolchain
	if err == nil {
		// The versions the pipeline installs: go.mod's Go, package.json's CLIs. cdk runs the app
		// from the repository root.
		tools, err = toolchain.Read(".")
	}
	if err != nil {
		// A config (or pinned-version) error is the user's to fix: say what is wrong, write no templates.
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	if warning := configpath.Untracked(".", path); warning != "" {
		fmt.Fprintln(os.Stderr, warning)
	}
	var synthesized func(awscdk.Stage)
	if validate {
		validator := cfnvalidator.NewPlugin(nil)
		defer validator.Close()
		validator.Start()
		awscdk.Validations_Of(app).AddPlugins(validator)
		// Each stage's templates are checked as soon as the pipeline has written them.
		synthesized = validator.Prevalidate
	}
	stacks.NewPlatform(app, platform, path, tools, synthesized)
	app.Synth(nil)
	return 0
}

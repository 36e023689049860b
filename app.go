// Command platform synthesizes the multi-region SaaS platform described by one config file.
// The file is chosen with the CDK context value "config" (default config/example.json).
package main

import (
	"fmt"
	"os"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"

	"github.com/example/platform/internal/configpath"
	"github.com/example/platform/internal/toolchain"
	"github.com/example/platform/lib/config"
	"github.com/example/platform/stacks"
)

const defaultConfig = "config/example.json"

func main() {
	os.Exit(run())
}

func run() int {
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
	stacks.NewPlatform(app, platform, path, tools)
	app.Synth(nil)
	return 0
}

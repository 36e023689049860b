// Command preflight runs read-only AWS calls against every account-region a config deploys
// to and reports what would make the first deployment fail or misbehave, with the fix
// (docs/deploying.md, "Preflight"):
//
//	preflight -config <file> [-assembly cdk.out] [-profile <account>=<profile>,...] [-role <name>] [-json] [-credentials-only]
//
// Exit status 1 when anything blocks, or when the pipeline's account cannot be reached at all.
package main

import (
	"context"
	"flag"
	"fmt"
	"io"
	"os"

	"github.com/example/platform/internal/configpath"
	"github.com/example/platform/internal/preflight"
	"github.com/example/platform/lib/config"
	"github.com/example/platform/lib/plan"
)

func main() {
	os.Exit(run(context.Background(), os.Args[1:], os.Stdout, os.Stderr, nil))
}

// run is the command; aws, when set, replaces the operator's credentials (the tests' stub).
func run(ctx context.Context, args []string, stdout, stderr io.Writer, aws *preflight.Inputs) int {
	flags := flag.NewFlagSet("preflight", flag.ContinueOnError)
	flags.SetOutput(stderr)
	configFile := flags.String("config", "config/example.json", "the platform's config file")
	assemblyDir := flags.String("assembly", "cdk.out", "the config's synthesized cloud assembly")
	profiles := flags.String("profile", "", "a named profile per account: <account>=<profile>,...")
	role := flags.String("role", "", "a role to assume in each account without a profile, from the default credentials")
	asJSON := flags.Bool("json", false, "print JSON instead of tables")
	credentialsOnly := flags.Bool("credentials-only", false, "only check that the pipeline's account is reachable (make preflight does, before synthesizing)")
	if flags.Parse(args) != nil {
		return 2
	}
	fail := func(err error) int {
		fmt.Fprintln(stderr, "preflight:", err)
		return 1
	}
	path, err := configpath.Check(".", *configFile)
	var platform *config.Platform
	if err == nil {
		platform, err = config.Load(path)
	}
	if err != nil {
		return fail(err)
	}
	byAccount, err := preflight.ParseProfiles(*profiles)
	if err != nil {
		return fail(err)
	}
	preflight.AddEnvironmentProfiles(byAccount, os.Environ())
	creds := &preflight.Credentials{Profiles: byAccount, Role: *role}
	reach := creds.Config
	if aws != nil {
		reach = aws.AWS
	}
	// Without credentials for the pipeline's account nothing can be checked: say it once.
	if _, err := reach(ctx, platform.Pipeline.Account, platform.Pipeline.Region); err != nil {
		return fail(err)
	}
	if *credentialsOnly {
		return 0
	}
	a, err := preflight.ReadAssembly(*assemblyDir)
	if err != nil {
		return fail(err)
	}
	in := preflight.FromPlan(plan.New(platform), a)
	in.AWS = reach
	in.ConfigFile = path
	in.CLIBootstrapVersion = preflight.CLIBootstrapVersion("node_modules")
	if aws != nil && aws.LookupNS != nil {
		in.LookupNS = aws.LookupNS
	}
	findings := preflight.Run(ctx, in)
	if *asJSON {
		err = preflight.WriteJSON(stdout, findings)
	} else {
		err = preflight.WriteTable(stdout, findings)
	}
	if err != nil {
		return fail(err)
	}
	if preflight.Blocks(findings) {
		return 1
	}
	return 0
}

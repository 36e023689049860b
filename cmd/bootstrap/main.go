// Command bootstrap prepares every account of a platform for its first deployment, from the
// config and its synthesized assembly (make bootstrap):
//
//	bootstrap [-run] <cdk.out> <config file>
//
// It writes each account's CloudFormation execution policy to <cdk.out>/bootstrap/ and prints,
// per account, the commands that create the policies and the service-linked roles and run
// `cdk bootstrap` in every region; with -run it runs them, one account after the other, each
// with the AWS CLI profile named by PROFILE_<account> (or the caller's credentials).
package main

import (
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"strings"

	"github.com/example/platform/internal/assembly"
	"github.com/example/platform/internal/bootstrap"
	"github.com/example/platform/lib/config"
	"github.com/example/platform/lib/plan"
)

func main() {
	run := flag.Bool("run", false, "run the commands instead of printing them")
	flag.Parse()
	if flag.NArg() != 2 {
		fmt.Fprintln(os.Stderr, "usage: bootstrap [-run] <cdk.out> <config file>")
		os.Exit(2)
	}
	if err := prepare(flag.Arg(0), flag.Arg(1), *run); err != nil {
		fmt.Fprintln(os.Stderr, "bootstrap:", err)
		os.Exit(1)
	}
}

func prepare(dir, configFile string, run bool) error {
	platform, err := config.Load(configFile)
	if err != nil {
		return err
	}
	stacks, err := assembly.Read(dir)
	if err != nil {
		return err
	}
	b, err := bootstrap.New(plan.New(platform), stacks)
	if err != nil {
		return err
	}
	out := filepath.Join(dir, "bootstrap")
	if err := os.MkdirAll(out, 0o755); err != nil {
		return err
	}
	for _, a := range b.Accounts {
		for _, p := range a.Policies {
			if err := os.WriteFile(filepath.Join(out, p.File), p.Document(), 0o644); err != nil {
				return err
			}
		}
	}
	if !run {
		fmt.Print(b.Script(configFile, out, func(account string) string { return os.Getenv(bootstrap.ProfileVariable(account)) }))
		return nil
	}
	for _, a := range b.Accounts {
		profile := os.Getenv(bootstrap.ProfileVariable(a.ID))
		fmt.Println()
		fmt.Println(strings.Join(b.Summary(a), "\n"))
		script := "set -euo pipefail\n" + strings.Join(b.Commands(a, out, profile), "\n") + "\n"
		cmd := exec.Command("bash", "-c", script)
		cmd.Stdout, cmd.Stderr = os.Stdout, os.Stderr
		if err := cmd.Run(); err != nil {
			return fmt.Errorf("account %s: %w; fix what the command above says and run make bootstrap RUN=1 again (every step is idempotent)", a.ID, err)
		}
	}
	return nil
}

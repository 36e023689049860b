package bootstrap

import (
	"fmt"
	"maps"
	"path/filepath"
	"slices"
	"strings"
)

// ProfileVariable is the environment variable that names the AWS CLI profile for account:
// PROFILE_<account>. Unset, the commands use the caller's credentials as they are, and the
// first command stops unless they are the account's.
func ProfileVariable(account string) string { return "PROFILE_" + account }

// Commands are the shell commands that prepare account a, in order: check the credentials are
// the account's, create or update the execution policies from their documents in dir, create the
// service-linked roles, and run cdk bootstrap in every region. profile is the AWS CLI profile to
// use ("" for the caller's credentials). Each command is idempotent: running them again updates.
func (b *Bootstrap) Commands(a Account, dir, profile string) []string {
	aws := "aws"
	if profile != "" {
		aws = "aws --profile " + profile
	}
	cmds := []string{fmt.Sprintf(`test "$(%s sts get-caller-identity --query Account --output text)" = %s || { echo "the credentials are not account %s's: set %s to its AWS CLI profile" >&2; exit 1; }`,
		aws, a.ID, a.ID, ProfileVariable(a.ID))}
	for _, p := range a.Policies {
		arn, doc := p.ARN(a.ID), "file://"+filepath.Join(dir, p.File)
		cmds = append(cmds, fmt.Sprintf(`if %[1]s iam get-policy --policy-arn %[2]s >/dev/null 2>&1; then `+
			`for v in $(%[1]s iam list-policy-versions --policy-arn %[2]s --query 'Versions[?!IsDefaultVersion].VersionId' --output text); `+
			`do %[1]s iam delete-policy-version --policy-arn %[2]s --version-id "$v"; done; `+
			`%[1]s iam create-policy-version --policy-arn %[2]s --policy-document %[3]s --set-as-default >/dev/null; `+
			`else %[1]s iam create-policy --policy-name %[4]s --policy-document %[3]s --description 'CloudFormation execution policy of %[5]s (make bootstrap)' >/dev/null; fi`,
			aws, arn, doc, p.Name, b.Platform))
	}
	for _, r := range a.ServiceLinkedRoles {
		cmds = append(cmds, fmt.Sprintf(`out=$(%s iam create-service-linked-role --aws-service-name %s 2>&1) || grep -q 'has been taken in this account' <<<"$out" || { echo "$out" >&2; exit 1; }`,
			aws, r.Service))
	}
	cmds = append(cmds, b.cdkBootstrap(a, profile))
	return cmds
}

// cdkBootstrap is the cdk bootstrap command of every region of a, with the pinned CLI.
func (b *Bootstrap) cdkBootstrap(a Account, profile string) string {
	args := []string{"npx", "cdk", "bootstrap"}
	for _, region := range a.Regions {
		args = append(args, "aws://"+a.ID+"/"+region)
	}
	if profile != "" {
		args = append(args, "--profile", profile)
	}
	if a.Trust != "" {
		args = append(args, "--trust", a.Trust, "--trust-for-lookup", a.Trust)
	}
	args = append(args, "--cloudformation-execution-policies", policyARNs(a.ID, a.Policies))
	if a.Boundary != "" {
		// Without the second flag the CLI bounds the execution role only, and an organization
		// that requires the boundary refuses the publishing, lookup and deploy roles.
		args = append(args, "--custom-permissions-boundary", a.Boundary, "--apply-permissions-boundary-to-all-roles")
	}
	for _, key := range slices.Sorted(maps.Keys(a.Tags)) {
		args = append(args, "--tags", shellQuote(key+"="+a.Tags[key]))
	}
	return strings.Join(args, " ")
}

// Summary says, as shell comments, what the commands of a prepare and why.
func (b *Bootstrap) Summary(a Account) []string {
	use := "an environment account, trusting the tooling account " + a.Trust
	if a.Tooling {
		use = "the tooling account (the pipeline's)"
	}
	lines := []string{
		fmt.Sprintf("# Account %s: %s", a.ID, use),
		fmt.Sprintf("#   regions to bootstrap, and to govern under a Region deny control: %s", strings.Join(a.Regions, ", ")),
	}
	for _, p := range a.Policies {
		lines = append(lines, fmt.Sprintf("#   execution policy %s: %d actions, %d of IAM's %d characters", p.Name, len(p.Actions), p.Size(), maxPolicyChars))
	}
	if a.Boundary != "" {
		lines = append(lines, "#   permissions boundary of every bootstrap role: "+a.Boundary)
	}
	for _, r := range a.ServiceLinkedRoles {
		lines = append(lines, fmt.Sprintf("#   service-linked role %s (%s): %s", r.Role, r.Service, r.Why))
	}
	return lines
}

// Script is the script make bootstrap prints: every account's summary and commands, in a
// subshell, so that a failed command (the credentials of another account, say) stops the
// script and never the interactive shell it is pasted into. It reads the execution policies in
// dir and runs npx cdk, so it runs from the checkout that wrote them. profile names each
// account's AWS CLI profile ("" for the caller's credentials).
func (b *Bootstrap) Script(configFile, dir string, profile func(account string) string) string {
	lines := []string{
		fmt.Sprintf("# Bootstrap of %s (%s): run with make bootstrap RUN=1, or run this with each account's credentials.", b.Platform, configFile),
		"# PROFILE_<account>=<AWS CLI profile> picks each account's credentials.",
		fmt.Sprintf("# It reads %s/*.json and runs npx cdk: run it from the root of the checkout that wrote them.", dir),
		"# It runs in a subshell: a failure stops it, not the shell it is pasted into.",
		"( set -euo pipefail",
		fmt.Sprintf(`test -d %[1]s || { echo "%[1]s is not here: run this from the checkout that ran make bootstrap" >&2; exit 1; }`, dir),
	}
	for _, a := range b.Accounts {
		lines = append(lines, "")
		lines = append(lines, b.Summary(a)...)
		lines = append(lines, b.Commands(a, dir, profile(a.ID))...)
	}
	return strings.Join(append(lines, ")"), "\n") + "\n"
}

// shellQuote is s as one shell word: a tag's value may hold spaces (an owner's team name).
func shellQuote(s string) string {
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}

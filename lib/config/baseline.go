package config

import (
	"fmt"
	"slices"
	"strings"
)

// Baseline configures the security baseline of every account and region the platform uses:
// GuardDuty, Security Hub, AWS Config, CloudTrail and the auditor role. Each of the four
// services is "create" (the baseline creates it), "existing" (the organization runs it already:
// a second GuardDuty detector, Security Hub hub, Config recorder or delivery channel in an
// account-region cannot be created; the baseline keeps the rules, standards and alerts that
// need it) or "off" (neither: what needs it is left out too), for the whole platform here and
// per account and account-region in Accounts. true and false are create and off.
type Baseline struct {
	// GuardDuty creates a detector in every account-region (S3 protection, RDS login activity,
	// Lambda network activity, Runtime Monitoring with the ECS Fargate agent managed by
	// GuardDuty): "create", "existing" where the organization's GuardDuty administrator enables
	// it (the high and critical findings still alert), or "off". Default: create.
	GuardDuty ServiceMode `json:"guardDuty,omitempty"`
	// SecurityHub enables Security Hub in every account-region with the AWS Foundational
	// Security Best Practices and CIS standards, and aggregates each account's regions in its
	// home region: "create", "existing" where the organization enables it (the high and critical
	// findings still alert; the standards follow securityHubStandards; no aggregator), or "off".
	// Most of its controls need AWS Config recording. Default: create.
	SecurityHub ServiceMode `json:"securityHub,omitempty"`
	// SecurityHubStandards says who subscribes the standards where Security Hub is "existing":
	// "ours" (the baseline does) or "organization" (the organization's central configuration
	// does, and refuses a member account's changes). Default: ours.
	SecurityHubStandards string `json:"securityHubStandards,omitempty"`
	// Config records every supported resource type in every account-region (global ones in the
	// account's home region only) to an encrypted bucket, and evaluates the platform's managed
	// rules: "create", "existing" where Control Tower or the organization owns the recorders
	// (the rules still evaluate), or "off" (no rules either). Default: create.
	Config ServiceMode `json:"config,omitempty"`
	// CloudTrail creates one multi-region trail per account, in its home region, with the data
	// lake buckets' data events: "create", "existing" where an organization trail records the
	// accounts' management events (the root-user alerts still fire; the lake's data events are
	// the organization trail's to record), or "off" (no root-user alerts either: they need a
	// trail). Default: create.
	CloudTrail ServiceMode `json:"cloudTrail,omitempty"`
	// Accounts override the modes in one account each, by 12-digit account ID (an environment's
	// account or the tooling account), and in its regions.
	Accounts map[string]AccountBaseline `json:"accounts,omitempty"`
	// Auditors may assume the read-only auditor role in every environment account: the tooling
	// account's ID (whoever its IAM lets), or ARNs of its IAM roles or users. Default: the
	// tooling account.
	Auditors []string `json:"auditors,omitempty"`
	// RetentionDays is how long the trail's log files and Config's snapshots and history stay
	// in their buckets, 90 to 3653. Default: 365.
	RetentionDays int `json:"retentionDays,omitempty"`
}

// Defaults of the baseline: the baseline creates every part.
const (
	DefaultServiceMode           = ServiceCreate
	DefaultSecurityHubStandards  = StandardsOurs
	DefaultBaselineRetentionDays = 365
	minBaselineRetentionDays     = 90
	maxBaselineRetentionDays     = 3653
)

// BaselineName names the pipeline stage (and the CDK stage) of the baseline stacks, as an
// environment's name names its own: no environment may take it.
const BaselineName = "baseline"

// The regions of every environment's once-per-environment stacks: the edge (CloudFront's
// certificate, web ACL and logs must be in us-east-1) and the accelerator (Global Accelerator's
// API is served only in us-west-2). Every environment account is used there too.
const (
	EdgeRegion        = "us-east-1"
	AcceleratorRegion = "us-west-2"
)

func applyBaselineDefaults(d defaulted, b *Baseline) {
	applyServiceModeDefaults(d, b)
	d.int("baseline.retentionDays", &b.RetentionDays, DefaultBaselineRetentionDays)
}

// AuditorPrincipals are who may assume the auditor role: Auditors, else the tooling account.
func (p *Platform) AuditorPrincipals() []string {
	if len(p.Baseline.Auditors) == 0 {
		return []string{p.Pipeline.Account}
	}
	return p.Baseline.Auditors
}

// GatesAnEnvironment reports whether the pipeline waits for a person before any environment.
func (p *Platform) GatesAnEnvironment() bool {
	return slices.ContainsFunc(p.Environments, Environment.NeedsApproval)
}

func validateBaseline(p *Platform, found *problems) {
	b := p.Baseline
	validateServiceModes(p, found)
	for i, a := range b.Auditors {
		path := fmt.Sprintf("baseline.auditors[%d]", i)
		switch {
		case !principalPattern.MatchString(a):
			found.addf(path, "%q is not valid; want the tooling account's ID (%s), or the ARN of one of its IAM roles or users such as arn:aws:iam::%s:role/SecurityAuditors",
				a, p.Pipeline.Account, p.Pipeline.Account)
		case principalAccount(a) != p.Pipeline.Account && accountPattern.MatchString(p.Pipeline.Account):
			found.addf(path, "%s is not in the tooling account %s: the auditor role is assumed from the tooling account; name the account, or one of its IAM roles or users",
				a, p.Pipeline.Account)
		}
	}
	if b.RetentionDays < minBaselineRetentionDays || b.RetentionDays > maxBaselineRetentionDays {
		found.addf("baseline.retentionDays", "%d: must be %d to %d days (how long audit log files and Config history are kept)",
			b.RetentionDays, minBaselineRetentionDays, maxBaselineRetentionDays)
	}
}

// principalAccount is the account of an account ID or IAM ARN.
func principalAccount(principal string) string {
	if rest, ok := strings.CutPrefix(principal, "arn:aws:iam::"); ok {
		account, _, _ := strings.Cut(rest, ":")
		return account
	}
	return principal
}

// on reads a switch Load has set.
func on(switched *bool) bool { return switched != nil && *switched }

package config

import (
	"fmt"
	"slices"
	"strings"
)

// Baseline configures the security baseline of every account and region the platform uses:
// GuardDuty, Security Hub, AWS Config, CloudTrail and the auditor role. Every part is on by
// default; switch a part off where the organization already runs it (a second GuardDuty
// detector, Security Hub hub, Config recorder or delivery channel in an account-region cannot
// be created, and a second trail costs money for the same events).
type Baseline struct {
	// GuardDuty creates a detector in every account-region (S3 protection, RDS login activity,
	// Lambda network activity, Runtime Monitoring with the ECS Fargate agent managed by
	// GuardDuty). Switch it off when the organization's GuardDuty administrator enables it in
	// the platform's accounts. Default: true.
	GuardDuty *bool `json:"guardDuty,omitempty"`
	// SecurityHub enables Security Hub in every account-region with the AWS Foundational
	// Security Best Practices and CIS standards, and aggregates each account's regions in its
	// home region. Most of its controls need AWS Config recording. Default: true.
	SecurityHub *bool `json:"securityHub,omitempty"`
	// Config records every supported resource type in every account-region (global ones in the
	// account's home region only) to an encrypted bucket, and evaluates the platform's managed
	// rules. Switch it off when Control Tower or the organization owns the recorders. Default:
	// true.
	Config *bool `json:"config,omitempty"`
	// CloudTrail creates one multi-region trail per account, in its home region, with the data
	// lake buckets' data events. Switch it off when an organization trail already records the
	// accounts. Default: true.
	CloudTrail *bool `json:"cloudTrail,omitempty"`
	// Auditors may assume the read-only auditor role in every environment account: the tooling
	// account's ID (whoever its IAM lets), or ARNs of its IAM roles or users. Default: the
	// tooling account.
	Auditors []string `json:"auditors,omitempty"`
	// RetentionDays is how long the trail's log files and Config's snapshots and history stay
	// in their buckets, 90 to 3653. Default: 365.
	RetentionDays int `json:"retentionDays,omitempty"`
}

// Defaults of the baseline: every part on.
const (
	DefaultGuardDuty             = true
	DefaultSecurityHub           = true
	DefaultConfig                = true
	DefaultCloudTrail            = true
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

// GuardDutyOn reports whether the baseline creates GuardDuty detectors.
func (b Baseline) GuardDutyOn() bool { return on(b.GuardDuty) }

// SecurityHubOn reports whether the baseline enables Security Hub.
func (b Baseline) SecurityHubOn() bool { return on(b.SecurityHub) }

// ConfigOn reports whether the baseline creates Config recorders, delivery channels and rules.
func (b Baseline) ConfigOn() bool { return on(b.Config) }

// CloudTrailOn reports whether the baseline creates each account's trail.
func (b Baseline) CloudTrailOn() bool { return on(b.CloudTrail) }

// on reads a switch Load has set (applyBaselineDefaults).
func on(switched *bool) bool { return switched != nil && *switched }

func applyBaselineDefaults(d defaulted, b *Baseline) {
	d.bool("baseline.guardDuty", &b.GuardDuty, DefaultGuardDuty)
	d.bool("baseline.securityHub", &b.SecurityHub, DefaultSecurityHub)
	d.bool("baseline.config", &b.Config, DefaultConfig)
	d.bool("baseline.cloudTrail", &b.CloudTrail, DefaultCloudTrail)
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

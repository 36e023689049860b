package preflight

import (
	"context"
	"net"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// Inputs are what the checks read: the plan's targets, the config's choices, the synthesized
// assembly and a way to reach each account-region.
type Inputs struct {
	// Targets are every account-region the plan deploys to (the baseline's).
	Targets []Target
	// Pipeline is the tooling account and the pipeline's region; every other account's
	// bootstrap must trust it.
	Pipeline Target
	// Modes says what the config asks of each security service in each account-region.
	Modes Modes
	// Assembly is what the synthesized templates say: names, quota needs, bootstrap version.
	Assembly *Assembly
	// CLIBootstrapVersion is the version the pinned CLI's bootstrap template installs; an older
	// bootstrap is a warning (0: not known).
	CLIBootstrapVersion int
	// ConnectionArn is the pipeline's CodeConnections connection ("" for CodeCommit).
	ConnectionArn string
	// Zones are the environments' hosted zones.
	Zones []Zone
	// Grafana are the account-regions with a Managed Grafana workspace (IAM Identity Center).
	Grafana []Target
	// ImageScan is where the pipeline's image scan relies on Inspector's enhanced scanning
	// (the tooling account and region); zero when the config sets no scan threshold.
	ImageScan Target
	// Boundaries are the permissions boundary policy each account's roles carry, by account
	// (none when the config sets no boundary).
	Boundaries map[string]string
	// ConfigFile is the config's path, which fixes name ("" when not known).
	ConfigFile string
	// Environments are the config's environments by the names of their stacks.
	Environments map[string]EnvironmentRef
	// AWS gives the SDK configuration for an account-region, or why it cannot.
	AWS func(ctx context.Context, account, region string) (aws.Config, error)
	// LookupNS asks public DNS for a domain's name servers. Default: net.DefaultResolver.
	LookupNS func(ctx context.Context, domain string) ([]*net.NS, error)
}

// Zone is an environment's public hosted zone.
type Zone struct {
	Account, ID, Domain string
}

// Mode is what the config asks of a security service in one account-region.
type Mode string

// The modes, as lib/config names them.
const (
	Create   Mode = "create"
	Existing Mode = "existing"
	Off      Mode = "off"
)

// Service is one of the security services the baseline creates, adopts or leaves out.
type Service string

// The security services, as lib/config names them.
const (
	GuardDuty      Service = "guardDuty"
	SecurityHub    Service = "securityHub"
	ConfigRecorder Service = "config"
	CloudTrail     Service = "cloudTrail"
)

// Modes says what the config asks of service in an account-region.
type Modes func(service Service, account, region string) Mode

// config is the SDK configuration of t, or a finding saying why there is none.
func (in *Inputs) config(ctx context.Context, t Target, check string) (aws.Config, *Finding) {
	cfg, err := in.AWS(ctx, t.Account, t.Region)
	if err != nil {
		f := Finding{Account: t.Account, Region: t.Region, Check: check, State: Unknown,
			Detail: err.Error(), Fix: "give the preflight credentials for account " + t.Account + " (PROFILE= or ROLE=)"}
		return cfg, &f
	}
	return cfg, nil
}

package preflight

import (
	"slices"

	"github.com/example/platform/lib/config"
	"github.com/example/platform/lib/plan"
)

// FromPlan is what the plan and its config ask the preflight to check, over the assembly a.
// Inputs.AWS is left for the caller.
func FromPlan(p *plan.Plan, a *Assembly) *Inputs {
	platform := p.Platform
	in := &Inputs{
		Pipeline: Target{Account: platform.Pipeline.Account, Region: platform.Pipeline.Region},
		Modes:    modes(platform),
		Assembly: a,
	}
	in.Environments = map[string]EnvironmentRef{}
	for _, stage := range p.Environments {
		for _, s := range stage.Stacks {
			if i := slices.IndexFunc(platform.Environments, func(e config.Environment) bool { return e.Name == s.Environment }); i >= 0 {
				in.Environments[s.Name] = EnvironmentRef{Index: i, Name: s.Environment}
			}
		}
	}
	for _, ar := range p.AccountRegions {
		in.Targets = append(in.Targets, Target{Account: ar.Account, Region: ar.Region})
		if boundary := platform.BoundaryFor(ar.Account); boundary != "" {
			if in.Boundaries == nil {
				in.Boundaries = map[string]string{}
			}
			in.Boundaries[ar.Account] = boundary
		}
	}
	if c := platform.Pipeline.Source.CodeConnections; c != nil {
		in.ConnectionArn = c.ConnectionArn
	}
	for i, env := range platform.Environments {
		if env.DNS != nil {
			in.Zones = append(in.Zones, Zone{Account: env.Account, ID: env.DNS.HostedZoneID, Domain: env.DNS.DomainName})
		}
		if env.Monitoring.GrafanaOn() {
			for _, edge := range p.Environments[i].OfTier(plan.TierEdge) { // the workspace lives in the edge stack
				in.Grafana = append(in.Grafana, Target{Account: edge.Account, Region: edge.Region})
			}
		}
	}
	if platform.Service.ScanThreshold != "" {
		in.ImageScan = in.Pipeline
	}
	return in
}

// modes reads each account-region's mode from the config (platform-wide, per account and per
// account-region, as lib/config resolves them); it is the one place the checks read the config's
// choice.
func modes(p *config.Platform) Modes {
	return func(s Service, account, region string) Mode {
		return Mode(p.SecurityServiceMode(config.SecurityService(s), account, region))
	}
}

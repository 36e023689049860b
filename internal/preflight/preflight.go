// Package preflight checks, with read-only AWS calls, what would make a platform's first
// deployment fail or misbehave in each account-region it deploys to: the bootstrap, the
// security services against the modes the config asks for, fixed names that already exist,
// the prerequisites the docs list, service quotas and governed regions. Each check reports
// its state and the fix; a check that cannot call AWS says which permission it needs.
package preflight

import (
	"context"
	"slices"

	"github.com/example/platform/internal/assembly"
)

// State is a check's verdict.
type State string

const (
	// OK: nothing to do.
	OK State = "ok"
	// Warn: the deployment succeeds but something misbehaves or costs more than it should.
	Warn State = "warn"
	// Block: the deployment fails (or the pipeline stalls) until the fix is done.
	Block State = "block"
	// Unknown: the check could not call AWS; Fix names the permission it needs.
	Unknown State = "could not check"
)

// Finding is one check's verdict in one account-region ("global" for account-wide checks).
type Finding struct {
	Account string `json:"account"`
	Region  string `json:"region"`
	Check   string `json:"check"`
	State   State  `json:"state"`
	// Detail says what the check found; Fix what to do about it (empty when OK).
	Detail string `json:"detail"`
	Fix    string `json:"fix,omitempty"`
}

// Target is one account-region the platform deploys to.
type Target struct {
	Account, Region string
}

// Check is one family of checks over every target.
type Check func(ctx context.Context, in *Inputs) []Finding

// Checks are every check family, in report order.
var Checks = []Check{Regions, Bootstrap, Stacks, SecurityServices, Names, MasterUsers, Prerequisites, Quotas}

// Run runs every check and returns the findings sorted by account, region, then check order.
// An account the credentials cannot reach is one finding, not one per check.
func Run(ctx context.Context, in *Inputs) []Finding {
	all, reachable := in.reachable(ctx)
	for _, check := range Checks {
		all = append(all, check(ctx, reachable)...)
	}
	slices.SortStableFunc(all, func(a, b Finding) int {
		if a.Account != b.Account {
			return compare(a.Account, b.Account)
		}
		return compare(a.Region, b.Region)
	})
	return all
}

// reachable are the inputs without the accounts the credentials cannot reach, and a finding
// for each of those.
func (in *Inputs) reachable(ctx context.Context) ([]Finding, *Inputs) {
	var out []Finding
	down := map[string]bool{}
	accounts := []string{in.Pipeline.Account}
	for _, t := range in.Targets {
		accounts = append(accounts, t.Account)
	}
	for _, z := range in.Zones {
		accounts = append(accounts, z.Account)
	}
	for _, id := range accounts {
		if _, seen := down[id]; seen || id == "" {
			continue
		}
		_, err := in.AWS(ctx, id, in.Pipeline.Region)
		down[id] = err != nil
		if err != nil {
			out = append(out, Finding{Account: id, Region: "all", Check: "credentials", State: Unknown, Detail: err.Error(),
				Fix: "give the preflight credentials for account " + id + " (PROFILE=" + id + "=<profile> or ROLE=<name>)"})
		}
	}
	r := *in
	keep := func(ts []Target) []Target {
		return slices.DeleteFunc(slices.Clone(ts), func(t Target) bool { return down[t.Account] })
	}
	r.Targets, r.Grafana = keep(in.Targets), keep(in.Grafana)
	r.Zones = slices.DeleteFunc(slices.Clone(in.Zones), func(z Zone) bool { return down[z.Account] })
	if down[in.Pipeline.Account] {
		r.ConnectionArn, r.ImageScan = "", Target{}
	}
	stacks := slices.DeleteFunc(slices.Clone(in.Assembly.Stacks), func(s *assembly.Stack) bool { return down[s.Account] })
	r.Assembly = &Assembly{Stacks: stacks, BootstrapVersion: in.Assembly.BootstrapVersion}
	return out, &r
}

// Blocks reports whether any finding blocks the deployment (what could not be checked does not).
func Blocks(findings []Finding) bool {
	return slices.ContainsFunc(findings, func(f Finding) bool { return f.State == Block })
}

func compare(a, b string) int {
	switch {
	case a < b:
		return -1
	case a > b:
		return 1
	}
	return 0
}

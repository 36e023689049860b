package config

import (
	"cmp"
	"encoding/json"
	"fmt"
	"slices"
	"sort"
	"strings"
)

// ServiceMode is what the baseline does about one security service in an account-region.
type ServiceMode string

// The modes of a security service.
const (
	ServiceCreate   ServiceMode = "create"   // the baseline creates it
	ServiceExisting ServiceMode = "existing" // the organization runs it; keep what depends on it
	ServiceOff      ServiceMode = "off"      // neither; dependents are left out too
)

// ServiceModes are the modes a config may name, in order.
var ServiceModes = []ServiceMode{ServiceCreate, ServiceExisting, ServiceOff}

// Runs reports whether the service runs in the account-region, the baseline's or the
// organization's: what depends on it (rules, routes) is kept.
func (m ServiceMode) Runs() bool { return m == ServiceCreate || m == ServiceExisting }

// UnmarshalJSON reads a mode, or a boolean of an earlier config (true is create, false off).
// It never fails: a value of another type is left empty for checkShape to report, a string
// that names no mode is kept for validation to report.
func (m *ServiceMode) UnmarshalJSON(data []byte) error {
	var on bool
	if json.Unmarshal(data, &on) == nil {
		*m = ServiceOff
		if on {
			*m = ServiceCreate
		}
		return nil
	}
	var s string
	if json.Unmarshal(data, &s) == nil {
		*m = ServiceMode(s)
	}
	return nil
}

// checkJSON accepts what UnmarshalJSON reads: a string or a boolean.
func (ServiceMode) checkJSON(value any) string {
	switch value.(type) {
	case string, bool:
		return ""
	}
	return fmt.Sprintf("%s: expected \"create\", \"existing\" or \"off\"", describe(value))
}

// SecurityService is one of the services of the baseline that exist once per account-region (or,
// for the trail, the organization may run instead).
type SecurityService string

// The security services whose mode a config sets.
const (
	GuardDuty      SecurityService = "guardDuty"
	SecurityHub    SecurityService = "securityHub"
	ConfigRecorder SecurityService = "config"
	CloudTrail     SecurityService = "cloudTrail"
)

// SecurityServices are every security service, in the baseline's order.
var SecurityServices = []SecurityService{GuardDuty, SecurityHub, ConfigRecorder, CloudTrail}

// Who subscribes Security Hub's standards where the hub exists already.
const (
	StandardsOurs         = "ours"         // the baseline subscribes them
	StandardsOrganization = "organization" // the organization's central configuration owns them
)

// AccountBaseline overrides the platform's baseline modes in one account: each field left out
// takes the platform's (baseline.guardDuty and so on).
type AccountBaseline struct {
	// GuardDuty is create, existing or off in this account. Default: the platform's.
	GuardDuty ServiceMode `json:"guardDuty,omitempty"`
	// SecurityHub is create, existing or off in this account. Default: the platform's.
	SecurityHub ServiceMode `json:"securityHub,omitempty"`
	// SecurityHubStandards is ours or organization in this account. Default: the platform's.
	SecurityHubStandards string `json:"securityHubStandards,omitempty"`
	// Config is create, existing or off in this account. Default: the platform's.
	Config ServiceMode `json:"config,omitempty"`
	// CloudTrail is create, existing or off in this account: the trail is the account's, one
	// multi-region trail in its home region, so no region overrides it. Default: the platform's.
	CloudTrail ServiceMode `json:"cloudTrail,omitempty"`
	// Regions override the account's modes in one region each, by region code (a region the
	// platform uses in the account).
	Regions map[string]RegionBaseline `json:"regions,omitempty"`
}

// RegionBaseline overrides an account's baseline modes in one region: each field left out takes
// the account's.
type RegionBaseline struct {
	// GuardDuty is create, existing or off in this account-region. Default: the account's.
	GuardDuty ServiceMode `json:"guardDuty,omitempty"`
	// SecurityHub is create, existing or off in this account-region. Default: the account's.
	SecurityHub ServiceMode `json:"securityHub,omitempty"`
	// SecurityHubStandards is ours or organization in this account-region. Default: the
	// account's.
	SecurityHubStandards string `json:"securityHubStandards,omitempty"`
	// Config is create, existing or off in this account-region. Default: the account's.
	Config ServiceMode `json:"config,omitempty"`
}

// SecurityServiceMode is the mode of one service in one account-region after platform, account
// and account-region overrides.
func (p Platform) SecurityServiceMode(s SecurityService, account, region string) ServiceMode {
	b := p.Baseline
	mode := b.modes()[s]
	a, ok := b.Accounts[account]
	if !ok {
		return mode
	}
	if m := a.modes()[s]; m != "" {
		mode = m
	}
	if m := a.Regions[region].modes()[s]; m != "" {
		mode = m
	}
	return mode
}

// OwnsSecurityHubStandards reports whether the baseline subscribes Security Hub's standards in
// an account-region: where it creates the hub, and where the hub exists and the config says
// the standards are ours (not the organization's central configuration's).
func (p Platform) OwnsSecurityHubStandards(account, region string) bool {
	switch p.SecurityServiceMode(SecurityHub, account, region) {
	case ServiceCreate:
		return true
	case ServiceExisting:
		return p.securityHubStandards(account, region) == StandardsOurs
	}
	return false
}

func (p Platform) securityHubStandards(account, region string) string {
	owner := p.Baseline.SecurityHubStandards
	if a, ok := p.Baseline.Accounts[account]; ok {
		owner = cmp.Or(a.Regions[region].SecurityHubStandards, a.SecurityHubStandards, owner)
	}
	return owner
}

func (b Baseline) modes() map[SecurityService]ServiceMode {
	return map[SecurityService]ServiceMode{GuardDuty: b.GuardDuty, SecurityHub: b.SecurityHub, ConfigRecorder: b.Config, CloudTrail: b.CloudTrail}
}

func (a AccountBaseline) modes() map[SecurityService]ServiceMode {
	return map[SecurityService]ServiceMode{GuardDuty: a.GuardDuty, SecurityHub: a.SecurityHub, ConfigRecorder: a.Config, CloudTrail: a.CloudTrail}
}

func (r RegionBaseline) modes() map[SecurityService]ServiceMode {
	return map[SecurityService]ServiceMode{GuardDuty: r.GuardDuty, SecurityHub: r.SecurityHub, ConfigRecorder: r.Config}
}

// AccountRegions are the regions the platform uses in account, in config order: its
// environments' regions and those of their once-per-environment stacks (edge, accelerator,
// observer); for the tooling account, the pipeline's region and every region the pipeline
// deploys to. Nil for an account the platform does not use.
func (p Platform) AccountRegions(account string) []string {
	var out, deployed []string
	add := func(list *[]string, region string) {
		if region != "" && !slices.Contains(*list, region) {
			*list = append(*list, region)
		}
	}
	for _, env := range p.Environments {
		regions := env.DeployedRegions()
		for _, r := range regions {
			add(&deployed, r)
			if env.Account == account {
				add(&out, r)
			}
		}
	}
	if account == p.Pipeline.Account {
		add(&out, p.Pipeline.Region)
		for _, r := range deployed {
			add(&out, r)
		}
	}
	return out
}

// DeployedRegions are the regions the environment's stacks go to: its own, then the edge's,
// the accelerator's and the observer's where its footprint has them.
func (e Environment) DeployedRegions() []string {
	var out []string
	for _, r := range e.Regions {
		out = append(out, r.Region)
	}
	if e.HasEdge() {
		out = append(out, EdgeRegion)
	}
	if e.HasAccelerator() {
		out = append(out, AcceleratorRegion)
	}
	if e.HasObserver() {
		out = append(out, e.ObserverRegion)
	}
	return out
}

func applyServiceModeDefaults(d defaulted, b *Baseline) {
	for _, f := range []struct {
		path  string
		field *ServiceMode
	}{
		{"baseline.guardDuty", &b.GuardDuty}, {"baseline.securityHub", &b.SecurityHub},
		{"baseline.config", &b.Config}, {"baseline.cloudTrail", &b.CloudTrail},
	} {
		if *f.field == "" {
			*f.field, d[f.path] = DefaultServiceMode, true
		}
	}
	d.string("baseline.securityHubStandards", &b.SecurityHubStandards, DefaultSecurityHubStandards)
}

// validateServiceModes: every mode is one of ServiceModes, every account one the platform uses,
// every region one the platform uses in that account.
func validateServiceModes(p *Platform, found *problems) {
	b := p.Baseline
	checkModes(found, "baseline", b.modes(), b.SecurityHubStandards)
	accounts := make([]string, 0, len(b.Accounts))
	for account := range b.Accounts {
		accounts = append(accounts, account)
	}
	sort.Strings(accounts)
	for _, account := range accounts {
		a, path := b.Accounts[account], "baseline.accounts."+account
		used := p.AccountRegions(account)
		if len(used) == 0 {
			found.addf(path, "%s is not an account of the platform (no environment's account, not the tooling account %s); "+
				"name one of %s", found.quoted(path, account), p.Pipeline.Account, strings.Join(p.Accounts(), ", "))
			continue
		}
		checkModes(found, path, a.modes(), a.SecurityHubStandards)
		regions := make([]string, 0, len(a.Regions))
		for region := range a.Regions {
			regions = append(regions, region)
		}
		sort.Strings(regions)
		for _, region := range regions {
			regionPath := path + ".regions." + region
			if !slices.Contains(used, region) {
				found.addf(regionPath, "%q is not a region the platform uses in account %s; name one of %s",
					region, account, strings.Join(used, ", "))
				continue
			}
			r := a.Regions[region]
			checkModes(found, regionPath, r.modes(), r.SecurityHubStandards)
		}
	}
}

func checkModes(found *problems, path string, modes map[SecurityService]ServiceMode, standards string) {
	for _, s := range SecurityServices {
		mode, ok := modes[s]
		if !ok || mode == "" || slices.Contains(ServiceModes, mode) {
			continue
		}
		field := path + "." + string(s)
		found.addf(field, "%s is not a mode; want \"create\" (the baseline creates it), \"existing\" (the organization runs it: "+
			"keep the rules and alerts that need it) or \"off\" (neither, and nothing that needs it)", found.quoted(field, string(mode)))
	}
	if standards != "" && standards != StandardsOurs && standards != StandardsOrganization {
		field := path + ".securityHubStandards"
		found.addf(field, "%s is not valid; want %q (the baseline subscribes the standards to an existing hub) or %q "+
			"(the organization's Security Hub central configuration owns them)", found.quoted(field, standards), StandardsOurs, StandardsOrganization)
	}
}

// Accounts are every account the platform uses: the environments', then the tooling account.
func (p Platform) Accounts() []string {
	var out []string
	for _, env := range p.Environments {
		if env.Account != "" && !slices.Contains(out, env.Account) {
			out = append(out, env.Account)
		}
	}
	if p.Pipeline.Account != "" && !slices.Contains(out, p.Pipeline.Account) {
		out = append(out, p.Pipeline.Account)
	}
	return out
}

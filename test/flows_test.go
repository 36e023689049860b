package test

// Network flows, verified offline: every flow the platform needs, and the flows it must refuse,
// as rows of one table that internal/reachability evaluates against the synthesized templates
// of both configs (security groups, routes, network ACLs, Global Accelerator). A new tier adds
// a role and rows here, not code.

import (
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/example/platform/internal/reachability"
	"github.com/example/platform/lib/config"
	"github.com/example/platform/stacks"
	"github.com/example/platform/test/constructkit"
	"github.com/example/platform/test/testkit"
)

// role is a place flows start or end: the members of one security group (an
// AWS::EC2::SecurityGroup of the region's stack of tier whose logical ID starts with group) in
// the network stack's subnets named subnets; with no tier, any host of those subnets (all of them
// when subnets is empty), whatever its own groups allow.
type role struct {
	tier, group, subnets string
}

var roles = map[string]role{
	"tasks":       {tier: stacks.TierApp, group: "ServiceTasksSecurityGroup", subnets: "private"},
	"publicALB":   {tier: stacks.TierApp, group: "ServiceLoadBalancerSecurityGroup", subnets: "public"},
	"internalALB": {tier: stacks.TierApp, group: "ServiceAcceleratorLoadBalancerSecurityGroup", subnets: "private"},
	"database":    {tier: stacks.TierData, group: "DatabaseSecurityGroup", subnets: "isolated"},
	"endpoints":   {tier: stacks.TierNetwork, group: "NetworkEndpointsSecurityGroup", subnets: "private"},
	"canary":      {tier: stacks.TierApp, group: "CanarySecurityGroup", subnets: "private"},
	"vpc":         {},                   // any host of the VPC
	"taskSubnets": {subnets: "private"}, // any host of the private subnets, where the tasks run
}

// outside are the places outside the VPCs, per region.
var outside = map[string]func(region config.Region) reachability.Endpoint{
	"internet":    func(config.Region) reachability.Endpoint { return reachability.Internet() },
	"accelerator": func(config.Region) reachability.Endpoint { return reachability.ThroughAccelerator() },
	"cloudfront": func(r config.Region) reachability.Endpoint {
		return reachability.PrefixList("cloudfront", r.CloudFrontPrefixListID)
	},
	"s3":       func(config.Region) reachability.Endpoint { return reachability.GatewayService("s3") },
	"dynamodb": func(config.Region) reachability.Endpoint { return reachability.GatewayService("dynamodb") },
}

// ports, by the names the table uses.
var ports = map[string]struct {
	meaning string
	of      func(cfg *config.Platform, env config.Environment) int
}{
	"production": {"443 with a domain, else 80", func(_ *config.Platform, env config.Environment) int { return withDomain(env, 443, 80) }},
	"test":       {"8443 with a domain, else 8080", func(_ *config.Platform, env config.Environment) int { return withDomain(env, 8443, 8080) }},
	"container":  {"`service.containerPort`", func(cfg *config.Platform, _ config.Environment) int { return cfg.Service.ContainerPort }},
	"postgres":   {"5432", func(*config.Platform, config.Environment) int { return 5432 }},
	"https":      {"443", func(*config.Platform, config.Environment) int { return 443 }},
}

func withDomain(env config.Environment, with, without int) int {
	if env.DNS != nil {
		return with
	}
	return without
}

type scope int

const (
	inRegion           scope = iota // each region of each environment
	acrossRegions                   // each ordered pair of an environment's regions
	acrossEnvironments              // each region of one environment to each of another
)

type want int

const (
	allowed want = iota
	refused
	// withPeering is allowed where the environment has inter-region peering, refused elsewhere.
	withPeering
)

// flowKind is a row of the table; it stands for one flow per region, pair of regions or pair of
// environments.
type flowKind struct {
	from, to, port string
	scope          scope
	want           want
	// byRoutes, for a refused row, says why the security groups cannot refuse it as well, and
	// the routes alone do; every other refused row must be refused by the security groups.
	byRoutes string
	why      string
	// only names the footprint a row holds for (footprints); empty, every environment.
	only string
}

// footprints are the environment shapes a flow row may hold for alone: what the edge and the
// accelerator change about who reaches the load balancers.
var footprints = map[string]struct {
	holds func(config.Environment) bool
	says  string
}{
	"edge":        {config.Environment.HasEdge, "with the edge"},
	"no-edge":     {func(e config.Environment) bool { return !e.HasEdge() }, "without the edge"},
	"accelerator": {config.Environment.HasAccelerator, "with the accelerator"},
}

var flowTable = []flowKind{
	{from: "cloudfront", to: "publicALB", port: "production", want: allowed, why: "CloudFront reaches the origin", only: "edge"},
	{from: "internet", to: "publicALB", port: "production", want: refused, why: "nobody goes around CloudFront and WAF", only: "edge"},
	{from: "internet", to: "publicALB", port: "production", want: allowed, why: "without the edge, the public ALB is the way in", only: "no-edge"},
	{from: "accelerator", to: "internalALB", port: "production", want: allowed, why: "Global Accelerator reaches the internal ALB with the clients' own addresses", only: "accelerator"},
	{from: "internet", to: "internalALB", port: "production", want: refused, why: "the internal ALB is reached only through Global Accelerator",
		byRoutes: "its group admits any address, since Global Accelerator preserves clients'; it is internal, in subnets with no route from an internet gateway"},
	{from: "accelerator", to: "internalALB", port: "test", want: refused, why: "the test listener is not on the internet"},
	{from: "vpc", to: "internalALB", port: "test", want: allowed, why: "test traffic to a new version comes from inside the VPC"},
	{from: "canary", to: "internalALB", port: "production", want: allowed, why: "the region's canary calls its own internal ALB from inside the VPC: the region's health, seen from the region alone"},
	{from: "canary", to: "tasks", port: "container", want: refused, why: "the canary calls the service only through the load balancer, as users do"},
	{from: "canary", to: "database", port: "postgres", want: refused, why: "the canary reaches nothing of the data tier"},
	{from: "canary", to: "s3", port: "https", want: allowed, why: "the canary's artifacts, through the gateway endpoint"},
	{from: "canary", to: "internet", port: "https", want: allowed, why: "the canary's metrics to CloudWatch, through NAT (a VPC canary must reach both)"},
	{from: "publicALB", to: "tasks", port: "container", want: allowed, why: "the public ALB forwards to the tasks"},
	{from: "internalALB", to: "tasks", port: "container", want: allowed, why: "the internal ALB forwards to the tasks"},
	{from: "internet", to: "tasks", port: "container", want: refused, why: "the tasks are reached only through a load balancer"},
	{from: "tasks", to: "database", port: "postgres", want: allowed, why: "the service reads and writes its region's database"},
	{from: "vpc", to: "database", port: "postgres", want: refused, why: "nothing else in the VPC reaches the database"},
	{from: "internet", to: "database", port: "postgres", want: refused, why: "the database is not on the internet"},
	{from: "database", to: "internet", port: "https", want: refused, why: "the database sends nothing out"},
	{from: "tasks", to: "endpoints", port: "https", want: allowed, why: "ECR, Secrets Manager, CloudWatch Logs and X-Ray through their interface endpoints"},
	{from: "tasks", to: "dynamodb", port: "https", want: allowed, why: "the table, through the gateway endpoint"},
	{from: "tasks", to: "s3", port: "https", want: allowed, why: "ECR's image layers and the lake, through the gateway endpoint"},
	{from: "tasks", to: "internet", port: "https", want: allowed, why: "other AWS APIs, through NAT: among them EventBridge, SQS and Kinesis (the event tier's calls are few and small; three more interface endpoints in three zones would cost more than their NAT traffic)"},
	{from: "tasks", to: "database", port: "postgres", scope: acrossRegions, want: withPeering, why: "every region writes to the writer, wherever it is"},
	{from: "taskSubnets", to: "database", port: "postgres", scope: acrossRegions, want: withPeering,
		why: "accepted: a security group cannot name another region's group, so a database admits the other regions' whole task subnets, whatever else runs there"},
	{from: "tasks", to: "tasks", port: "container", scope: acrossRegions, want: refused, why: "regions do not call each other's tasks"},
	{from: "tasks", to: "database", port: "postgres", scope: acrossEnvironments, want: refused, why: "no environment reaches another's database"},
}

// flowRow is one flow of the table in one place.
type flowRow struct {
	kind flowKind
	flow reachability.Flow
	want bool // allowed
}

func (r flowRow) String() string {
	return fmt.Sprintf("%s → %s tcp/%d", r.flow.From.Name, r.flow.To.Name, r.flow.Port)
}

// flowsOf is a config's network model and the rows of the table for it.
type flowsOf struct {
	name  string
	a     *deployed
	cfg   *config.Platform
	model *reachability.Model
	rows  []flowRow
}

var (
	flowModels   = map[string]*flowsOf{}
	flowModelsMu sync.Mutex
)

// eachFlowModel runs check over the network model and the flow rows of every config.
func eachFlowModel(t *testing.T, check func(t *testing.T, f *flowsOf)) {
	t.Helper()
	eachAssembly(t, func(t *testing.T, a *deployed) {
		check(t, flowModel(t, a.platform.ConfigFile, a))
	})
}

// flowModel is the network model and flow rows of an assembly, built once per name.
func flowModel(t *testing.T, name string, a *deployed) *flowsOf {
	t.Helper()
	flowModelsMu.Lock()
	defer flowModelsMu.Unlock()
	f, ok := flowModels[name]
	if !ok {
		f = &flowsOf{name: name, a: a, cfg: a.platform.Config, model: reachability.Build(a.stacks)}
		f.rows = f.rowsOf(t)
		flowModels[name] = f
	}
	return f
}

// withoutPeeringFlows is the flow model of the three-region fixture with interRegionPeering off.
func withoutPeeringFlows(t *testing.T) *flowsOf {
	t.Helper()
	return flowModel(t, threeRegions+" with interRegionPeering off", assemblyOf(t, withoutPeering(t)))
}

func (f *flowsOf) rowsOf(t *testing.T) []flowRow {
	t.Helper()
	var rows []flowRow
	add := func(kind flowKind, fromEnv config.Environment, from config.Region, toEnv config.Environment, to config.Region) {
		if kind.only != "" && !footprints[kind.only].holds(toEnv) {
			return
		}
		row := flowRow{kind: kind, flow: reachability.Flow{
			From: f.endpoint(t, kind.from, fromEnv, from), To: f.endpoint(t, kind.to, toEnv, to),
			Port: ports[kind.port].of(f.cfg, toEnv),
		}}
		switch kind.want {
		case allowed:
			row.want = true
		case withPeering:
			row.want = fromEnv.PeersRegions()
		}
		rows = append(rows, row)
	}
	for _, kind := range flowTable {
		for _, env := range f.cfg.Environments {
			for _, from := range env.Regions {
				switch kind.scope {
				case inRegion:
					add(kind, env, from, env, from)
				case acrossRegions:
					for _, to := range env.Regions {
						if to.Region != from.Region {
							add(kind, env, from, env, to)
						}
					}
				case acrossEnvironments:
					for _, other := range f.cfg.Environments {
						if other.Name == env.Name {
							continue
						}
						for _, to := range other.Regions {
							add(kind, env, from, other, to)
						}
					}
				}
			}
		}
	}
	return rows
}

// endpoint is a role (or a place outside the VPCs) in one environment and region.
func (f *flowsOf) endpoint(t *testing.T, name string, env config.Environment, region config.Region) reachability.Endpoint {
	t.Helper()
	if outer, ok := outside[name]; ok {
		e := outer(region)
		e.Name = fmt.Sprintf("%s(%s/%s)", name, env.Name, region.Region)
		return e
	}
	r, ok := roles[name]
	if !ok {
		t.Fatalf("the flow table names %q, which is neither a role nor a place outside", name)
	}
	label := fmt.Sprintf("%s(%s/%s)", name, env.Name, region.Region)
	subnets := f.model.Subnets(stacks.StackName(f.cfg.Name, env.Name, region.Region, stacks.TierNetwork), r.subnets)
	if r.tier == "" {
		return reachability.Hosts(label, subnets)
	}
	return reachability.Members(label, f.group(t, r, env, region), subnets)
}

// group is the identity of a role's security group in one environment and region.
func (f *flowsOf) group(t *testing.T, r role, env config.Environment, region config.Region) string {
	t.Helper()
	name := stacks.StackName(f.cfg.Name, env.Name, region.Region, r.tier)
	s := f.a.byName[name]
	if s == nil {
		t.Fatalf("no stack %s", name)
	}
	var found []string
	for id := range resourcesOf(s, "AWS::EC2::SecurityGroup") {
		if strings.HasPrefix(id, r.group) {
			found = append(found, name+"/"+id)
		}
	}
	if len(found) != 1 {
		t.Fatalf("%s has %d security groups whose logical ID starts with %s (%v): the role table needs one", name, len(found), r.group, found)
	}
	return found[0]
}

// Every row of the table, in every environment and region of both configs: allowed rows pass
// every layer; refused rows are refused entirely, by the security groups (defense in depth, even
// where the routes refuse them too) unless the row says why only the routes can.
func TestFlows_EveryFlowThePlatformNeedsIsAllowedAndNothingElse(t *testing.T) {
	eachFlowModel(t, checkFlows)
	if checkConfig == "" {
		// Without the edge and the accelerator, the rows for that footprint hold too.
		a := assemblyOf(t, testkit.Synth(t, minimalConfig))
		t.Run(minimalConfig, func(t *testing.T) { checkFlows(t, flowModel(t, minimalConfig, a)) })
	}
}

// With interRegionPeering off, the cross-region rows are refused, and everything else holds.
func TestFlows_WithoutPeeringTheCrossRegionRowsAreRefused(t *testing.T) {
	fixtureOnly(t, "the three-region fixture with peering off")
	f := withoutPeeringFlows(t)
	crossRegion := 0
	for _, row := range f.rows {
		if row.kind.want == withPeering {
			crossRegion++
			if row.want {
				t.Errorf("%s is expected allowed with peering off", row)
			}
		}
	}
	constructkit.CheckedSomething(t, crossRegion, "cross-region row")
	checkFlows(t, f)
}

func checkFlows(t *testing.T, f *flowsOf) {
	t.Helper()
	allowedRows, refusedRows := 0, 0
	for _, row := range f.rows {
		v, err := f.model.Evaluate(row.flow)
		switch {
		case err != nil:
			t.Errorf("%s: %v", row, err)
		case row.want && !v.Allowed():
			t.Errorf("%s (%s): want allowed, got %s", row, row.kind.why, v)
		case row.want:
			allowedRows++
			t.Logf("%s: allowed", row)
		case v.Outcome != reachability.Denied:
			t.Errorf("%s (%s): want refused, got %s", row, row.kind.why, v)
		case row.kind.byRoutes == "" && !v.DeniedBy(reachability.SecurityGroups):
			t.Errorf("%s (%s): refused, but not by the security groups (%s): make the groups refuse it too, or say in the row why only the routes can", row, row.kind.why, v)
		case row.kind.byRoutes != "" && !v.DeniedBy(reachability.Routes):
			t.Errorf("%s: the row says the routes refuse it (%s), but %s", row, row.kind.byRoutes, v)
		default:
			refusedRows++
			t.Logf("%s: %s", row, v)
		}
	}
	t.Logf("%s: %d flows, %d allowed, %d refused", f.name, len(f.rows), allowedRows, refusedRows)
	constructkit.CheckedSomething(t, allowedRows, "allowed flow")
	constructkit.CheckedSomething(t, refusedRows, "refused flow")
}

// The model follows every value the network depends on: a rule, route or placement it could not
// resolve would otherwise be silently left out of the verdicts.
func TestFlows_TheModelFollowsEveryNetworkValue(t *testing.T) {
	eachFlowModel(t, func(t *testing.T, f *flowsOf) {
		for _, p := range f.model.Problems() {
			t.Error(p)
		}
		if f.model.NetworkACLs() == 0 {
			t.Log("no network ACL in the assembly: every subnet has its VPC's default network ACL, which allows all traffic in and out")
		}
	})
}

// The role table says where each role sits; the templates say where the resources carrying its
// group are (load balancers' and services' subnets, the cluster's subnet group, the interface
// endpoints' subnets). They must agree.
func TestFlows_RolesSitWhereTheTableSays(t *testing.T) {
	eachFlowModel(t, func(t *testing.T, f *flowsOf) {
		for _, name := range slices.Sorted(maps.Keys(roles)) {
			r := roles[name]
			if r.tier == "" {
				continue
			}
			for _, env := range f.cfg.Environments {
				for _, region := range env.Regions {
					group := f.group(t, r, env, region)
					want := f.model.Subnets(stacks.StackName(f.cfg.Name, env.Name, region.Region, stacks.TierNetwork), r.subnets)
					if got := f.model.Placement(group); len(want) == 0 || !slices.Equal(got, want) {
						t.Errorf("%s: the resources carrying %s are in %v; the role table says the %s subnets %v", name, group, got, r.subnets, want)
					}
				}
			}
		}
	})
}

const (
	flowTableBegin = "<!-- The tables below are generated from test/flows_test.go: UPDATE_GOLDEN=1 go test ./test -run TestFlows_READMEShowsTheTestedTable -->"
	flowTableEnd   = "<!-- end of the generated flow tables -->"
)

// docs/networking.md's flow table is the tested one.
func TestFlows_READMEShowsTheTestedTable(t *testing.T) {
	fixtureOnly(t, "docs/networking.md counts the fixtures' rows")
	counts := map[string][2]int{} // allowed and refused rows, by model
	count := func(f *flowsOf) {
		c := [2]int{}
		for _, row := range f.rows {
			if row.want {
				c[0]++
			} else {
				c[1]++
			}
		}
		counts[f.name] = c
	}
	eachFlowModel(t, func(t *testing.T, f *flowsOf) { count(f) })
	count(withoutPeeringFlows(t))
	want := flowTableMarkdown(counts)
	file := filepath.Join(constructkit.RepoRoot(t), "docs", "networking.md")
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	before, rest, ok1 := strings.Cut(string(data), flowTableBegin+"\n")
	got, after, ok2 := strings.Cut(rest, flowTableEnd)
	if !ok1 || !ok2 {
		t.Fatalf("docs/networking.md has no generated flow tables between %q and %q", flowTableBegin, flowTableEnd)
	}
	if got == want {
		return
	}
	if os.Getenv("UPDATE_GOLDEN") == "1" {
		if err := os.WriteFile(file, []byte(before+flowTableBegin+"\n"+want+flowTableEnd+after), 0o644); err != nil {
			t.Fatal(err)
		}
		t.Log("rewrote docs/networking.md's flow tables")
		return
	}
	t.Errorf("docs/networking.md's flow tables are not the tested ones: run UPDATE_GOLDEN=1 go test ./test -run TestFlows_READMEShowsTheTestedTable. They should read:\n%s", want)
}

func flowTableMarkdown(counts map[string][2]int) string {
	var out strings.Builder
	out.WriteString("| Role | Security group (logical ID starts with) | In the network stack's subnets |\n|---|---|---|\n")
	for _, name := range slices.Sorted(maps.Keys(roles)) {
		r := roles[name]
		subnets := r.subnets
		if subnets == "" {
			subnets = "all"
		}
		group := "none: any host, whatever its own groups allow"
		if r.tier != "" {
			group = fmt.Sprintf("`%s` in `…-%s`", r.group, r.tier)
		}
		fmt.Fprintf(&out, "| `%s` | %s | %s |\n", name, group, subnets)
	}
	out.WriteString("\nOutside the VPCs: `internet` (any public address; in through an internet gateway, out through NAT), " +
		"`accelerator` (internet clients through Global Accelerator, their addresses preserved), `cloudfront` (the region's " +
		"CloudFront origin-facing prefix list), `s3` and `dynamodb` (through the VPC's gateway endpoints).\n\n")
	out.WriteString("| From | To | Port | Where | Expected | Why |\n|---|---|---|---|---|---|\n")
	where := map[scope]string{inRegion: "each region", acrossRegions: "each ordered pair of an environment's regions", acrossEnvironments: "each region to each region of every other environment"}
	for _, kind := range flowTable {
		expected := map[want]string{allowed: "allowed", refused: "refused by the security groups",
			withPeering: "allowed where the environment peers its regions (`interRegionPeering`, on by default), else refused by the security groups"}[kind.want]
		if kind.byRoutes != "" {
			expected = "refused by the routes: " + kind.byRoutes
		}
		at := where[kind.scope]
		if kind.only != "" {
			at += ", " + footprints[kind.only].says
		}
		fmt.Fprintf(&out, "| `%s` | `%s` | %s (%s) | %s | %s | %s |\n", kind.from, kind.to, kind.port, ports[kind.port].meaning, at, expected, kind.why)
	}
	out.WriteString("\n")
	for _, file := range slices.Sorted(maps.Keys(counts)) {
		c := counts[file]
		configFile, variant, _ := strings.Cut(file, " ")
		if variant != "" {
			variant = " " + strings.Replace(variant, "interRegionPeering", "`interRegionPeering`", 1)
		}
		fmt.Fprintf(&out, "With `%s`%s the table is %d flows: %d allowed, %d refused.\n", configFile, variant, c[0]+c[1], c[0], c[1])
	}
	return out.String()
}

package reachability_test

import (
	"encoding/json"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/example/platform/internal/assembly"
	"github.com/example/platform/internal/reachability"
)

// fixture is testdata/platform.json, read afresh for each test so that tests can change it.
func fixture(t *testing.T) []*assembly.Stack {
	t.Helper()
	data, err := os.ReadFile("testdata/platform.json")
	if err != nil {
		t.Fatal(err)
	}
	var file struct {
		Stacks []struct {
			Name, Account, Region string
			Template              assembly.Template
		}
	}
	if err := json.Unmarshal(data, &file); err != nil {
		t.Fatal(err)
	}
	var stacks []*assembly.Stack
	for _, s := range file.Stacks {
		if s.Template.Outputs == nil {
			s.Template.Outputs = map[string]any{}
		}
		stacks = append(stacks, &assembly.Stack{Name: s.Name, Account: s.Account, Region: s.Region, Template: s.Template})
	}
	return stacks
}

func stack(t *testing.T, stacks []*assembly.Stack, name string) *assembly.Stack {
	t.Helper()
	for _, s := range stacks {
		if s.Name == name {
			return s
		}
	}
	t.Fatalf("no stack %s in the fixture", name)
	return nil
}

// with adds (or replaces) the resources of a JSON object {logicalId: resource} in a stack,
// creating the stack (in the fixture's account) when region is given.
func with(t *testing.T, stacks []*assembly.Stack, name, resources string, region ...string) []*assembly.Stack {
	t.Helper()
	var add map[string]map[string]any
	if err := json.Unmarshal([]byte(resources), &add); err != nil {
		t.Fatalf("%v in %s", err, resources)
	}
	if len(region) > 0 {
		stacks = append(stacks, &assembly.Stack{Name: name, Account: "111111111111", Region: region[0],
			Template: assembly.Template{Resources: map[string]map[string]any{}, Outputs: map[string]any{}}})
	}
	s := stack(t, stacks, name)
	for id, r := range add {
		s.Template.Resources[id] = r
	}
	return stacks
}

func output(t *testing.T, stacks []*assembly.Stack, name, output, value string) {
	t.Helper()
	var v any
	if err := json.Unmarshal([]byte(value), &v); err != nil {
		t.Fatal(err)
	}
	stack(t, stacks, name).Template.Outputs[output] = map[string]any{"Value": v}
}

func properties(t *testing.T, stacks []*assembly.Stack, name, id string) map[string]any {
	t.Helper()
	props, _ := stack(t, stacks, name).Template.Resources[id]["Properties"].(map[string]any)
	if props == nil {
		t.Fatalf("%s/%s has no properties", name, id)
	}
	return props
}

// build builds the model and fails on any value it could not follow.
func build(t *testing.T, stacks []*assembly.Stack) *reachability.Model {
	t.Helper()
	m := reachability.Build(stacks)
	for _, p := range m.Problems() {
		t.Errorf("model problem: %s", p)
	}
	return m
}

func evaluate(t *testing.T, m *reachability.Model, from, to reachability.Endpoint, port int) reachability.Verdict {
	t.Helper()
	v, err := m.Evaluate(reachability.Flow{From: from, To: to, Port: port})
	if err != nil {
		t.Fatal(err)
	}
	return v
}

var (
	tasks     = reachability.Members("tasks", "app-a/TasksGroup", []string{"net-a/PrivateSubnet"})
	balancer  = reachability.Members("balancer", "app-a/BalancerGroup", []string{"net-a/PublicSubnet"})
	internal  = reachability.Members("internal", "app-a/InternalGroup", []string{"net-a/PrivateSubnet"})
	database  = reachability.Members("database", "data-a/DatabaseGroup", []string{"net-a/IsolatedSubnet"})
	rotation  = reachability.Members("rotation", "data-a/RotationGroup", []string{"net-a/IsolatedSubnet"})
	endpoints = reachability.Members("endpoints", "net-a/EndpointsGroup", []string{"net-a/PrivateSubnet"})
	databaseB = reachability.Members("database B", "data-b/DatabaseGroup", []string{"net-b/IsolatedSubnet"})
)

func expect(t *testing.T, v reachability.Verdict, outcome reachability.Outcome, refusedBy []reachability.Layer, reasons ...string) {
	t.Helper()
	if v.Outcome != outcome {
		t.Errorf("got %s, want %s", v, outcome)
	}
	if !slices.Equal(v.RefusedBy, refusedBy) {
		t.Errorf("refused by %v, want %v: %s", v.RefusedBy, refusedBy, v)
	}
	for _, reason := range reasons {
		found := false
		for _, f := range v.Findings {
			found = found || strings.Contains(f.Reason, reason)
		}
		if !found {
			t.Errorf("no finding says %q: %s", reason, v)
		}
	}
}

func TestEvaluate_AllowsWhatBothGroupsTheRoutesAndTheACLsAllow(t *testing.T) {
	m := build(t, fixture(t))
	v := evaluate(t, m, tasks, database, 5432)
	expect(t, v, reachability.Allowed, nil)
	if len(v.Notes) != 1 || !strings.Contains(v.Notes[0], "default network ACL, which allows all") {
		t.Errorf("the verdict does not say it relied on the default network ACL: %q", v.Notes)
	}
	if m.NetworkACLs() != 0 {
		t.Errorf("the fixture has no network ACL, the model counts %d", m.NetworkACLs())
	}
}

func TestEvaluate_NamesEachGroupThatRefusesAPort(t *testing.T) {
	m := build(t, fixture(t))
	expect(t, evaluate(t, m, tasks, database, 5433), reachability.Denied, []reachability.Layer{reachability.SecurityGroups},
		"tasks egress has no rule to 10.0.2.0/24 (database) on tcp/5433",
		"database ingress has no rule from 10.0.1.0/24 (tasks) on tcp/5433")
}

// The database's ingress from the tasks is an AWS::EC2::SecurityGroupIngress in the app stack
// whose GroupId is a weak reference to the data stack's output.
func TestEvaluate_ReadsRulesOtherStacksAddToAGroupThroughWeakReferences(t *testing.T) {
	stacks := fixture(t)
	delete(stack(t, stacks, "app-a").Template.Resources, "DatabaseFromTasks")
	v := evaluate(t, build(t, stacks), tasks, database, 5432)
	expect(t, v, reachability.Denied, []reachability.Layer{reachability.SecurityGroups}, "database ingress has no rule from 10.0.1.0/24 (tasks) on tcp/5432")
	if len(v.Findings) != 1 {
		t.Errorf("only the database's ingress should refuse it: %s", v)
	}
}

func TestEvaluate_ResolvesPortsFromTheDatabaseCluster(t *testing.T) {
	stacks := fixture(t)
	expect(t, evaluate(t, build(t, stacks), rotation, database, 5432), reachability.Allowed, nil)

	properties(t, stacks, "data-a", "Cluster")["Port"] = 6543.0
	m := build(t, stacks)
	expect(t, evaluate(t, m, rotation, database, 5432), reachability.Denied, []reachability.Layer{reachability.SecurityGroups})
	expect(t, evaluate(t, m, rotation, database, 6543), reachability.Allowed, nil)

	delete(properties(t, stacks, "data-a", "Cluster"), "Port") // the engine's default
	expect(t, evaluate(t, build(t, stacks), rotation, database, 5432), reachability.Allowed, nil)
}

func TestEvaluate_CDKsPlaceholderEgressRuleMeansNoEgress(t *testing.T) {
	m := build(t, fixture(t))
	expect(t, evaluate(t, m, database, reachability.Internet(), 443), reachability.Denied,
		[]reachability.Layer{reachability.SecurityGroups, reachability.Routes},
		"database egress has no rule to the internet on tcp/443",
		"no route from isolated subnet 10.0.2.0/24 (net-a) to the internet")
}

func TestEvaluate_AGroupDeclaringNoEgressSendsAnywhere(t *testing.T) {
	stacks := fixture(t)
	delete(properties(t, stacks, "data-a", "DatabaseGroup"), "SecurityGroupEgress")
	expect(t, evaluate(t, build(t, stacks), database, reachability.Internet(), 443), reachability.Denied,
		[]reachability.Layer{reachability.Routes})

	// A standalone egress rule does not take CloudFormation's default away.
	stacks = with(t, stacks, "data-a", `{"DatabaseOut": {"Type": "AWS::EC2::SecurityGroupEgress", "Properties": {
		"GroupId": {"Ref": "DatabaseGroup"}, "IpProtocol": "tcp", "FromPort": 5432, "ToPort": 5432, "CidrIp": "10.0.0.0/16"}}}`)
	expect(t, evaluate(t, build(t, stacks), database, reachability.Hosts("any host", []string{"net-a/PublicSubnet"}), 8080), reachability.Allowed, nil)
}

func TestEvaluate_ResolvesCIDRsThroughWeakReferences(t *testing.T) {
	// The rotation's egress is a weak reference to the network stack's VPC CIDR, the endpoints'
	// ingress a GetAtt of it.
	expect(t, evaluate(t, build(t, fixture(t)), rotation, endpoints, 443), reachability.Allowed, nil)
}

func TestEvaluate_APrefixListAdmitsOnlyItsOwnAddresses(t *testing.T) {
	m := build(t, fixture(t))
	expect(t, evaluate(t, m, reachability.PrefixList("CloudFront", "pl-cloudfront"), balancer, 443), reachability.Allowed, nil)
	expect(t, evaluate(t, m, reachability.Internet(), balancer, 443), reachability.Denied,
		[]reachability.Layer{reachability.SecurityGroups}, "balancer ingress has no rule from the internet on tcp/443")
	expect(t, evaluate(t, m, reachability.PrefixList("elsewhere", "pl-other"), balancer, 443), reachability.Denied,
		[]reachability.Layer{reachability.SecurityGroups})
}

func TestEvaluate_TheInternetReachesOnlySubnetsRoutedToAnInternetGateway(t *testing.T) {
	m := build(t, fixture(t))
	// The internal load balancer admits any address (Global Accelerator preserves clients'),
	// so only its subnets' routes keep the internet out.
	expect(t, evaluate(t, m, reachability.Internet(), internal, 443), reachability.Denied, []reachability.Layer{reachability.Routes},
		"private subnet 10.0.1.0/24 (net-a) has no route to an internet gateway",
		"net-a/PrivateDefault sends 0.0.0.0/0 to NAT gateway net-a/Nat")
}

func TestEvaluate_GlobalAcceleratorDeliversItsListenersPortsToItsEndpoints(t *testing.T) {
	stacks := fixture(t)
	m := build(t, stacks)
	expect(t, evaluate(t, m, reachability.ThroughAccelerator(), internal, 443), reachability.Allowed, nil)
	expect(t, evaluate(t, m, reachability.ThroughAccelerator(), internal, 8443), reachability.Denied,
		[]reachability.Layer{reachability.SecurityGroups, reachability.Accelerator}, "no listener of accelerator/Group delivers tcp/8443 to internal")
	expect(t, evaluate(t, m, reachability.ThroughAccelerator(), tasks, 80), reachability.Denied,
		[]reachability.Layer{reachability.SecurityGroups, reachability.Accelerator}, "no Global Accelerator endpoint group targets a resource of tasks")

	// A port override delivers listener port 443 to endpoint port 8443.
	properties(t, stacks, "accelerator", "Group")["PortOverrides"] = []any{map[string]any{"ListenerPort": 443.0, "EndpointPort": 8443.0}}
	m = build(t, stacks)
	expect(t, evaluate(t, m, reachability.ThroughAccelerator(), internal, 443), reachability.Denied, []reachability.Layer{reachability.Accelerator})
	expect(t, evaluate(t, m, reachability.ThroughAccelerator(), internal, 8443), reachability.Denied, []reachability.Layer{reachability.SecurityGroups})
	delete(properties(t, stacks, "accelerator", "Group"), "PortOverrides")

	endpoint := properties(t, stacks, "accelerator", "Group")["EndpointConfigurations"].([]any)[0].(map[string]any)
	endpoint["ClientIPPreservationEnabled"] = false
	expect(t, evaluate(t, build(t, stacks), reachability.ThroughAccelerator(), internal, 443), reachability.Denied,
		[]reachability.Layer{reachability.Accelerator}, "without client IP preservation")
	endpoint["ClientIPPreservationEnabled"] = true

	delete(stack(t, stacks, "net-a").Template.Resources, "IgwAttachment")
	delete(stack(t, stacks, "net-a").Template.Resources, "PublicDefault")
	expect(t, evaluate(t, build(t, stacks), reachability.ThroughAccelerator(), internal, 443), reachability.Denied,
		[]reachability.Layer{reachability.Routes}, "has no internet gateway attached")
}

func TestEvaluate_AWSAPIsAreReachedThroughNAT(t *testing.T) {
	stacks := fixture(t)
	m := build(t, stacks)
	expect(t, evaluate(t, m, tasks, reachability.Internet(), 443), reachability.Allowed, nil)
	expect(t, evaluate(t, m, rotation, reachability.Internet(), 443), reachability.Denied,
		[]reachability.Layer{reachability.SecurityGroups, reachability.Routes})

	delete(stack(t, stacks, "net-a").Template.Resources, "PublicDefault")
	expect(t, evaluate(t, build(t, stacks), tasks, reachability.Internet(), 443), reachability.Denied, []reachability.Layer{reachability.Routes},
		"net-a/PrivateDefault sends private subnet 10.0.1.0/24 (net-a)'s internet traffic to net-a/Nat, whose public subnet 10.0.0.0/24 (net-a) has no route to an internet gateway")
}

func TestEvaluate_AGatewayEndpointServesOnlyTheRouteTablesItLists(t *testing.T) {
	m := build(t, fixture(t))
	expect(t, evaluate(t, m, tasks, reachability.GatewayService("s3"), 443), reachability.Allowed, nil)
	expect(t, evaluate(t, m, tasks, reachability.GatewayService("dynamodb"), 443), reachability.Denied, []reachability.Layer{reachability.Routes},
		"no gateway endpoint route for com.amazonaws.us-east-1.dynamodb (it would go to NAT gateway net-a/Nat)")
	expect(t, evaluate(t, m, reachability.Hosts("isolated host", []string{"net-a/IsolatedSubnet"}), reachability.GatewayService("s3"), 443),
		reachability.Denied, []reachability.Layer{reachability.Routes}, "and no route for it at all")
}

// peered opens tasks (region A, private) → database B (region B, isolated) in both groups and
// adds a peering connection between the VPCs in a peering stack of region A.
func peered(t *testing.T) []*assembly.Stack {
	t.Helper()
	stacks := fixture(t)
	stacks = with(t, stacks, "app-a", `{"TasksToB": {"Type": "AWS::EC2::SecurityGroupEgress", "Properties": {
		"GroupId": {"Ref": "TasksGroup"}, "IpProtocol": "tcp", "FromPort": 5432, "ToPort": 5432, "CidrIp": "10.1.2.0/24"}}}`)
	stacks = with(t, stacks, "data-b", `{"FromA": {"Type": "AWS::EC2::SecurityGroupIngress", "Properties": {
		"GroupId": {"Ref": "DatabaseGroup"}, "IpProtocol": "tcp", "FromPort": 5432, "ToPort": 5432, "CidrIp": "10.0.1.0/24"}}}`)
	stacks = with(t, stacks, "peering-a", `{"ToB": {"Type": "AWS::EC2::VPCPeeringConnection", "Properties": {
		"VpcId": {"Fn::GetStackOutput": {"StackName": "net-a", "OutputName": "Vpc", "Region": "us-east-1"}},
		"PeerVpcId": {"Fn::GetStackOutput": {"StackName": "net-b", "OutputName": "Vpc", "Region": "eu-west-1"}},
		"PeerRegion": "eu-west-1"}}}`, "us-east-1")
	output(t, stacks, "peering-a", "ToB", `{"Ref": "ToB"}`)
	return stacks
}

func TestEvaluate_ACrossRegionFlowNeedsPeeringRoutesBothWays(t *testing.T) {
	stacks := peered(t)
	expect(t, evaluate(t, build(t, stacks), tasks, databaseB, 5432), reachability.Denied, []reachability.Layer{reachability.Routes},
		"no route from private subnet 10.0.1.0/24 (net-a) to 10.1.2.0/24 through a peering connection: net-a/PrivateDefault sends it to NAT gateway net-a/Nat")

	stacks = with(t, stacks, "peering-a", `{"PrivateToB": {"Type": "AWS::EC2::Route", "Properties": {
		"RouteTableId": {"Fn::GetStackOutput": {"StackName": "net-a", "OutputName": "PrivateTable", "Region": "us-east-1"}},
		"DestinationCidrBlock": "10.1.0.0/16", "VpcPeeringConnectionId": {"Ref": "ToB"}}}}`)
	expect(t, evaluate(t, build(t, stacks), tasks, databaseB, 5432), reachability.Denied, []reachability.Layer{reachability.Routes},
		"no route back from isolated subnet 10.1.2.0/24 (net-b) to 10.0.1.0/24")

	stacks = with(t, stacks, "peering-b", `{"IsolatedToA": {"Type": "AWS::EC2::Route", "Properties": {
		"RouteTableId": {"Fn::GetStackOutput": {"StackName": "net-b", "OutputName": "IsolatedTable", "Region": "eu-west-1"}},
		"DestinationCidrBlock": {"Fn::GetStackOutput": {"StackName": "net-a", "OutputName": "VpcCidr", "Region": "us-east-1"}},
		"VpcPeeringConnectionId": {"Fn::GetStackOutput": {"StackName": "peering-a", "OutputName": "ToB", "Region": "us-east-1"}}}}}`, "eu-west-1")
	m := build(t, stacks)
	expect(t, evaluate(t, m, tasks, databaseB, 5432), reachability.Allowed, nil)
	// Routes are not enough: the groups still refuse what they do not name.
	expect(t, evaluate(t, m, tasks, databaseB, 5433), reachability.Denied, []reachability.Layer{reachability.SecurityGroups})
	expect(t, evaluate(t, m, rotation, databaseB, 5432), reachability.Denied, []reachability.Layer{reachability.SecurityGroups, reachability.Routes})
}

func TestEvaluate_PeeringIsNotTransitive(t *testing.T) {
	stacks := peered(t)
	// A third VPC C, peered with B only; A routes C's range to its connection with B.
	stacks = with(t, stacks, "net-c", `{
		"Vpc": {"Type": "AWS::EC2::VPC", "Properties": {"CidrBlock": "10.2.0.0/16"}},
		"Subnet": {"Type": "AWS::EC2::Subnet", "Properties": {"CidrBlock": "10.2.1.0/24", "VpcId": {"Ref": "Vpc"}}},
		"Table": {"Type": "AWS::EC2::RouteTable", "Properties": {"VpcId": {"Ref": "Vpc"}}},
		"Association": {"Type": "AWS::EC2::SubnetRouteTableAssociation", "Properties": {"SubnetId": {"Ref": "Subnet"}, "RouteTableId": {"Ref": "Table"}}},
		"ToB": {"Type": "AWS::EC2::VPCPeeringConnection", "Properties": {"VpcId": {"Ref": "Vpc"},
			"PeerVpcId": {"Fn::GetStackOutput": {"StackName": "net-b", "OutputName": "Vpc", "Region": "eu-west-1"}}, "PeerRegion": "eu-west-1"}},
		"ToA": {"Type": "AWS::EC2::Route", "Properties": {"RouteTableId": {"Ref": "Table"}, "DestinationCidrBlock": "10.0.0.0/16", "VpcPeeringConnectionId": {"Ref": "ToB"}}}
	}`, "ap-southeast-2")
	output(t, stacks, "net-c", "ToB", `{"Ref": "ToB"}`)
	stacks = with(t, stacks, "peering-a", `{"PrivateToC": {"Type": "AWS::EC2::Route", "Properties": {
		"RouteTableId": {"Fn::GetStackOutput": {"StackName": "net-a", "OutputName": "PrivateTable", "Region": "us-east-1"}},
		"DestinationCidrBlock": "10.2.0.0/16", "VpcPeeringConnectionId": {"Ref": "ToB"}}}}`)
	v := evaluate(t, build(t, stacks), reachability.Hosts("A", []string{"net-a/PrivateSubnet"}), reachability.Hosts("C", []string{"net-c/Subnet"}), 5432)
	expect(t, v, reachability.Denied, []reachability.Layer{reachability.Routes},
		"sends it to peering-a/ToB, a connection between net-a/Vpc and net-b/Vpc; peering is not transitive",
		"sends it to net-c/ToB, a connection between net-c/Vpc and net-b/Vpc; peering is not transitive")
}

// acl associates a network ACL with region A's isolated subnet; entries are JSON objects of
// AWS::EC2::NetworkAclEntry properties without NetworkAclId.
func acl(t *testing.T, stacks []*assembly.Stack, entries ...string) []*assembly.Stack {
	t.Helper()
	resources := []string{
		`"Acl": {"Type": "AWS::EC2::NetworkAcl", "Properties": {"VpcId": {"Ref": "Vpc"}}}`,
		`"AclAssociation": {"Type": "AWS::EC2::SubnetNetworkAclAssociation", "Properties": {"SubnetId": {"Ref": "IsolatedSubnet"}, "NetworkAclId": {"Ref": "Acl"}}}`,
	}
	for i, e := range entries {
		resources = append(resources, `"Entry`+string(rune('A'+i))+`": {"Type": "AWS::EC2::NetworkAclEntry", "Properties": `+
			strings.Replace(e, "{", `{"NetworkAclId": {"Ref": "Acl"}, `, 1)+`}`)
	}
	return with(t, stacks, "net-a", "{"+strings.Join(resources, ",")+"}")
}

const (
	allowPostgresIn  = `{"RuleNumber": 100, "Protocol": 6, "RuleAction": "allow", "Egress": false, "CidrBlock": "10.0.0.0/16", "PortRange": {"From": 5432, "To": 5432}}`
	allowRepliesOut  = `{"RuleNumber": 100, "Protocol": 6, "RuleAction": "allow", "Egress": true, "CidrBlock": "10.0.0.0/16", "PortRange": {"From": 1024, "To": 65535}}`
	denyTasksIn      = `{"RuleNumber": 90, "Protocol": 6, "RuleAction": "deny", "Egress": false, "CidrBlock": "10.0.1.0/24", "PortRange": {"From": 5432, "To": 5432}}`
	denyHalfTasksIn  = `{"RuleNumber": 90, "Protocol": -1, "RuleAction": "deny", "Egress": false, "CidrBlock": "10.0.1.0/25"}`
	denyRepliesAfter = `{"RuleNumber": 200, "Protocol": -1, "RuleAction": "deny", "Egress": true, "CidrBlock": "0.0.0.0/0"}`
)

func TestEvaluate_NetworkACLsAreStatelessAndFirstMatchWins(t *testing.T) {
	v := evaluate(t, build(t, acl(t, fixture(t), allowPostgresIn, allowRepliesOut, denyRepliesAfter)), tasks, database, 5432)
	expect(t, v, reachability.Allowed, nil)
	if len(v.Notes) != 1 || !strings.Contains(v.Notes[0], "private subnet 10.0.1.0/24 (net-a)") || strings.Contains(v.Notes[0], "isolated") {
		t.Errorf("the note should name the private subnet's default ACL only: %q", v.Notes)
	}

	expect(t, evaluate(t, build(t, acl(t, fixture(t), denyTasksIn, allowPostgresIn, allowRepliesOut)), tasks, database, 5432),
		reachability.Denied, []reachability.Layer{reachability.NetworkACLs},
		"the network ACL of isolated subnet 10.0.2.0/24 (net-a) refuses inbound traffic from 10.0.1.0/24 (tasks) on tcp/5432-5432: entry 90 (net-a/EntryA) denies 10.0.1.0/24")

	// Without an outbound entry for the replies, the final * entry drops them.
	expect(t, evaluate(t, build(t, acl(t, fixture(t), allowPostgresIn)), tasks, database, 5432),
		reachability.Denied, []reachability.Layer{reachability.NetworkACLs},
		"refuses outbound traffic to 10.0.1.0/24 (tasks) on tcp/1024-65535: no entry allows ports [[1024 65535]]")

	expect(t, evaluate(t, build(t, acl(t, fixture(t), denyHalfTasksIn, allowPostgresIn, allowRepliesOut)), tasks, database, 5432),
		reachability.Partly, nil, "entry 90 (net-a/EntryA) denies 10.0.1.0/25")
}

func TestEvaluate_ARuleCoveringPartOfASubnetAllowsItPartly(t *testing.T) {
	stacks := fixture(t)
	rule := properties(t, stacks, "net-a", "EndpointsGroup")["SecurityGroupIngress"].([]any)[0].(map[string]any)
	rule["CidrIp"] = "10.0.1.0/25"
	expect(t, evaluate(t, build(t, stacks), tasks, endpoints, 443), reachability.Partly, nil,
		"endpoints ingress admits only part of 10.0.1.0/24 (tasks) on tcp/443 (net-a/EndpointsGroup (ingress 0): 10.0.1.0/25)")
	rule["CidrIp"] = "203.0.113.0/24" // a public range is part of the internet (and the routes refuse all of it)
	expect(t, evaluate(t, build(t, stacks), reachability.Internet(), endpoints, 443), reachability.Denied, []reachability.Layer{reachability.Routes},
		"endpoints ingress admits only part of the internet on tcp/443")
}

func TestPlacement_IsWhereTheResourcesCarryingAGroupSit(t *testing.T) {
	m := build(t, fixture(t))
	for group, want := range map[string][]string{
		"app-a/TasksGroup":     {"net-a/PrivateSubnet"},  // a service's AwsvpcConfiguration
		"app-a/BalancerGroup":  {"net-a/PublicSubnet"},   // a load balancer's Subnets
		"data-a/DatabaseGroup": {"net-a/IsolatedSubnet"}, // a cluster's DB subnet group
		"data-a/RotationGroup": {"net-a/IsolatedSubnet"}, // a serverless application's joined parameters
		"net-a/EndpointsGroup": {"net-a/PrivateSubnet"},  // an interface endpoint's SubnetIds
		"data-b/DatabaseGroup": nil,                      // carried by nothing
		"net-a/Nothing":        nil,                      // not a group
		"app-a/InternalGroup":  {"net-a/PrivateSubnet"},  // an internal load balancer
		"accelerator/Group":    nil,                      // not a group
	} {
		if got := m.Placement(group); !slices.Equal(got, want) {
			t.Errorf("%s is placed in %v, want %v", group, got, want)
		}
	}
	if got := m.Subnets("net-a", "private"); !slices.Equal(got, []string{"net-a/PrivateSubnet"}) {
		t.Errorf("net-a's private subnets are %v", got)
	}
	if got := m.Subnets("net-a", ""); len(got) != 3 {
		t.Errorf("net-a has 3 subnets, the model lists %v", got)
	}
}

func TestBuild_ReportsWhatItCannotFollow(t *testing.T) {
	stacks := fixture(t)
	stacks = with(t, stacks, "app-a", `{
		"Imported": {"Type": "AWS::EC2::SecurityGroupIngress", "Properties": {"GroupId": {"Ref": "TasksGroup"}, "IpProtocol": "tcp", "FromPort": 80, "ToPort": 80, "CidrIp": {"Fn::ImportValue": "somewhere"}}},
		"Lost": {"Type": "AWS::EC2::Route", "Properties": {"RouteTableId": {"Fn::GetStackOutput": {"StackName": "net-a", "OutputName": "NoSuchOutput", "Region": "us-east-1"}}, "DestinationCidrBlock": "10.9.0.0/16", "NatGatewayId": "nat-123"}}
	}`)
	// A rule in another region cannot belong to region A's group.
	stacks = with(t, stacks, "data-b", `{"Astray": {"Type": "AWS::EC2::SecurityGroupIngress", "Properties": {
		"GroupId": {"Fn::GetStackOutput": {"StackName": "data-a", "OutputName": "DatabaseGroup", "Region": "us-east-1"}}, "IpProtocol": "-1", "CidrIp": "0.0.0.0/0"}}}`)
	problems := strings.Join(reachability.Build(stacks).Problems(), "\n")
	for _, want := range []string{
		`app-a/Imported: CidrIp {"Fn::ImportValue":"somewhere"} cannot be resolved to a CIDR`,
		`app-a/Lost: RouteTableId {"Fn::GetStackOutput":{"OutputName":"NoSuchOutput","Region":"us-east-1","StackName":"net-a"}} does not name an AWS::EC2::RouteTable of the assembly`,
		`data-b/Astray: adds a rule to data-a/DatabaseGroup, which is in 111111111111/us-east-1, not in the rule's 111111111111/eu-west-1`,
	} {
		if !strings.Contains(problems, want) {
			t.Errorf("the model's problems do not say %q; they are:\n%s", want, problems)
		}
	}
	if v := evaluate(t, reachability.Build(stacks), reachability.Internet(), database, 5432); v.Allowed() {
		t.Error("a rule from another region opened the database")
	}
}

func TestEvaluate_RefusesToGuessAboutWhatTheAssemblyLacks(t *testing.T) {
	m := build(t, fixture(t))
	for _, f := range []reachability.Flow{
		{From: reachability.Members("ghost", "app-a/NoSuchGroup", []string{"net-a/PrivateSubnet"}), To: database, Port: 5432},
		{From: tasks, To: reachability.Members("database", "data-a/DatabaseGroup", []string{"net-a/NoSuchSubnet"}), Port: 5432},
		{From: reachability.Members("tasks in B", "app-a/TasksGroup", []string{"net-b/PrivateSubnet"}), To: databaseB, Port: 5432},
		{From: reachability.Members("unplaced", "app-a/TasksGroup", nil), To: database, Port: 5432},
		{From: reachability.Internet(), To: reachability.GatewayService("s3"), Port: 443},
		{From: tasks, To: reachability.ThroughAccelerator(), Port: 443},
	} {
		if v, err := m.Evaluate(f); err == nil {
			t.Errorf("%s → %s: want an error, got %s", f.From.Name, f.To.Name, v)
		}
	}
}

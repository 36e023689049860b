package test

// Deploy rules: create-time constraints that every stack of every config must meet. A stack
// can synthesize, pass CDK's validator and cdk-nag, and still fail to create (or create and
// then misbehave) in a real account; each rule here is one such cause, checked over the whole
// assembly, so that no tier can reintroduce it. A failure names the stack, the resource and the
// fix. A new tier needs no new code here: its stacks are checked by being in the assembly.

import (
	"encoding/json"
	"fmt"
	"github.com/example/platform/lib/compliance"
	"maps"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/example/platform/internal/assembly"
	"github.com/example/platform/stacks"
	"github.com/example/platform/test/constructkit"
	"github.com/example/platform/test/testkit"
)

// ECS-native blue/green rolls the first deployment back ("Both targetGroup and
// alternateTargetGroup must be associated with the productionListenerRule or
// testListenerRule") unless both target groups of every load balancer entry are forwarded to
// by that entry's production or test rule.
func TestRule_BlueGreenTargetGroupsAreBothInTheirListenerRules(t *testing.T) {
	eachAssembly(t, func(t *testing.T, a *deployed) {
		entries := 0
		for _, s := range a.stacks {
			for serviceID, service := range resourcesOf(s, "AWS::ECS::Service") {
				balancers, _ := propertiesOf(service)["LoadBalancers"].([]any)
				for i, raw := range balancers {
					entry, _ := raw.(map[string]any)
					advanced, ok := entry["AdvancedConfiguration"].(map[string]any)
					if !ok {
						continue
					}
					entries++
					forwarded := map[string]bool{}
					for _, key := range []string{"ProductionListenerRule", "TestListenerRule"} {
						ruleID := refTo(advanced[key])
						if ruleID == "" {
							continue
						}
						rule, ok := s.Template.Resources[ruleID]
						if !ok || rule["Type"] != "AWS::ElasticLoadBalancingV2::ListenerRule" {
							t.Errorf("%s/%s load balancer %d: %s %s is not a listener rule of this stack, so it cannot be checked", s.Name, serviceID, i, key, ruleID)
							continue
						}
						for _, group := range forwardedGroups(rule) {
							forwarded[group] = true
						}
					}
					for _, key := range []string{"TargetGroupArn"} {
						if group := refTo(entry[key]); !forwarded[group] {
							t.Errorf("%s/%s load balancer %d: target group %s is in neither the production nor the test rule; forward to it from the production rule (weight 100, the alternate 0)", s.Name, serviceID, i, group)
						}
					}
					if group := refTo(advanced["AlternateTargetGroupArn"]); !forwarded[group] {
						t.Errorf("%s/%s load balancer %d: alternate target group %s is in neither the production nor the test rule; add it to the production rule's forward action with weight 0", s.Name, serviceID, i, group)
					}
				}
			}
		}
		constructkit.CheckedSomething(t, entries, "blue/green load balancer entry in the assembly")
	})
}

// forwardedGroups are the target groups a listener rule's forward actions send to.
func forwardedGroups(rule map[string]any) []string {
	var groups []string
	actions, _ := propertiesOf(rule)["Actions"].([]any)
	for _, raw := range actions {
		action, _ := raw.(map[string]any)
		if group := refTo(action["TargetGroupArn"]); group != "" {
			groups = append(groups, group)
		}
		config, _ := action["ForwardConfig"].(map[string]any)
		weighted, _ := config["TargetGroups"].([]any)
		for _, w := range weighted {
			if group := refTo(w.(map[string]any)["TargetGroupArn"]); group != "" {
				groups = append(groups, group)
			}
		}
	}
	return groups
}

// Route 53 refuses an alias to a name in the same hosted zone that has no records yet, and
// CloudFormation creates records in any order it likes unless told otherwise.
func TestRule_SameZoneAliasesWaitForTheRecordsTheyName(t *testing.T) {
	aliases := 0 // only a config with a domain has any
	eachAssembly(t, func(t *testing.T, a *deployed) {
		for _, s := range a.stacks {
			for id, record := range resourcesOf(s, "AWS::Route53::RecordSet") {
				props := propertiesOf(record)
				alias, ok := props["AliasTarget"].(map[string]any)
				if !ok || jsonOf(alias["HostedZoneId"]) != jsonOf(props["HostedZoneId"]) {
					continue
				}
				aliases++
				target := dnsName(alias["DNSName"])
				found := 0
				for _, other := range a.stacks {
					if other.Account != s.Account {
						continue
					}
					for targetID, candidate := range resourcesOf(other, "AWS::Route53::RecordSet") {
						cp := propertiesOf(candidate)
						if dnsName(cp["Name"]) != target || jsonOf(cp["HostedZoneId"]) != jsonOf(props["HostedZoneId"]) {
							continue
						}
						found++
						switch {
						case other == s && !dependsOnResource(record, targetID):
							t.Errorf("%s/%s aliases %s in its own zone but does not depend on %s, which creates that name: add record.Node().AddDependency(target)", s.Name, id, target, targetID)
						case other != s && !a.dependsOnStack(s.Name, other.Name):
							t.Errorf("%s/%s aliases %s, created by %s/%s, but its stack does not deploy after that one: add a stack dependency", s.Name, id, target, other.Name, targetID)
						}
					}
				}
				if found == 0 {
					t.Errorf("%s/%s aliases %s in its own zone, and no stack creates that name: Route 53 would refuse the record", s.Name, id, target)
				}
			}
		}
	})
	checkedSomething(t, aliases, "same-zone alias record")
}

func dnsName(value any) string {
	name, _ := value.(string)
	return strings.TrimSuffix(strings.ToLower(name), ".")
}

// nameProperties are the properties that give a resource a physical name of its own; a
// resource whose name is fixed by the template meets its older self on every create after one
// that left it behind. A retained type must be listed here or in namelessTypes.
var nameProperties = map[string]string{
	"AWS::Logs::LogGroup":                       "LogGroupName",
	"AWS::SecretsManager::Secret":               "Name",
	"AWS::DynamoDB::GlobalTable":                "TableName",
	"AWS::DynamoDB::Table":                      "TableName",
	"AWS::S3::Bucket":                           "BucketName",
	"AWS::RDS::DBCluster":                       "DBClusterIdentifier",
	"AWS::RDS::GlobalCluster":                   "GlobalClusterIdentifier",
	"AWS::RDS::DBInstance":                      "DBInstanceIdentifier",
	"AWS::ECR::Repository":                      "RepositoryName",
	"AWS::KMS::Alias":                           "AliasName",
	"AWS::SNS::Topic":                           "TopicName",
	"AWS::SQS::Queue":                           "QueueName",
	"AWS::Kinesis::Stream":                      "Name",
	"AWS::Events::EventBus":                     "Name",
	"AWS::Events::Archive":                      "ArchiveName",
	"AWS::Logs::LogStream":                      "LogStreamName",
	"AWS::IAM::Role":                            "RoleName",
	"AWS::ElasticLoadBalancingV2::LoadBalancer": "Name",
	"AWS::Backup::BackupVault":                  "BackupVaultName",
	"AWS::Synthetics::Canary":                   "Name",
	"AWS::SSM::Parameter":                       "Name",
}

// namelessTypes have no name CloudFormation could collide on.
// An AMP workspace's alias need not be unique (Amazon Managed Service for Prometheus user guide,
// "Create a workspace"), nor a Managed Grafana workspace's name (CreateWorkspace, workspaceName:
// "It does not have to be unique"): a kept workspace never blocks the next create.
var namelessTypes = map[string]bool{"AWS::KMS::Key": true, "AWS::KMS::ReplicaKey": true, "AWS::APS::Workspace": true, "AWS::Grafana::Workspace": true}

// retainingPolicies keep a resource when its stack (or, for Retain, its failed create) goes.
var retainingPolicies = map[string]bool{"Retain": true, "RetainExceptOnCreate": true}

// fixedName is a resource's physical name when the template fixes it, else "". A name is fixed
// when it is built from literals, references to other stacks and the pseudo parameters that
// are the same on every create; one that takes the stack's ID or another resource's generated
// name is new on every create.
func fixedName(resourceType string, resource map[string]any) string {
	property, ok := nameProperties[resourceType]
	if !ok {
		return ""
	}
	value, ok := propertiesOf(resource)[property]
	if !ok || strings.Contains(jsonOf(value), "AWS::StackId") || refersToAResource(value) {
		return ""
	}
	return jsonOf(value)
}

// refersToAResource reports whether value takes a Ref or Fn::GetAtt of a resource (not a pseudo
// parameter such as AWS::Region).
func refersToAResource(value any) bool {
	switch x := value.(type) {
	case map[string]any:
		if id := refTo(x); id != "" && !strings.HasPrefix(id, "AWS::") {
			return true
		}
		for _, child := range x {
			if refersToAResource(child) {
				return true
			}
		}
	case []any:
		for _, child := range x {
			if refersToAResource(child) {
				return true
			}
		}
	}
	return false
}

// A kept resource with a fixed name fails the next create of its stack ("already exists"). In
// a stateless stack, which is meant to be destroyed and created again, no resource may be kept
// under a fixed name. In a stateful stack, a kept resource must at least go when its own create
// fails (RetainExceptOnCreate), or a first deployment that fails can never be retried.
func TestRule_KeptResourcesNeverBlockTheNextCreate(t *testing.T) {
	eachAssembly(t, func(t *testing.T, a *deployed) {
		kept := 0
		for _, s := range a.stacks {
			for _, id := range slices.Sorted(maps.Keys(s.Template.Resources)) {
				resource := s.Template.Resources[id]
				resourceType, _ := resource["Type"].(string)
				policy, _ := resource["DeletionPolicy"].(string)
				if !retainingPolicies[policy] {
					continue
				}
				kept++
				if _, named := nameProperties[resourceType]; !named && !namelessTypes[resourceType] {
					t.Errorf("%s/%s: kept %s is in neither nameProperties nor namelessTypes of this test: say which property names it", s.Name, id, resourceType)
					continue
				}
				name := fixedName(resourceType, resource)
				if name == "" {
					continue
				}
				if !statefulTiers[tierOf(s.Name)] && !holdsPipelineArtifacts(s) {
					t.Errorf("%s/%s (%s %s) is kept under a fixed name in a stateless stack: the next create of the stack fails on the name. Let it go with the stack (RemovalPolicy DESTROY) or move it to a stateful stack", s.Name, id, resourceType, name)
				}
				if policy == "Retain" {
					t.Errorf("%s/%s (%s %s) is kept even when its own create fails, so a failed first deployment can never be retried: use RemovalPolicy RETAIN_ON_UPDATE_OR_DELETE (DeletionPolicy RetainExceptOnCreate)", s.Name, id, resourceType, name)
				}
			}
		}
		constructkit.CheckedSomething(t, kept, "kept resource in the assembly")
	})
}

// holdsPipelineArtifacts: CDK Pipelines' cross-region support stacks keep their artifact
// bucket, whose name the pipeline derives; docs/deploying.md's teardown lists it.
func holdsPipelineArtifacts(s *assembly.Stack) bool {
	return strings.Contains(s.Name, "-"+stacks.TierPipeline+"-support-")
}

// openEgressAllowed are security groups that may send anything anywhere, with the reason the
// docs give. Empty: every group in the platform says what it sends.
var openEgressAllowed = map[string]string{}

// A group that sends every protocol to any address is what IaC scanners flag first, and says
// nothing about what the resource behind it needs. CloudFormation gives a group with no egress
// rules exactly that default, so a group must declare its egress.
func TestRule_NoSecurityGroupSendsEverythingEverywhere(t *testing.T) {
	eachAssembly(t, func(t *testing.T, a *deployed) {
		groups := 0
		for _, s := range a.stacks {
			standalone := map[string][]any{}
			for _, rule := range resourcesOf(s, "AWS::EC2::SecurityGroupEgress") {
				props := propertiesOf(rule)
				if group := refTo(props["GroupId"]); group != "" {
					standalone[group] = append(standalone[group], props)
				}
			}
			for id, group := range resourcesOf(s, "AWS::EC2::SecurityGroup") {
				groups++
				if _, ok := openEgressAllowed[id]; ok {
					continue
				}
				// EC2 gives every new group an allow-all egress rule and removes it only when the
				// group's own SecurityGroupEgress lists rules; a standalone
				// AWS::EC2::SecurityGroupEgress adds to the default and removes nothing. (CDK
				// writes a rule to another group standalone and drops its "disallow all"
				// placeholder, so AllowAllOutbound false alone does not close a group.)
				egress, declared := propertiesOf(group)["SecurityGroupEgress"].([]any)
				if !declared || len(egress) == 0 {
					t.Errorf("%s/%s lists no egress of its own (standalone rules: %d), so EC2's default lets it send everything anywhere: add at least one inline rule (a CIDR destination) with AllowAllOutbound false", s.Name, id, len(standalone[id]))
					continue
				}
				for _, raw := range append(egress, standalone[id]...) {
					if rule, _ := raw.(map[string]any); opensEverything(rule) {
						t.Errorf("%s/%s sends %s to %v: name the ports and destinations it needs (or list it in openEgressAllowed with the reason docs/networking.md gives)", s.Name, id, describeProtocol(rule), rule["CidrIp"])
					}
				}
			}
		}
		constructkit.CheckedSomething(t, groups, "security group in the assembly")
	})
}

func opensEverything(rule map[string]any) bool {
	if rule["CidrIp"] != "0.0.0.0/0" && rule["CidrIpv6"] != "::/0" {
		return false
	}
	protocol := fmt.Sprint(rule["IpProtocol"])
	if protocol == "-1" || protocol == "all" {
		return true
	}
	return (protocol == "tcp" || protocol == "udp") && fmt.Sprint(rule["FromPort"]) == "0" && fmt.Sprint(rule["ToPort"]) == "65535"
}

func describeProtocol(rule map[string]any) string {
	if p := fmt.Sprint(rule["IpProtocol"]); p != "-1" {
		return "every " + p + " port"
	}
	return "every protocol"
}

// Log groups without a retention keep everything forever; without a key they are encrypted
// only by CloudWatch's own. Regional stacks use their region's platform key (the keys stack's),
// the others a key of their own stack.
func TestRule_EveryLogGroupHasARetentionAndTheRegionsKey(t *testing.T) {
	eachAssembly(t, func(t *testing.T, a *deployed) {
		groups := 0
		for _, s := range a.stacks {
			for id, group := range resourcesOf(s, "AWS::Logs::LogGroup") {
				groups++
				props := propertiesOf(group)
				if props["RetentionInDays"] == nil {
					t.Errorf("%s/%s keeps its logs forever: set a retention", s.Name, id)
				}
				if key := props["KmsKeyId"]; key == nil {
					t.Errorf("%s/%s is not encrypted with a platform key: set its EncryptionKey", s.Name, id)
				} else if !a.isRegionsKey(s, key) {
					t.Errorf("%s/%s is encrypted with %s, not its region's platform key", s.Name, id, jsonOf(key))
				}
			}
		}
		constructkit.CheckedSomething(t, groups, "log group in the assembly")
	})
}

// isRegionsKey reports whether key names the platform key of s's environment and region (a weak
// reference to that region's keys stack, or the key in the keys stack itself), or, for stacks
// outside the regional tiers, a key of s itself.
func (a *deployed) isRegionsKey(s *assembly.Stack, key any) bool {
	if keys, ok := strings.CutSuffix(s.Name, "-"+tierOf(s.Name)); ok && slices.Contains(regionalTiers, tierOf(s.Name)) {
		keysStack := keys + "-keys"
		if s.Name == keysStack {
			resource := s.Template.Resources[refTo(key)]
			return resource != nil && (resource["Type"] == "AWS::KMS::Key" || resource["Type"] == "AWS::KMS::ReplicaKey")
		}
		return stackOutputOf(key) == keysStack
	}
	resource := s.Template.Resources[refTo(key)]
	return resource != nil && resource["Type"] == "AWS::KMS::Key"
}

// A weak reference (Fn::GetStackOutput) is resolved when its stack deploys: the stack it reads
// must already be deployed (an earlier stack in the order), in the same account (no RoleArn is
// given), in the region it names, and must have the output.
func TestRule_WeakReferencesReadAnEarlierStackOfTheSameAccount(t *testing.T) {
	eachAssembly(t, func(t *testing.T, a *deployed) {
		references := 0
		for _, s := range a.stacks {
			var refs []map[string]any
			for _, resource := range s.Template.Resources {
				refs = append(refs, weakReferences(resource)...)
			}
			for _, ref := range refs {
				references++
				name, _ := ref["StackName"].(string)
				output, _ := ref["OutputName"].(string)
				producer := a.byName[name]
				switch {
				case producer == nil:
					t.Errorf("%s reads %s.%s, but the assembly has no stack %s", s.Name, name, output, name)
				case producer.Account != s.Account && ref["RoleArn"] == nil:
					t.Errorf("%s (account %s) reads %s in account %s without a RoleArn: CloudFormation would look in its own account", s.Name, s.Account, name, producer.Account)
				case ref["Region"] != nil && ref["Region"] != producer.Region:
					t.Errorf("%s reads %s in %v, but that stack is in %s", s.Name, name, ref["Region"], producer.Region)
				case ref["Region"] == nil && producer.Region != s.Region:
					t.Errorf("%s reads %s without a Region: CloudFormation would look in %s, not %s", s.Name, name, s.Region, producer.Region)
				case !a.dependsOnStack(s.Name, name):
					t.Errorf("%s reads %s.%s but may deploy before it: add a stack dependency", s.Name, name, output)
				case producer.Template.Outputs[output] == nil:
					t.Errorf("%s reads %s.%s, which that stack does not output", s.Name, name, output)
				}
			}
		}
		constructkit.CheckedSomething(t, references, "weak reference in the assembly")
	})
}

// replacingProperties are, per type of resource other stacks read through weak references,
// the properties whose change makes CloudFormation replace it (from each type's reference page:
// "Update requires: Replacement").
var replacingProperties = map[string][]string{
	"AWS::EC2::VPC":                             {"CidrBlock", "InstanceTenancy", "Ipv4IpamPoolId"},
	"AWS::EC2::Subnet":                          {"AvailabilityZone", "AvailabilityZoneId", "CidrBlock", "VpcId"},
	"AWS::EC2::SecurityGroup":                   {"GroupDescription", "GroupName", "VpcId"},
	"AWS::KMS::Key":                             {"KeySpec", "KeyUsage", "MultiRegion", "Origin"},
	"AWS::KMS::ReplicaKey":                      {"PrimaryKeyArn"},
	"AWS::ElasticLoadBalancingV2::LoadBalancer": {"Name", "Scheme", "Type"},
	"AWS::RDS::DBCluster":                       {"DBClusterIdentifier", "DBSubnetGroupName", "Engine", "KmsKeyId", "StorageEncrypted"},
	"AWS::EC2::RouteTable":                      {"VpcId"},
	"AWS::EC2::VPCPeeringConnection":            {"PeerOwnerId", "PeerRegion", "PeerRoleArn", "PeerVpcId", "VpcId"},
	"AWS::Events::EventBus":                     {"EventSourceName", "Name"},
	"AWS::SQS::Queue":                           {"FifoQueue", "QueueName"},
	"AWS::Kinesis::Stream":                      {"Name"},
	"AWS::APS::Workspace":                       {"KmsKeyArn"},
	"AWS::KinesisFirehose::DeliveryStream":      {"DeliveryStreamName", "DeliveryStreamType", "KinesisStreamSourceConfiguration", "MSKSourceConfiguration"},
	// The Region switch plans scale these (AWS::ECS::Service and ::Cluster's create-only
	// properties).
	"AWS::ECS::Service": {"Cluster", "LaunchType", "Role", "SchedulingStrategy", "ServiceName"},
	"AWS::ECS::Cluster": {"ClusterName"},
}

const weakReferencesGolden = "testdata/weakly-referenced.json"

// A weak reference is resolved when the reading stack deploys, and never again until that stack
// changes: replace a resource another stack reads (a new logical ID, or a change to a property
// that forces replacement) and the reader keeps the old value, pointing at a deleted load
// balancer, subnet or key. This test pins every weakly read resource's identity so that such a
// change cannot go unnoticed; docs/deploying.md's "Replacing a resource other stacks read" says how to
// make it safely.
func TestRule_WeaklyReadResourcesAreNeverReplacedUnnoticed(t *testing.T) {
	fixtureOnly(t, "testdata/weakly-referenced.json pins the fixtures' logical IDs")
	got := map[string][]string{}
	for _, file := range configs {
		a := assemblyOf(t, testkit.Synth(t, file))
		for _, s := range a.stacks {
			for _, resource := range s.Template.Resources {
				for _, ref := range weakReferences(resource) {
					producer := a.byName[ref["StackName"].(string)]
					output, _ := producer.Template.Outputs[ref["OutputName"].(string)].(map[string]any)
					id := refTo(output["Value"])
					if id == "AWS::StackId" {
						// The Resilience Hub application maps the environment's stacks by ID, which
						// changes only when the stack is deleted and created again: pin that it is read.
						if !slices.Contains(got[producer.Name], id) {
							got[producer.Name] = append(got[producer.Name], id)
						}
						continue
					}
					read, ok := producer.Template.Resources[id]
					if !ok {
						t.Errorf("%s reads %s.%v, whose value is not a resource's: cannot pin it", s.Name, producer.Name, ref["OutputName"])
						continue
					}
					identity := identityOf(id, read)
					if !slices.Contains(got[producer.Name], identity) {
						got[producer.Name] = append(got[producer.Name], identity)
					}
				}
			}
		}
	}
	for _, ids := range got {
		sort.Strings(ids)
	}
	compareGolden(t, weakReferencesGolden, got, "TestRule_WeaklyReadResources",
		"is read by other stacks through Fn::GetStackOutput, and this change replaces it (or removes it): the readers would keep its old value.\n"+
			"  Keep its construct ID and its replacing properties, or follow docs/deploying.md's \"Replacing a resource other stacks read\" (add the new\n"+
			"  one beside the old, move the readers, then remove the old), then run")
}

// identityOf is what must not change for a weakly read resource: its logical ID, type and the
// properties that would replace it.
func identityOf(id string, resource map[string]any) string {
	resourceType, _ := resource["Type"].(string)
	parts := []string{id, resourceType}
	for _, property := range replacingProperties[resourceType] {
		if value, ok := propertiesOf(resource)[property]; ok {
			parts = append(parts, property+"="+jsonOf(value))
		}
	}
	if _, known := replacingProperties[resourceType]; !known {
		parts = append(parts, "(add this type to replacingProperties)")
	}
	return strings.Join(parts, " ")
}

// protectsFromDeletion reports whether resource turns deletion protection on.
func protectsFromDeletion(resource map[string]any) bool {
	props := propertiesOf(resource)
	if props["DeletionProtection"] == true {
		return true
	}
	for _, raw := range asList(props["Replicas"]) {
		if replica, _ := raw.(map[string]any); replica["DeletionProtectionEnabled"] == true {
			return true
		}
	}
	for _, raw := range asList(props["LoadBalancerAttributes"]) {
		if a, _ := raw.(map[string]any); a["Key"] == "deletion_protection.enabled" && a["Value"] == "true" {
			return true
		}
	}
	return false
}

// A rollback cannot delete a resource with deletion protection, so a failed first create of its
// stack ends in ROLLBACK_FAILED; docs/deploying.md says how to get out for every such resource.
func TestRule_READMESaysHowToClearEveryDeletionProtection(t *testing.T) {
	section := docSection(t, "docs/deploying.md", "### When a first deployment fails")
	eachAssembly(t, func(t *testing.T, a *deployed) {
		protected := map[string]string{}
		for _, s := range a.stacks {
			for id, resource := range s.Template.Resources {
				if protectsFromDeletion(resource) {
					protected[resource["Type"].(string)] = s.Name + "/" + id
				}
			}
		}
		if len(protected) == 0 && a.platform.ConfigFile == twoEnvironments {
			t.Error("the two-environment fixture's production protects nothing from deletion: the rule checked nothing")
		}
		for resourceType, example := range protected {
			if !strings.Contains(section, "`"+resourceType+"`") {
				t.Errorf("%s (e.g. %s) has deletion protection, and docs/deploying.md's \"When a first deployment fails\" does not say how to turn it off", resourceType, example)
			}
		}
	})
}

// What `cdk destroy` of an unprotected environment leaves is exactly what docs/deploying.md's teardown
// lists, with how to remove it.
func TestRule_READMEListsEverythingATeardownLeaves(t *testing.T) {
	section := docSection(t, "docs/deploying.md", "### Tearing down a sandbox")
	unprotected := 0
	eachAssembly(t, func(t *testing.T, a *deployed) {
		p := a.platform
		for _, env := range p.Config.Environments {
			if env.Protected() {
				continue
			}
			unprotected++
			kept := map[string]string{}
			for _, s := range a.stacks {
				if !strings.HasPrefix(s.Name, p.Config.Name+"-"+env.Name+"-") {
					continue
				}
				for id, resource := range s.Template.Resources {
					if policy, _ := resource["DeletionPolicy"].(string); keptWithItsStack[policy] {
						kept[resource["Type"].(string)] = s.Name + "/" + id
					}
				}
			}
			constructkit.CheckedSomething(t, len(kept), "resource "+env.Name+" keeps when destroyed")
			for resourceType, example := range kept {
				if !strings.Contains(section, "`"+resourceType+"`") {
					t.Errorf("%s: a teardown leaves %s (e.g. %s), which docs/deploying.md's \"Tearing down a sandbox\" does not list", env.Name, resourceType, example)
				}
			}
		}
	})
	checkedSomething(t, unprotected, "unprotected environment")
}

// Compliance scanners flag a key policy that lets principals create grants for anything (a grant
// outlives the IAM policy that allowed it): every key the platform writes allows kms:CreateGrant
// only for AWS resources, or through one named service. CDK Pipelines' artifact keys are its own (the construct offers no way
// to write their policies) and are listed with that reason.
func TestRule_KeysAllowGrantsOnlyForAWSResources(t *testing.T) {
	eachAssembly(t, func(t *testing.T, a *deployed) {
		keys := 0
		for _, s := range a.stacks {
			for _, resourceType := range []string{"AWS::KMS::Key", "AWS::KMS::ReplicaKey"} {
				for id, key := range resourcesOf(s, resourceType) {
					if strings.Contains(id, "ArtifactsBucketEncryptionKey") || strings.Contains(id, "CrossRegionCodePipelineReplicationBucketEncryptionKey") {
						continue // CDK Pipelines' own artifact keys
					}
					keys++
					policy := propertiesOf(key)["KeyPolicy"]
					var document struct {
						Statement []struct {
							Sid       string
							Effect    string
							Action    any
							Condition map[string]map[string]any
						}
					}
					if err := json.Unmarshal([]byte(jsonOf(policy)), &document); err != nil {
						t.Fatal(err)
					}
					guarded := false
					for _, statement := range document.Statement {
						if statement.Effect == "Deny" {
							guarded = guarded || statement.Sid == compliance.CreateGrantGuardSid
							continue // denies allow nothing (compliance.GuardGrants adds one to every key)
						}
						for _, action := range stringsOf(statement.Action) {
							// Limited to AWS resources, or to one service's use on the caller's behalf
							// (CDK's grant for a secret encrypted with the key names Secrets Manager).
							limited := statement.Condition["Bool"]["kms:GrantIsForAWSResource"] == "true" || statement.Condition["StringEquals"]["kms:ViaService"] != nil
							if (action == "kms:*" || action == "kms:Create*" || action == "kms:CreateGrant") && !limited {
								t.Errorf("%s/%s allows %s without kms:GrantIsForAWSResource: build the key with lib/keys (Policy or NewStackKey)", s.Name, id, action)
							}
						}
						if action, ok := statement.Action.(string); ok && (action == "kms:*" || action == "kms:Create*") {
							t.Errorf("%s/%s allows %s: build the key with lib/keys (Policy or NewStackKey)", s.Name, id, action)
						}
					}
					if !guarded {
						t.Errorf("%s/%s has no %s statement (Control Tower's CT.KMS.PR.3): a replica's policy is its own, give it compliance.CreateGrantGuard", s.Name, id, compliance.CreateGrantGuardSid)
					}
				}
			}
		}
		constructkit.CheckedSomething(t, keys, "key in the assembly")
	})
}

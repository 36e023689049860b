package test

import (
	"encoding/json"
	"reflect"
	"sort"
	"strings"
	"testing"

	"github.com/example/platform/lib/config"
	"github.com/example/platform/lib/network"
	"github.com/example/platform/stacks"
	"github.com/example/platform/test/constructkit"
	"github.com/example/platform/test/testkit"
)

// An environment with a global database has one global cluster, in its primary region, that
// every secondary cluster joins without master credentials; one without (a regional cluster,
// footprint.globalDatabase off) has none, and its one cluster has its master user and joins
// nothing (AWS::RDS::DBCluster: GlobalClusterIdentifier only to join a global database).
func TestDataTier_OneGlobalClusterPerEnvironmentThatEverySecondaryJoins(t *testing.T) {
	for _, file := range withFixtures(minimalConfig) {
		p := testkit.Synth(t, file)
		for _, env := range p.Config.Environments {
			global := stacks.GlobalClusterIdentifier(p.Config.Name, env.Name)
			globals := 0
			for _, region := range env.Regions {
				data := dataStack(t, p, env, region.Region)
				for _, g := range data.ofType("AWS::RDS::GlobalCluster") {
					globals++
					if g["GlobalClusterIdentifier"] != global || region.Region != env.Primary().Region {
						t.Errorf("%s/%s: global cluster %v outside the primary region or misnamed", env.Name, region.Region, g["GlobalClusterIdentifier"])
					}
				}
				clusters := data.ofType("AWS::RDS::DBCluster")
				if len(clusters) != 1 {
					t.Fatalf("%s/%s: %d clusters, want 1", env.Name, region.Region, len(clusters))
				}
				for _, c := range clusters {
					if c["EngineVersion"] != env.Database.EngineVersion {
						t.Errorf("%s/%s: engine %v, want %s in every region", env.Name, region.Region, c["EngineVersion"], env.Database.EngineVersion)
					}
					if region.Region == env.Primary().Region {
						if c["MasterUsername"] == nil {
							t.Errorf("%s: the primary cluster has no master user", env.Name)
						}
						if c["GlobalClusterIdentifier"] != nil {
							t.Errorf("%s: the primary cluster names global cluster %v: it creates the global cluster, it does not join one", env.Name, c["GlobalClusterIdentifier"])
						}
						continue
					}
					if c["GlobalClusterIdentifier"] != global {
						t.Errorf("%s/%s: secondary cluster joins %v, want %s", env.Name, region.Region, c["GlobalClusterIdentifier"], global)
					}
					if c["MasterUsername"] != nil || c["MasterUserPassword"] != nil {
						t.Errorf("%s/%s: a secondary cluster sets master credentials", env.Name, region.Region)
					}
				}
			}
			if want := map[bool]int{true: 1, false: 0}[env.HasGlobalDatabase()]; globals != want {
				t.Errorf("%s/%s: %d global clusters, want %d (footprint.globalDatabase %v)", p.Config.Name, env.Name, globals, want, env.HasGlobalDatabase())
			}
		}
	}
}

// usesRegionalKey reports whether value names the region's key, which a stack reaches through
// a weak reference to the output of its region's keys stack.
func usesRegionalKey(value any, p *testkit.Platform, env config.Environment, region string) bool {
	data, _ := json.Marshal(value)
	keysStack := stacks.StackName(p.Config.Name, env.Name, region, stacks.TierKeys)
	return strings.HasPrefix(string(data), `{"Fn::GetStackOutput":{"OutputName":"PublishOutputFnGetAttPlatformKey`) &&
		strings.Contains(string(data), `"StackName":"`+keysStack+`"`)
}

func TestDataTier_StorageIsEncryptedWithTheRegionsKey(t *testing.T) {
	eachRegion(t, func(t *testing.T, p *testkit.Platform, env config.Environment, region config.Region) {
		clusters := dataStack(t, p, env, region.Region).ofType("AWS::RDS::DBCluster")
		constructkit.CheckedSomething(t, len(clusters), "database cluster")
		for id, c := range clusters {
			if c["StorageEncrypted"] != true || !usesRegionalKey(c["KmsKeyId"], p, env, region.Region) ||
				!usesRegionalKey(c["PerformanceInsightsKmsKeyId"], p, env, region.Region) {
				t.Errorf("%s: storage or Performance Insights not encrypted with %s's key", id, region.Region)
			}
		}
		lake := templateResources(t, p, stacks.StackName(p.Config.Name, env.Name, region.Region, stacks.TierLake))
		bucketName := stacks.LakeBucketName(p.Config.Name, env.Name, env.Account, region.Region)
		found := false
		for _, b := range lake.ofType("AWS::S3::Bucket") {
			if b["BucketName"] != bucketName {
				continue
			}
			found = true
			rules := b["BucketEncryption"].(map[string]any)["ServerSideEncryptionConfiguration"].([]any)
			sse := rules[0].(map[string]any)["ServerSideEncryptionByDefault"].(map[string]any)
			if sse["SSEAlgorithm"] != "aws:kms" || !usesRegionalKey(sse["KMSMasterKeyID"], p, env, region.Region) {
				t.Errorf("lake bucket %s is not encrypted with %s's key: %v", bucketName, region.Region, sse)
			}
		}
		if !found {
			t.Errorf("no lake bucket named %s", bucketName)
		}
	})
}

func TestDataTier_TableReplicasAreTheSecondariesEachRecoverableAndEncrypted(t *testing.T) {
	for _, file := range configs {
		p := testkit.Synth(t, file)
		for _, env := range p.Config.Environments {
			tables := dataStack(t, p, env, env.Primary().Region).ofType("AWS::DynamoDB::GlobalTable")
			if len(tables) != 1 {
				t.Fatalf("%s: %d global tables in the primary data stack, want 1", env.Name, len(tables))
			}
			var got, want []string
			for _, r := range env.Regions {
				want = append(want, r.Region)
			}
			for _, tbl := range tables {
				for _, raw := range tbl["Replicas"].([]any) {
					replica := raw.(map[string]any)
					region := replica["Region"].(string)
					got = append(got, region)
					pitr, _ := replica["PointInTimeRecoverySpecification"].(map[string]any)
					if pitr["PointInTimeRecoveryEnabled"] != true {
						t.Errorf("%s/%s: table replica lacks point-in-time recovery", env.Name, region)
					}
					if replica["DeletionProtectionEnabled"] != env.Protected() {
						t.Errorf("%s/%s: table replica deletion protection = %v, want %v (the environment's protection)",
							env.Name, region, replica["DeletionProtectionEnabled"], env.Protected())
					}
					key := replica["SSESpecification"].(map[string]any)["KMSMasterKeyId"]
					keyJSON, _ := json.Marshal(key)
					if region != env.Primary().Region && !strings.Contains(string(keyJSON), ":kms:"+region+":") &&
						!strings.Contains(string(keyJSON), `":kms:","`+region) {
						t.Errorf("%s/%s: replica encrypted with %s, not the region's replica key", env.Name, region, keyJSON)
					}
				}
			}
			for _, r := range env.Secondaries() {
				if len(dataStack(t, p, env, r.Region).ofType("AWS::DynamoDB::GlobalTable")) != 0 {
					t.Errorf("%s/%s: a secondary data stack declares a table", env.Name, r.Region)
				}
			}
			sort.Strings(got)
			sort.Strings(want)
			if !reflect.DeepEqual(got, want) {
				t.Errorf("%s: table replicas %v, want every region %v", env.Name, got, want)
			}
		}
	}
}

func TestDataTier_LakeReplicationCoversEverySecondary(t *testing.T) {
	for _, file := range configs {
		p := testkit.Synth(t, file)
		for _, env := range p.Config.Environments {
			lake := templateResources(t, p, stacks.StackName(p.Config.Name, env.Name, env.Primary().Region, stacks.TierLake))
			var got, want []string
			for _, r := range env.Secondaries() {
				want = append(want, "arn:aws:s3:::"+stacks.LakeBucketName(p.Config.Name, env.Name, env.Account, r.Region))
			}
			for _, b := range lake.ofType("AWS::S3::Bucket") {
				replication, ok := b["ReplicationConfiguration"].(map[string]any)
				if !ok {
					continue
				}
				for _, rule := range replication["Rules"].([]any) {
					got = append(got, rule.(map[string]any)["Destination"].(map[string]any)["Bucket"].(string))
				}
			}
			sort.Strings(got)
			sort.Strings(want)
			if !reflect.DeepEqual(got, want) {
				t.Errorf("%s: lake replicates to %v, want %v", env.Name, got, want)
			}
		}
	}
}

// statefulTypes are the resources whose replacement or deletion loses data.
var statefulTypes = map[string]bool{
	"AWS::RDS::DBCluster": true, "AWS::RDS::GlobalCluster": true, "AWS::DynamoDB::GlobalTable": true,
	"AWS::S3::Bucket": true, "AWS::KMS::Key": true, "AWS::KMS::ReplicaKey": true, "AWS::SecretsManager::Secret": true,
	"AWS::ECR::Repository": true, "AWS::APS::Workspace": true,
	// The event tier's: events to replay, work not yet done, records not yet delivered.
	"AWS::Events::Archive": true, "AWS::SQS::Queue": true, "AWS::Kinesis::Stream": true,
	// Every backup and every other region's copy.
	"AWS::Backup::BackupVault": true,
}

// keptWithItsStack are the deletion policies that keep a resource's data when its stack goes.
var keptWithItsStack = map[string]bool{"Retain": true, "RetainExceptOnCreate": true, "Snapshot": true}

func TestDataTier_EveryStatefulResourceIsRetainedOrSnapshotted(t *testing.T) {
	stateful, clusters := 0, 0
	for _, file := range configs {
		p := testkit.Synth(t, file)
		for _, name := range p.StackNames() {
			if !statefulTiers[tierOf(name)] {
				continue
			}
			for id, res := range templateResources(t, p, name) {
				resourceType, _ := res["Type"].(string)
				policy, _ := res["DeletionPolicy"].(string)
				// A global cluster holds no data of its own (its members do, and they leave a
				// final snapshot); an unprotected environment's goes with its stack, or the
				// primary cluster could not be deleted.
				if resourceType == "AWS::RDS::GlobalCluster" && !environmentOf(p, name).Protected() {
					if policy != "Delete" {
						t.Errorf("%s/%s: an unprotected environment's global cluster must go with its stack, not %q", name, id, policy)
					}
					continue
				}
				if statefulTypes[resourceType] {
					stateful++
					if !keptWithItsStack[policy] {
						t.Errorf("%s/%s (%s) would be deleted with its stack (DeletionPolicy %q)", name, id, resourceType, policy)
					}
				}
			}
			// Protected environments keep their databases from being deleted at all; the
			// others must come down with cdk destroy.
			protected := environmentOf(p, name).Protected()
			for id, props := range templateResources(t, p, name).ofType("AWS::RDS::DBCluster") {
				clusters++
				if props["DeletionProtection"] != protected {
					t.Errorf("%s/%s deletion protection = %v, want %v", name, id, props["DeletionProtection"], protected)
				}
			}
		}
	}
	constructkit.CheckedSomething(t, stateful, "stateful resource in a stateful stack")
	constructkit.CheckedSomething(t, clusters, "database cluster")
}

// Stacks deploy in an order that needs no custom resources: keys (primary, then replicas)
// before data; the primary's data before the secondaries'; each region's events after its keys;
// the secondaries' lakes before the primary's, each after its region's events; each region's
// app after its keys, network, data and events. And the graph has no cycle.
func TestPlatform_StacksDeployInAnOrderWithoutCycles(t *testing.T) {
	for _, file := range configs {
		p := testkit.Synth(t, file)
		deps := dependencies(p)
		for _, env := range p.Config.Environments {
			name := func(region, tier string) string { return stacks.StackName(p.Config.Name, env.Name, region, tier) }
			primary := env.Primary().Region
			var edges [][2]string // {stack, what it waits for}
			for _, r := range env.Secondaries() {
				edges = append(edges,
					[2]string{name(r.Region, stacks.TierKeys), name(primary, stacks.TierKeys)},
					[2]string{name(primary, stacks.TierData), name(r.Region, stacks.TierKeys)},
					[2]string{name(r.Region, stacks.TierData), name(primary, stacks.TierData)},
					[2]string{name(primary, stacks.TierLake), name(r.Region, stacks.TierLake)},
					[2]string{name(primary, stacks.TierLake), name(r.Region, stacks.TierKeys)})
			}
			for _, r := range env.Regions {
				for _, tier := range []string{stacks.TierKeys, stacks.TierNetwork, stacks.TierData, stacks.TierEvents} {
					edges = append(edges, [2]string{name(r.Region, stacks.TierApp), name(r.Region, tier)})
				}
				// The events are encrypted with the region's key; the lake delivers them.
				edges = append(edges,
					[2]string{name(r.Region, stacks.TierEvents), name(r.Region, stacks.TierKeys)},
					[2]string{name(r.Region, stacks.TierLake), name(r.Region, stacks.TierEvents)})
				// The edge and the accelerator, where the environment has them, front every
				// region's load balancers.
				if env.HasEdge() {
					edges = append(edges, [2]string{name(stacks.EdgeRegion, stacks.TierEdge), name(r.Region, stacks.TierApp)})
				}
				if env.HasAccelerator() {
					edges = append(edges, [2]string{name(stacks.AcceleratorRegion, stacks.TierAccelerator), name(r.Region, stacks.TierApp)})
				}
			}
			// The distribution sends the origin secret, created in the primary's keys stack.
			if env.HasEdge() {
				edges = append(edges, [2]string{name(stacks.EdgeRegion, stacks.TierEdge), name(primary, stacks.TierKeys)})
			}
			for _, edge := range edges {
				if !deps[edge[0]][edge[1]] {
					t.Errorf("%s does not wait for %s", edge[0], edge[1])
				}
			}
		}
		if cycle := findCycle(deps); cycle != nil {
			t.Errorf("%s: dependency cycle %v", file, cycle)
		}
	}
}

func findCycle(deps map[string]map[string]bool) []string {
	state := map[string]int{} // 0 new, 1 on the path, 2 done
	var path []string
	var visit func(string) []string
	visit = func(n string) []string {
		state[n] = 1
		path = append(path, n)
		for d := range deps[n] {
			if state[d] == 1 {
				return append(append([]string{}, path...), d)
			}
			if state[d] == 0 {
				if c := visit(d); c != nil {
					return c
				}
			}
		}
		path = path[:len(path)-1]
		state[n] = 2
		return nil
	}
	for n := range deps {
		if state[n] == 0 {
			if c := visit(n); c != nil {
				return c
			}
		}
	}
	return nil
}

const goldenFile = "testdata/stateful-logical-ids.json"

// A stateful resource whose logical ID changes is a new resource to CloudFormation: it creates
// the new one and deletes (or orphans) the old, with its data. This test pins every stateful
// logical ID of both configs; regenerate the file only for a deliberate change.
func TestDataTier_StatefulLogicalIDsNeverChange(t *testing.T) {
	got := map[string][]string{}
	for _, file := range configs {
		p := testkit.Synth(t, file)
		for _, name := range p.StackNames() {
			for id, res := range templateResources(t, p, name) {
				if resourceType, _ := res["Type"].(string); statefulTypes[resourceType] {
					got[name] = append(got[name], id+" "+resourceType)
				}
			}
			sort.Strings(got[name])
		}
	}
	compareGolden(t, goldenFile, got, "StatefulLogicalIDs",
		"is gone or renamed: deploying this would replace it and lose its data.\n"+
			"  Restore the construct ID that produced it (construct IDs become logical IDs), or, if removing or\n"+
			"  migrating it is deliberate, plan the data migration, explain the change in review, then run")
}

// The cluster's security group has no rules of its own; the one way in is the rule the app
// stack adds, from the service's tasks, on the PostgreSQL port.
func TestDataTier_DatabaseAdmitsOnlyTheServiceOnPostgresPort(t *testing.T) {
	eachRegion(t, func(t *testing.T, p *testkit.Platform, env config.Environment, region config.Region) {
		data := dataStack(t, p, env, region.Region)
		// Its own rules admit only the other regions' task subnets, over peering (a group
		// cannot name a group in another region).
		var remote []string
		for _, other := range env.Regions {
			if other.Region != region.Region && env.PeersRegions() {
				remote = append(remote, network.SubnetLayout(other.CIDR, len(other.AvailabilityZones)).Private...)
			}
		}
		databaseGroups := 0
		for id, group := range data.ofType("AWS::EC2::SecurityGroup") {
			if !strings.HasPrefix(id, "DatabaseSecurityGroup") {
				continue
			}
			databaseGroups++
			rules, _ := group["SecurityGroupIngress"].([]any)
			var admitted []string
			for _, raw := range rules {
				rule := raw.(map[string]any)
				if rule["FromPort"] != 5432.0 || rule["ToPort"] != 5432.0 || rule["IpProtocol"] != "tcp" {
					t.Errorf("the database group admits %v, which is not PostgreSQL", rule)
				}
				admitted = append(admitted, rule["CidrIp"].(string))
			}
			sort.Strings(admitted)
			sort.Strings(remote)
			if !reflect.DeepEqual(admitted, remote) {
				t.Errorf("the database group admits %v, want exactly the other regions' task subnets %v", admitted, remote)
			}
		}
		constructkit.CheckedSomething(t, databaseGroups, "database security group")
		// Nothing in its own stack connects (the password rotation goes through the RDS API).
		for id, rule := range data.ofType("AWS::EC2::SecurityGroupIngress") {
			source, _ := json.Marshal(rule["SourceSecurityGroupId"])
			t.Errorf("the data stack admits %s from %s", id, source)
		}
		app := templateResources(t, p, stacks.StackName(p.Config.Name, env.Name, region.Region, stacks.TierApp))
		toDatabase := 0
		for _, rule := range app.ofType("AWS::EC2::SecurityGroupIngress") {
			target, _ := json.Marshal(rule["GroupId"])
			if !strings.Contains(string(target), stacks.StackName(p.Config.Name, env.Name, region.Region, stacks.TierData)) {
				continue
			}
			toDatabase++
			source, _ := json.Marshal(rule["SourceSecurityGroupId"])
			if rule["FromPort"] != 5432.0 || rule["ToPort"] != 5432.0 || !strings.Contains(string(source), "ServiceTasksSecurityGroup") {
				t.Errorf("database ingress %v is not PostgreSQL from the service's tasks", rule)
			}
		}
		if toDatabase != 1 {
			t.Errorf("%d ingress rules reach the database from the app stack, want 1", toDatabase)
		}
	})
}

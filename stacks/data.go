package stacks

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsdynamodb"

	"github.com/example/platform/lib/backup"
	"github.com/example/platform/lib/config"
	"github.com/example/platform/lib/database"
	"github.com/example/platform/lib/network"
	"github.com/example/platform/lib/table"
)

// DataStack holds a region's databases: its Aurora cluster and, in the primary region, the
// global table with all its replicas. It is stateful: termination-protected in protected
// environments, and every store in it is retained or snapshotted.
type DataStack struct {
	awscdk.Stack
	Database *database.Database
	// Table is set in the primary region only; secondaries hold its replicas.
	Table awsdynamodb.TableV2
	// Peering is set in the secondary regions: the peering connections to the earlier regions
	// (see writepath.go).
	Peering *network.Peering
	// Backups are the region's vault, backup plan and the role AWS Backup uses (backup.go).
	Backups *backup.Backups
}

// NewPrimaryDataStack creates the writer cluster, the global cluster (unless the environment
// runs a regional cluster) and the global table.
// It must deploy after every region's keys stack: replicas are encrypted with replica keys.
func NewPrimaryDataStack(stage awscdk.Stage, place placement, network *NetworkStack, key *KeysStack) *DataStack {
	p, env := place.platform, place.env
	cluster := "Aurora writer, global cluster"
	if !env.HasGlobalDatabase() {
		cluster = "Aurora regional cluster"
	}
	stack := newStack(stage, place, TierData,
		fmt.Sprintf("%s %s data in %s (primary, stateful): %s, global table, backups", p.Name, env.Name, place.region.Region, cluster))
	var secretReplicas []database.SecretReplica
	var tableReplicas []table.Replica
	var secondaryClusters []string
	for _, r := range env.Secondaries() {
		keyArn := key.Key.ReplicaArn(stack, r.Region)
		secretReplicas = append(secretReplicas, database.SecretReplica{Region: r.Region, KeyArn: keyArn})
		tableReplicas = append(tableReplicas, table.Replica{Region: r.Region, KeyArn: keyArn})
		secondaryClusters = append(secondaryClusters, EnvironmentClusterArn(p.Name, env, r.Region))
	}
	db := database.NewPrimary(stack, "Database", database.PrimaryProps{
		Props:          databaseProps(place, network, key),
		SecretName:     DatabaseSecretName(p.Name, env.Name),
		SecretReplicas: secretReplicas,
		MasterUsername: env.Database.MasterUsername,
		// The writer after a failover, whose password a rotation changes.
		SecondaryClusterArns: secondaryClusters,
	})
	tbl := table.New(stack, "Table", table.Props{
		TableName: TableName(p.Name, env.Name), Key: key.Key.Key, Replicas: tableReplicas, DeletionProtection: env.Protected(),
	})
	return &DataStack{Stack: stack, Database: db, Table: tbl, Backups: newRegionBackups(stack, place, key)}
}

// NewSecondaryDataStack creates a read-only cluster that joins the global cluster, and the
// peering connections to the earlier regions. It must deploy after the primary data stack,
// which creates that cluster.
func NewSecondaryDataStack(stage awscdk.Stage, place placement, net *NetworkStack, key *KeysStack, peers []network.Peer) *DataStack {
	p, env := place.platform, place.env
	stack := newStack(stage, place, TierData,
		fmt.Sprintf("%s %s data in %s (secondary, stateful): Aurora global database member, peering to the earlier regions, backups", p.Name, env.Name, place.region.Region))
	data := &DataStack{Stack: stack, Database: database.NewSecondary(stack, "Database", databaseProps(place, net, key))}
	data.Backups = newRegionBackups(stack, place, key)
	if len(peers) > 0 {
		data.Peering = network.NewPeering(stack, "Peering", net.Network.Vpc, peers)
	}
	return data
}

func databaseProps(place placement, network *NetworkStack, key *KeysStack) database.Props {
	p, env := place.platform, place.env
	return database.Props{
		Vpc:                       network.Network.Vpc,
		Key:                       key.Key.Key,
		EngineVersion:             env.Database.EngineVersion,
		EngineMajorVersion:        env.Database.EngineMajorVersion(),
		InstanceClass:             env.Sizing.DBInstanceClass,
		Instances:                 env.Sizing.DBInstances,
		BackupRetentionDays:       env.Sizing.BackupRetentionDays,
		ClusterIdentifier:         ClusterIdentifier(p.Name, env.Name, place.region.Region),
		GlobalClusterIdentifier:   globalClusterOf(p.Name, env),
		DeletionProtection:        env.Protected(),
		RemoteClients:             remoteTaskRanges(env, place.region.Region),
		LogRetention:              logRetention(env),
		MonitoringIntervalSeconds: env.Database.MonitoringIntervalSeconds,
	}
}

// globalClusterOf is the environment's global cluster, or "" where footprint.globalDatabase is
// off and its one region runs a regional cluster.
func globalClusterOf(platform string, env config.Environment) string {
	if !env.HasGlobalDatabase() {
		return ""
	}
	return GlobalClusterIdentifier(platform, env.Name)
}

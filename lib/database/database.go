// Package database builds one region's Aurora PostgreSQL cluster: the member of a global
// database (the primary cluster that creates the global cluster and takes writes, or a secondary
// cluster that joins it read-only and can be promoted when the primary region fails), or a
// regional cluster of a one-region environment, which is the primary without a global cluster.
package database

import (
	"fmt"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsrds"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssecretsmanager"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/example/platform/lib/compliance"
)

// Props configures a region's cluster. Every field but RemoteClients and DeletionProtection is
// required: the platform's values come from lib/config, which owns their defaults (sizing and
// database in the config file).
type Props struct {
	Vpc awsec2.IVpc
	// Key is the region's key: it encrypts storage, Performance Insights, logs and secrets.
	Key awskms.IKey
	// EngineVersion ("16.6") and its major version ("16"), the same in every region.
	EngineVersion, EngineMajorVersion string
	// InstanceClass such as db.r7g.large, and the number of instances, 1 to 16.
	InstanceClass string
	Instances     int
	// BackupRetentionDays of automated backups, 1 to 35.
	BackupRetentionDays int
	// LogRetention of the cluster's PostgreSQL log group.
	LogRetention awslogs.RetentionDays
	// ClusterIdentifier names this region's cluster (and its log group).
	ClusterIdentifier string
	// GlobalClusterIdentifier names the global cluster every region's cluster belongs to.
	// Required by NewSecondary; empty in NewPrimary, the cluster is a regional one: no global
	// cluster is created and no client looks one up.
	GlobalClusterIdentifier string
	// RemoteClients are address ranges in other regions (their task subnets, over VPC peering)
	// admitted on the PostgreSQL port: a security group cannot name a group in another region.
	// Default: none.
	RemoteClients []string
	// DeletionProtection keeps the clusters (and the global cluster) from being deleted, by
	// CloudFormation too: on for production, off where an environment must come down with
	// `cdk destroy`.
	DeletionProtection bool
	// MonitoringIntervalSeconds is how often Enhanced Monitoring samples each instance: 1, 5,
	// 10, 15, 30 or 60.
	MonitoringIntervalSeconds int
}

// SecretReplica is a region that gets a copy of the master secret, encrypted with KeyArn.
type SecretReplica struct {
	Region string
	KeyArn *string
}

// PrimaryProps configures the primary region's cluster.
type PrimaryProps struct {
	Props
	// SecretName of the master credentials, the same in every region it is replicated to.
	SecretName string
	// SecretReplicas copy the master secret to the secondary regions, for failover.
	SecretReplicas []SecretReplica
	// RotationDays between master password rotations, up to 1000. Default: 30.
	RotationDays float64
	// MasterUsername is the master user the cluster is created with (a change replaces it).
	MasterUsername string
	// SecondaryClusterArns are the global database's clusters in the other regions: after a
	// failover one of them is the writer, whose master password a rotation changes. Default:
	// none (a regional cluster has no other).
	SecondaryClusterArns []string
}

// Database is a region's cluster and the handles callers need.
type Database struct {
	constructs.Construct
	// Cluster admits no one until a client is allowed in, with
	// client.Connections().AllowTo(Cluster, Port): that places the rule in the client's stack,
	// which already depends on this one.
	Cluster awsrds.DatabaseCluster
	// Secret holds the master credentials (primary only; secondaries read its replica).
	Secret awssecretsmanager.ISecret
	// Global is the global cluster (primary of a global database only; nil for a regional
	// cluster).
	Global awsrds.CfnGlobalCluster
	Logs   awslogs.LogGroup
}

// Port is the PostgreSQL port every cluster listens on.
const Port = 5432

// NewPrimary creates the writer cluster with generated master credentials (replicated to the
// secondary regions and rotated, see rotation.go), and the global cluster from it unless
// props.GlobalClusterIdentifier is empty (a regional cluster). RDS cannot manage the master
// password of a global database's clusters, so the secret is CDK's; a regional cluster keeps
// the same secret and rotation, so switching the global database on later changes no client.
func NewPrimary(scope constructs.Construct, id string, props PrimaryProps) *Database {
	props.check(scope, id)
	if props.RotationDays == 0 {
		props.RotationDays = 30
	}
	c := constructs.NewConstruct(scope, jsii.String(id))
	replicas := make([]*awssecretsmanager.ReplicaRegion, len(props.SecretReplicas))
	for i, r := range props.SecretReplicas {
		replicas[i] = &awssecretsmanager.ReplicaRegion{
			Region:        jsii.String(r.Region),
			EncryptionKey: awskms.Key_FromKeyArn(c, jsii.String("SecretKey-"+r.Region), r.KeyArn),
		}
	}
	credentials := awsrds.Credentials_FromGeneratedSecret(jsii.String(props.MasterUsername), &awsrds.CredentialsBaseOptions{
		SecretName: jsii.String(props.SecretName), EncryptionKey: props.Key, ReplicaRegions: &replicas,
		ExcludeCharacters: jsii.String(passwordExcludeCharacters),
	})
	db := newCluster(c, props.Props, credentials)
	// The secret has a fixed name so that every region can find its copy; keeping it when the
	// stack goes keeps the password a snapshot restore needs. Kept except when its own create
	// fails: a kept secret of that name would fail every retry.
	secret := db.Cluster.Node().FindChild(jsii.String("Secret")).(awssecretsmanager.Secret)
	secret.ApplyRemovalPolicy(awscdk.RemovalPolicy_RETAIN_ON_UPDATE_OR_DELETE)
	db.Secret = db.Cluster.Secret()
	if props.GlobalClusterIdentifier != "" {
		db.Global = newGlobalCluster(c, db.Cluster, props.Props)
	}
	newRotation(c, db, props)
	return db
}

// newGlobalCluster creates the global cluster from the primary cluster.
func newGlobalCluster(c constructs.Construct, cluster awsrds.DatabaseCluster, props Props) awsrds.CfnGlobalCluster {
	// CfnGlobalCluster: the RDS L2 has no global cluster. Created from the primary cluster, it
	// inherits engine, version and encryption from it.
	global := awsrds.NewCfnGlobalCluster(c, jsii.String("Global"), &awsrds.CfnGlobalClusterProps{
		GlobalClusterIdentifier:   jsii.String(props.GlobalClusterIdentifier),
		SourceDbClusterIdentifier: cluster.ClusterArn(),
		DeletionProtection:        jsii.Bool(props.DeletionProtection),
	})
	// A protected global cluster outlives its stack. An unprotected one goes with it: its
	// delete handler detaches the primary cluster, which could not be deleted while a member
	// (the cluster itself leaves a final snapshot), and a kept one would make the next deploy
	// of the same environment fail on its name.
	if props.DeletionProtection {
		global.ApplyRemovalPolicy(awscdk.RemovalPolicy_RETAIN_ON_UPDATE_OR_DELETE, nil)
	} else {
		global.ApplyRemovalPolicy(awscdk.RemovalPolicy_DESTROY, nil)
	}
	return global
}

// NewSecondary creates a read-only cluster that joins the global cluster named in props. It
// must deploy after the primary (the global cluster must exist); it has no master credentials
// of its own: they arrive with the replicated data.
func NewSecondary(scope constructs.Construct, id string, props Props) *Database {
	checkSecondary(scope, id, props)
	c := constructs.NewConstruct(scope, jsii.String(id))
	db := newCluster(c, props, nil)
	// Escape hatches, because the L2 cluster cannot join a global cluster: name the global
	// cluster, and drop the master credentials the L2 always generates (a member of a global
	// database must not set them).
	cfn := db.Cluster.Node().DefaultChild().(awsrds.CfnDBCluster)
	cfn.AddPropertyOverride(jsii.String("GlobalClusterIdentifier"), props.GlobalClusterIdentifier)
	cfn.AddPropertyDeletionOverride(jsii.String("MasterUsername"))
	cfn.AddPropertyDeletionOverride(jsii.String("MasterUserPassword"))
	db.Cluster.Node().TryRemoveChild(jsii.String("Secret"))
	return db
}

func newCluster(c constructs.Construct, props Props, credentials awsrds.Credentials) *Database {
	group := awsec2.NewSecurityGroup(c, jsii.String("SecurityGroup"), &awsec2.SecurityGroupProps{
		Vpc: props.Vpc, Description: jsii.String("Aurora PostgreSQL: only from the clients allowed in"), AllowAllOutbound: jsii.Bool(false),
	})

	// Created before the cluster, with retention and encryption: RDS would otherwise create
	// it on first export, unencrypted and kept forever. Its name is RDS's, so it is kept except
	// when its own create fails (a kept group of that name would fail every retry).
	logs := awslogs.NewLogGroup(c, jsii.String("Logs"), &awslogs.LogGroupProps{
		LogGroupName:  jsii.String(fmt.Sprintf("/aws/rds/cluster/%s/postgresql", props.ClusterIdentifier)),
		Retention:     props.LogRetention,
		EncryptionKey: props.Key,
		RemovalPolicy: awscdk.RemovalPolicy_RETAIN_ON_UPDATE_OR_DELETE,
	})

	instanceType := awsec2.NewInstanceType(jsii.String(strings.TrimPrefix(props.InstanceClass, "db.")))
	// Instances are numbered, not named writer and reader: after a failover a secondary's
	// first instance is the writer.
	instance := &awsrds.ProvisionedClusterInstanceProps{
		InstanceType: instanceType, EnablePerformanceInsights: jsii.Bool(true), PerformanceInsightEncryptionKey: props.Key,
	}
	writer := awsrds.ClusterInstance_Provisioned(jsii.String("Instance1"), instance)
	readers := []awsrds.IClusterInstance{}
	for i := 2; i <= props.Instances; i++ {
		readers = append(readers, awsrds.ClusterInstance_Provisioned(jsii.String(fmt.Sprintf("Instance%d", i)), instance))
	}
	cluster := awsrds.NewDatabaseCluster(c, jsii.String("Cluster"), &awsrds.DatabaseClusterProps{
		Engine: awsrds.DatabaseClusterEngine_AuroraPostgres(&awsrds.AuroraPostgresClusterEngineProps{
			Version: awsrds.AuroraPostgresEngineVersion_Of(jsii.String(props.EngineVersion), jsii.String(props.EngineMajorVersion), nil),
		}),
		ClusterIdentifier:               jsii.String(props.ClusterIdentifier),
		Credentials:                     credentials,
		Writer:                          writer,
		Readers:                         &readers,
		Vpc:                             props.Vpc,
		VpcSubnets:                      &awsec2.SubnetSelection{SubnetType: awsec2.SubnetType_PRIVATE_ISOLATED},
		SecurityGroups:                  &[]awsec2.ISecurityGroup{group},
		Port:                            jsii.Number(Port),
		StorageEncrypted:                jsii.Bool(true),
		StorageEncryptionKey:            props.Key,
		IamAuthentication:               jsii.Bool(true),
		EnablePerformanceInsights:       jsii.Bool(true),
		PerformanceInsightEncryptionKey: props.Key,
		CloudwatchLogsExports:           jsii.Strings("postgresql"),
		Backup:                          &awsrds.BackupProps{Retention: awscdk.Duration_Days(jsii.Number(float64(props.BackupRetentionDays)))},
		DeletionProtection:              jsii.Bool(props.DeletionProtection),
		RemovalPolicy:                   awscdk.RemovalPolicy_SNAPSHOT,
		// Enhanced Monitoring on every instance (Control Tower's CT.RDS.PR.2), through a role
		// the cluster makes for RDS.
		MonitoringInterval: awscdk.Duration_Seconds(jsii.Number(float64(props.MonitoringIntervalSeconds))),
	})
	compliance.Accept(cluster.Node().FindChild(jsii.String("MonitoringRole")), compliance.Accepted{Rule: "AwsSolutions-IAM4",
		AppliesTo: []string{"Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AmazonRDSEnhancedMonitoringRole"},
		Reason:    "Enhanced Monitoring's role is the one AWS defines for it: RDS writes the operating-system metrics to CloudWatch Logs' RDSOSMetrics group with it, and no grant method covers that."})
	cluster.Node().AddDependency(logs)
	for _, remote := range props.RemoteClients {
		cluster.Connections().AllowFrom(awsec2.Peer_Ipv4(jsii.String(remote)), awsec2.Port_Tcp(jsii.Number(Port)),
			jsii.String("PostgreSQL from another region's tasks, over VPC peering"))
	}
	if !props.DeletionProtection {
		compliance.Accept(cluster, compliance.Accepted{Rule: "AwsSolutions-RDS10",
			Reason: "This environment is configured to come down with cdk destroy (terminationProtection false); protected environments keep deletion protection on."})
	}
	compliance.Accept(cluster, compliance.Accepted{Rule: "AwsSolutions-RDS11",
		Reason: "The cluster sits in isolated subnets and admits only the database clients group; a non-standard port would hide nothing and break client defaults."})
	return &Database{Construct: c, Cluster: cluster, Logs: logs}
}

// ClientProps says which database a client uses. Every field but GlobalClusterIdentifier is
// required.
type ClientProps struct {
	// SecretName is the master secret, which has a copy in every region.
	SecretName string
	// GlobalClusterIdentifier is the global cluster whose writer endpoint the client looks up;
	// empty for a regional cluster, whose endpoint the client is given and looks nothing up.
	GlobalClusterIdentifier string
	// Key is the scope region's key, which encrypts the secret's copy there.
	Key awskms.IKey
}

// GrantClient lets grantee read the master secret's copy in scope's region, decrypt it with the
// region's key, and look up the global cluster's writer endpoint (of a global database). It names the secret and the
// global cluster instead of referring to their constructs, which live in the data stacks, and
// grants decryption on the grantee: a grant through the secret's construct would write the
// grantee into the key's policy, making the keys stack depend on the grantee's.
func GrantClient(scope constructs.Construct, grantee awsiam.IGrantable, props ClientProps) {
	secret := awssecretsmanager.Secret_FromSecretNameV2(scope, jsii.String("DatabaseSecret"), jsii.String(props.SecretName))
	secret.GrantRead(grantee, nil)
	props.Key.GrantDecrypt(grantee)
	if props.GlobalClusterIdentifier != "" {
		grantDescribeGlobalCluster(scope, grantee, props.GlobalClusterIdentifier)
	}
	if role, ok := grantee.(constructs.IConstruct); ok {
		compliance.Accept(role, compliance.Accepted{Rule: "AwsSolutions-IAM5",
			AppliesTo: []string{"/^Resource::arn:aws:secretsmanager:.*-\\?{6}$/"},
			Reason:    "The secret's ARN by name: Secrets Manager appends six random characters to a secret's ARN."})
	}
}

// grantDescribeGlobalCluster lets grantee look up the global cluster's writer endpoint.
func grantDescribeGlobalCluster(scope constructs.Construct, grantee awsiam.IGrantable, identifier string) {
	// RDS has no grant method for describing a global cluster.
	grantee.GrantPrincipal().AddToPrincipalPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions: jsii.Strings("rds:DescribeGlobalClusters"),
		Resources: jsii.Strings(*awscdk.Stack_Of(scope).FormatArn(&awscdk.ArnComponents{
			Service: jsii.String("rds"), Region: jsii.String(""), Resource: jsii.String("global-cluster"),
			ResourceName: jsii.String(identifier), ArnFormat: awscdk.ArnFormat_COLON_RESOURCE_NAME,
		})),
	}))
}

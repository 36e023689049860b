package database_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/jsii-runtime-go"

	"github.com/example/platform/lib/database"
	"github.com/example/platform/test/constructkit"
)

func TestMain(m *testing.M) { constructkit.Main(m) }

func props(stack awscdk.Stack) database.Props {
	return database.Props{
		Vpc: awsec2.NewVpc(stack, jsii.String("Vpc"), &awsec2.VpcProps{SubnetConfiguration: &[]*awsec2.SubnetConfiguration{
			{Name: jsii.String("public"), SubnetType: awsec2.SubnetType_PUBLIC},
			{Name: jsii.String("isolated"), SubnetType: awsec2.SubnetType_PRIVATE_ISOLATED},
		}}),
		Key:           awskms.NewKey(stack, jsii.String("Key"), nil),
		EngineVersion: "16.6", EngineMajorVersion: "16",
		InstanceClass: "db.r7g.large", Instances: 3, BackupRetentionDays: 14,
		ClusterIdentifier: "acme-prod-us-east-1", GlobalClusterIdentifier: "acme-prod",
		DeletionProtection: true, LogRetention: awslogs.RetentionDays_THREE_MONTHS, MonitoringIntervalSeconds: 60,
	}
}

func keyRef() any {
	return map[string]any{"Fn::GetAtt": []any{assertions.Match_StringLikeRegexp(jsii.String("^Key")), "Arn"}}
}

// Control Tower's CT.RDS.PR.2 and CT.RDS.PR.21: every instance has Enhanced Monitoring, and the
// master user is the one given, not the engine's default.
func TestDatabase_MonitorsEveryInstanceAndNamesTheMasterUserAsGiven(t *testing.T) {
	stack := constructkit.Stack(t, "us-east-1")
	database.NewPrimary(stack, "Database", database.PrimaryProps{Props: props(stack), SecretName: "acme/prod/database", MasterUsername: "platform_admin"})
	tpl := constructkit.TemplateOf(t, stack)
	constructkit.Assert(t, func() {
		tpl.AllResourcesProperties(jsii.String("AWS::RDS::DBInstance"), map[string]any{
			"MonitoringInterval": 60, "MonitoringRoleArn": assertions.Match_AnyValue(),
		})
		tpl.HasResourceProperties(jsii.String("AWS::RDS::DBCluster"), map[string]any{
			"MasterUsername": assertions.Match_AnyValue(),
		})
		tpl.HasResourceProperties(jsii.String("AWS::SecretsManager::Secret"), map[string]any{
			"GenerateSecretString": assertions.Match_ObjectLike(&map[string]any{"SecretStringTemplate": `{"username":"platform_admin"}`}),
		})
	})
}

func TestDatabase_PrimaryIsEncryptedProtectedAndCreatesTheGlobalCluster(t *testing.T) {
	stack := constructkit.Stack(t, "us-east-1")
	database.NewPrimary(stack, "Database", database.PrimaryProps{
		Props: props(stack), SecretName: "acme/prod/database", MasterUsername: "platform_admin",
		SecretReplicas: []database.SecretReplica{{Region: "eu-west-1", KeyArn: jsii.String("arn:aws:kms:eu-west-1:111111111111:key/mrk-1")}},
	})
	tpl := constructkit.TemplateOf(t, stack)
	constructkit.Assert(t, func() {
		tpl.HasResource(jsii.String("AWS::RDS::DBCluster"), map[string]any{
			"Properties": assertions.Match_ObjectLike(&map[string]any{
				"Engine": "aurora-postgresql", "EngineVersion": "16.6", "DBClusterIdentifier": "acme-prod-us-east-1",
				"StorageEncrypted": true, "KmsKeyId": keyRef(), "EnableIAMDatabaseAuthentication": true,
				"EnableCloudwatchLogsExports": []any{"postgresql"}, "BackupRetentionPeriod": 14,
				"DeletionProtection": true, "Port": 5432,
				"PerformanceInsightsEnabled": true, "PerformanceInsightsKmsKeyId": keyRef(),
			}),
			"DeletionPolicy": "Snapshot", "UpdateReplacePolicy": "Snapshot",
		})
		tpl.ResourceCountIs(jsii.String("AWS::RDS::DBInstance"), jsii.Number(3))
		tpl.HasResourceProperties(jsii.String("AWS::RDS::DBInstance"), map[string]any{"DBInstanceClass": "db.r7g.large", "PubliclyAccessible": false})
		tpl.HasResource(jsii.String("AWS::RDS::GlobalCluster"), map[string]any{
			"Properties": map[string]any{
				"GlobalClusterIdentifier":   "acme-prod",
				"SourceDBClusterIdentifier": assertions.Match_AnyValue(),
				"DeletionProtection":        true,
			},
			// Kept with the stack, but not after a failed create: a retry meets no leftover name.
			"DeletionPolicy": "RetainExceptOnCreate",
		})
		tpl.HasResource(jsii.String("AWS::SecretsManager::Secret"), map[string]any{
			"Properties": assertions.Match_ObjectLike(&map[string]any{
				"Name": "acme/prod/database", "KmsKeyId": keyRef(),
				"ReplicaRegions": []any{map[string]any{"Region": "eu-west-1", "KmsKeyId": "arn:aws:kms:eu-west-1:111111111111:key/mrk-1"}},
			}),
			"DeletionPolicy": "RetainExceptOnCreate",
		})
		tpl.HasResourceProperties(jsii.String("AWS::SecretsManager::RotationSchedule"), map[string]any{
			"RotationRules": map[string]any{"ScheduleExpression": "rate(30 days)"},
		})
		tpl.HasResource(jsii.String("AWS::Logs::LogGroup"), map[string]any{
			"Properties":     assertions.Match_ObjectLike(&map[string]any{"LogGroupName": "/aws/rds/cluster/acme-prod-us-east-1/postgresql", "KmsKeyId": keyRef()}),
			"DeletionPolicy": "RetainExceptOnCreate",
		})
	})
}

// An environment that must come down with cdk destroy has no deletion protection, which would
// otherwise stop CloudFormation itself.
func TestDatabase_DeletionProtectionFollowsTheProp(t *testing.T) {
	stack := constructkit.Stack(t, "us-east-1")
	p := props(stack)
	p.DeletionProtection = false
	database.NewPrimary(stack, "Database", database.PrimaryProps{Props: p, SecretName: "acme/staging/database", MasterUsername: "platform_admin"})
	tpl := constructkit.TemplateOf(t, stack)
	constructkit.Assert(t, func() {
		tpl.HasResourceProperties(jsii.String("AWS::RDS::DBCluster"), map[string]any{"DeletionProtection": false})
		tpl.HasResource(jsii.String("AWS::RDS::GlobalCluster"), map[string]any{
			"Properties": assertions.Match_ObjectLike(&map[string]any{"DeletionProtection": false}), "DeletionPolicy": "Delete",
		})
	})
}

// The rotation function reaches the cluster and Secrets Manager's endpoint, nothing else.
func TestDatabase_RotationFunctionSendsOnlyToTheClusterAndSecretsManager(t *testing.T) {
	stack := constructkit.Stack(t, "us-east-1")
	database.NewPrimary(stack, "Database", database.PrimaryProps{Props: props(stack), SecretName: "acme/prod/database", MasterUsername: "platform_admin"})
	tpl := constructkit.TemplateOf(t, stack)
	constructkit.Assert(t, func() {
		tpl.HasResourceProperties(jsii.String("AWS::EC2::SecurityGroup"), map[string]any{
			"GroupDescription": assertions.Match_StringLikeRegexp(jsii.String("^Password rotation")),
			"SecurityGroupEgress": []any{map[string]any{
				"CidrIp":     map[string]any{"Fn::GetAtt": []any{assertions.Match_StringLikeRegexp(jsii.String("^Vpc")), "CidrBlock"}},
				"IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "Description": assertions.Match_AnyValue(),
			}},
		})
		tpl.HasResourceProperties(jsii.String("AWS::EC2::SecurityGroupEgress"), map[string]any{
			"GroupId":                    map[string]any{"Fn::GetAtt": []any{assertions.Match_StringLikeRegexp(jsii.String("^DatabaseRotationSecurityGroup")), "GroupId"}},
			"DestinationSecurityGroupId": map[string]any{"Fn::GetAtt": []any{assertions.Match_StringLikeRegexp(jsii.String("^DatabaseSecurityGroup")), "GroupId"}},
			// The cluster's port, as the rotation construct names it.
			"FromPort": map[string]any{"Fn::GetAtt": []any{assertions.Match_StringLikeRegexp(jsii.String("^DatabaseCluster")), "Endpoint.Port"}},
		})
	})
}

func TestDatabase_SecondaryJoinsTheGlobalClusterWithoutCredentials(t *testing.T) {
	stack := constructkit.Stack(t, "eu-west-1")
	p := props(stack)
	p.Instances = 2
	database.NewSecondary(stack, "Database", p)
	tpl := constructkit.TemplateOf(t, stack)
	constructkit.Assert(t, func() {
		tpl.HasResource(jsii.String("AWS::RDS::DBCluster"), map[string]any{
			"Properties": assertions.Match_ObjectLike(&map[string]any{
				"GlobalClusterIdentifier": "acme-prod", "EngineVersion": "16.6",
				"MasterUsername": assertions.Match_Absent(), "MasterUserPassword": assertions.Match_Absent(),
				"StorageEncrypted": true, "KmsKeyId": keyRef(), "DeletionProtection": true,
			}),
			"DeletionPolicy": "Snapshot",
		})
		tpl.ResourceCountIs(jsii.String("AWS::RDS::DBInstance"), jsii.Number(2))
		tpl.ResourceCountIs(jsii.String("AWS::SecretsManager::Secret"), jsii.Number(0))
		tpl.ResourceCountIs(jsii.String("AWS::RDS::GlobalCluster"), jsii.Number(0))
	})
}

func TestDatabase_AdmitsNoOneUntilAClientIsAllowedIn(t *testing.T) {
	stack := constructkit.Stack(t, "eu-west-1")
	database.NewSecondary(stack, "Database", props(stack))
	tpl := constructkit.TemplateOf(t, stack)
	var ingress *map[string]*map[string]any
	constructkit.Assert(t, func() {
		ingress = tpl.FindResources(jsii.String("AWS::EC2::SecurityGroupIngress"), nil)
		tpl.HasResourceProperties(jsii.String("AWS::EC2::SecurityGroup"), map[string]any{
			"GroupDescription":     "Aurora PostgreSQL: only from the clients allowed in",
			"SecurityGroupIngress": assertions.Match_Absent(),
		})
	})
	if len(*ingress) != 0 {
		t.Errorf("a secondary cluster admits %d sources before any client is allowed in", len(*ingress))
	}
}

// A regional cluster is the primary without a global cluster: a normal cluster with master
// credentials, encrypted, backed up and monitored like a global database's primary.
func TestDatabase_RegionalClusterIsThePrimaryWithoutAGlobalCluster(t *testing.T) {
	stack := constructkit.Stack(t, "us-east-1")
	p := props(stack)
	p.GlobalClusterIdentifier = ""
	db := database.NewPrimary(stack, "Database", database.PrimaryProps{Props: p, SecretName: "acme/dev/database", MasterUsername: "platform_admin"})
	if db.Global != nil {
		t.Error("a regional cluster has a global cluster handle")
	}
	tpl := constructkit.TemplateOf(t, stack)
	constructkit.Assert(t, func() {
		tpl.ResourceCountIs(jsii.String("AWS::RDS::GlobalCluster"), jsii.Number(0))
		tpl.HasResource(jsii.String("AWS::RDS::DBCluster"), map[string]any{
			"Properties": assertions.Match_ObjectLike(&map[string]any{
				"GlobalClusterIdentifier": assertions.Match_Absent(), "MasterUsername": assertions.Match_AnyValue(),
				"StorageEncrypted": true, "KmsKeyId": keyRef(), "BackupRetentionPeriod": 14,
				"EnableCloudwatchLogsExports": []any{"postgresql"}, "PerformanceInsightsEnabled": true,
			}),
			"DeletionPolicy": "Snapshot",
		})
		tpl.HasResourceProperties(jsii.String("AWS::SecretsManager::Secret"), map[string]any{
			"Name": "acme/dev/database", "ReplicaRegions": assertions.Match_Absent(),
		})
		tpl.ResourceCountIs(jsii.String("AWS::SecretsManager::RotationSchedule"), jsii.Number(1))
	})
}

// A client of a regional cluster is given its endpoint: it may not describe global clusters.
func TestDatabase_ClientOfARegionalClusterLooksUpNoGlobalCluster(t *testing.T) {
	for _, c := range []struct {
		global string
		want   bool
	}{{"acme-prod", true}, {"", false}} {
		stack := constructkit.Stack(t, "us-east-1")
		role := awsiam.NewRole(stack, jsii.String("Role"), &awsiam.RoleProps{AssumedBy: awsiam.NewServicePrincipal(jsii.String("ecs-tasks.amazonaws.com"), nil)})
		database.GrantClient(stack, role, database.ClientProps{
			SecretName: "acme/prod/database", GlobalClusterIdentifier: c.global, Key: awskms.NewKey(stack, jsii.String("Key"), nil),
		})
		template, err := json.Marshal(constructkit.TemplateOf(t, stack).ToJSON())
		if err != nil {
			t.Fatal(err)
		}
		got := strings.Contains(string(template), "rds:DescribeGlobalClusters")
		if got != c.want {
			t.Errorf("global cluster %q: rds:DescribeGlobalClusters granted %v, want %v", c.global, got, c.want)
		}
	}
}

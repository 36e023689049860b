package constructs_test

import (
	"encoding/json"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/jsii-runtime-go"

	"github.com/example/platform/lib/database"
	"github.com/example/platform/test/constructkit"
)

func databaseProps(stack awscdk.Stack) database.Props {
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
	database.NewPrimary(stack, "Database", database.PrimaryProps{Props: databaseProps(stack), SecretName: "acme/prod/database", MasterUsername: "platform_admin"})
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
		Props: databaseProps(stack), SecretName: "acme/prod/database", MasterUsername: "platform_admin",
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
	p := databaseProps(stack)
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

// The rotation function is the stack's own (its role takes the stack's permissions boundary, a
// Serverless Application Repository nested stack's would not), changes the master password of
// whichever member cluster writes, and runs after the instances and the global cluster exist.
func TestDatabase_RotationIsTheStacksOwnFunctionAndReachesEveryMemberCluster(t *testing.T) {
	stack := constructkit.Stack(t, "us-east-1")
	database.NewPrimary(stack, "Database", database.PrimaryProps{
		Props: databaseProps(stack), SecretName: "acme/prod/database", MasterUsername: "platform_admin",
		SecondaryClusterArns: []string{"arn:aws:rds:eu-west-1:111111111111:cluster:acme-prod-eu-west-1"},
	})
	tpl := constructkit.TemplateOf(t, stack)
	constructkit.Assert(t, func() {
		tpl.ResourceCountIs(jsii.String("AWS::Serverless::Application"), jsii.Number(0))
		tpl.HasResourceProperties(jsii.String("AWS::Lambda::Function"), map[string]any{
			"Code":    map[string]any{"ZipFile": database.Rotator},
			"Handler": "index.handler",
			"Environment": map[string]any{"Variables": assertions.Match_ObjectLike(&map[string]any{
				"GLOBAL_CLUSTER_IDENTIFIER": "acme-prod",
				"CLUSTER_ARN":               assertions.Match_AnyValue(),
			})},
			"VpcConfig": assertions.Match_Absent(),
		})
		tpl.HasResourceProperties(jsii.String("AWS::IAM::Policy"), map[string]any{
			"PolicyDocument": map[string]any{"Statement": assertions.Match_ArrayWith(&[]any{
				map[string]any{"Action": []any{"rds:DescribeDBClusters", "rds:ModifyDBCluster"}, "Effect": "Allow", "Resource": assertions.Match_ArrayWith(&[]any{
					"arn:aws:rds:eu-west-1:111111111111:cluster:acme-prod-eu-west-1",
				})},
			}), "Version": assertions.Match_AnyValue()},
		})
		tpl.HasResourceProperties(jsii.String("AWS::IAM::Policy"), map[string]any{
			"PolicyDocument": map[string]any{"Statement": assertions.Match_ArrayWith(&[]any{
				map[string]any{"Action": "rds:DescribeGlobalClusters", "Effect": "Allow", "Resource": assertions.Match_AnyValue()},
			}), "Version": assertions.Match_AnyValue()},
		})
		tpl.HasResource(jsii.String("AWS::SecretsManager::RotationSchedule"), map[string]any{
			"Properties": assertions.Match_ObjectLike(&map[string]any{
				"RotationLambdaARN": map[string]any{"Fn::GetAtt": []any{assertions.Match_StringLikeRegexp(jsii.String("^DatabaseRotator")), "Arn"}},
				// Not at create: the password is new, and the secondaries are joining.
				"RotateImmediatelyOnUpdate": false,
			}),
			"DependsOn": assertions.Match_ArrayWith(&[]any{
				assertions.Match_StringLikeRegexp(jsii.String("^DatabaseClusterInstance1")), assertions.Match_StringLikeRegexp(jsii.String("^DatabaseGlobal")),
				assertions.Match_StringLikeRegexp(jsii.String("^DatabaseRotatorInvokedBySecretsManager")),
			}),
		})
		// The logical ID CDK's rotation application gave the schedule: a deployment made with it
		// updates the schedule in place (a replacement's delete would cancel the rotation).
		schedules := tpl.FindResources(jsii.String("AWS::SecretsManager::RotationSchedule"), nil)
		for id := range *schedules {
			if !strings.HasPrefix(id, "DatabaseClusterSecretAttachmentRotationSchedule") {
				t.Errorf("the rotation schedule is %s, not the ID the rotation application gave it", id)
			}
		}
		// Control Tower's CT.LAMBDA.PR.2: a service may invoke it for this account only.
		tpl.ResourceCountIs(jsii.String("AWS::Lambda::Permission"), jsii.Number(1))
		tpl.HasResourceProperties(jsii.String("AWS::Lambda::Permission"), map[string]any{
			"Action": "lambda:InvokeFunction", "Principal": "secretsmanager.amazonaws.com", "SourceAccount": assertions.Match_AnyValue(),
			"SourceArn": map[string]any{"Ref": assertions.Match_StringLikeRegexp(jsii.String("^DatabaseClusterSecretAttachment"))},
		})
		// The region's key, for this secret's versions only, through Secrets Manager.
		tpl.HasResourceProperties(jsii.String("AWS::IAM::Policy"), map[string]any{
			"PolicyDocument": map[string]any{"Statement": assertions.Match_ArrayWith(&[]any{map[string]any{
				"Action": []any{"kms:Decrypt", "kms:GenerateDataKey"}, "Effect": "Allow", "Resource": keyRef(),
				"Condition": map[string]any{"StringEquals": map[string]any{
					"kms:ViaService":                  "secretsmanager.us-east-1.amazonaws.com",
					"kms:EncryptionContext:SecretARN": map[string]any{"Ref": assertions.Match_StringLikeRegexp(jsii.String("^DatabaseClusterSecretAttachment"))},
				}},
			}}), "Version": assertions.Match_AnyValue()},
		})
	})
}

func TestDatabase_SecondaryJoinsTheGlobalClusterWithoutCredentials(t *testing.T) {
	stack := constructkit.Stack(t, "eu-west-1")
	p := databaseProps(stack)
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
	database.NewSecondary(stack, "Database", databaseProps(stack))
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
	p := databaseProps(stack)
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

// The rotation function gives the new password to the cluster that writes now (after a failover,
// another region's), makes it current only once RDS has applied it and only if that cluster still
// writes, and keeps the password it made when Secrets Manager repeats a step. It runs the embedded Python with python3 against
// in-memory Secrets Manager and RDS (testdata/database/rotation_harness.py), when the machine has it.
func TestRotator_ChangesTheWritersPasswordAndFinishesOnlyOnceApplied(t *testing.T) {
	python, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 is not installed: the rotation function's behaviour is not checked here")
	}
	dir := t.TempDir()
	harness, err := os.ReadFile(filepath.Join("testdata", "database", "rotation_harness.py"))
	if err != nil {
		t.Fatal(err)
	}
	for name, source := range map[string][]byte{"index.py": []byte(database.Rotator), "harness.py": harness} {
		if err := os.WriteFile(filepath.Join(dir, name), source, 0o600); err != nil {
			t.Fatal(err)
		}
	}
	cmd := exec.Command(python, "harness.py")
	cmd.Dir = dir
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("the harness failed: %v\n%s", err, out)
	}
	type scenario struct {
		Modified [][]any
		Stages   map[string][]string
		Values   map[string]string
		Random   struct{ Length, Calls int }
		Errors   []string
	}
	var got map[string]scenario
	if err := json.Unmarshal(out, &got); err != nil {
		t.Fatalf("%v: %s", err, out)
	}

	failover := got["afterFailover"]
	if len(failover.Errors) > 0 {
		t.Errorf("after a failover the rotation failed: %v", failover.Errors)
	}
	if want := [][]any{{"eu-west-1", "acme-prod-eu-west-1", "new-1", true}}; fmt.Sprint(failover.Modified) != fmt.Sprint(want) {
		t.Errorf("after a failover the rotation changed %v, want the writer in eu-west-1 once, applied immediately: %v", failover.Modified, want)
	}
	if !slices.Contains(failover.Stages["t2"], "AWSCURRENT") || slices.Contains(failover.Stages["v1"], "AWSCURRENT") {
		t.Errorf("the new version is not the current one: %v", failover.Stages)
	}
	if !strings.Contains(failover.Values["t2"], `"password": "new-1"`) || !strings.Contains(failover.Values["t2"], `"username": "platform_admin"`) {
		t.Errorf("the new version %s does not keep the user and carry the new password", failover.Values["t2"])
	}
	if failover.Random.Calls != 1 || failover.Random.Length != 30 {
		t.Errorf("a repeated createSecret made another password, or the length is not 30: %+v", failover.Random)
	}

	neverApplied := got["neverApplied"]
	if len(neverApplied.Errors) != 1 || !strings.HasPrefix(neverApplied.Errors[0], "testSecret:") {
		t.Errorf("a password RDS has not applied passed the test step: errors %v", neverApplied.Errors)
	}
	if slices.Contains(neverApplied.Stages["t2"], "AWSCURRENT") {
		t.Error("a password RDS has not applied became current")
	}

	// A failover between the password step and the test: the new writer never got the password.
	midway := got["failoverMidRotation"]
	if len(midway.Errors) != 1 || !strings.HasPrefix(midway.Errors[0], "testSecret: acme-prod-eu-west-1 writes now") {
		t.Errorf("a failover after setSecret passed the test step: errors %v", midway.Errors)
	}
	if slices.Contains(midway.Stages["t2"], "AWSCURRENT") {
		t.Error("a password the writer does not have became current")
	}
}

// A failed rotation reaches the alert topic: Secrets Manager's RotationFailed service event.
func TestRotationAlerts_SendFailedRotationsToTheTopic(t *testing.T) {
	stack := constructkit.Stack(t, "us-east-1")
	topic := awssns.NewTopic(stack, jsii.String("Topic"), nil)
	database.NewRotationAlerts(stack, "RotationAlerts", database.RotationAlertsProps{Topic: topic})
	tpl := constructkit.TemplateOf(t, stack)
	constructkit.Assert(t, func() {
		tpl.HasResourceProperties(jsii.String("AWS::Events::Rule"), map[string]any{
			"EventPattern": map[string]any{
				"source": []any{"aws.secretsmanager"}, "detail-type": []any{"AWS Service Event via CloudTrail"},
				"detail": map[string]any{"eventSource": []any{"secretsmanager.amazonaws.com"}, "eventName": []any{"RotationFailed"}},
			},
			"Targets": []any{assertions.Match_ObjectLike(&map[string]any{"Arn": map[string]any{"Ref": assertions.Match_StringLikeRegexp(jsii.String("^Topic"))}})},
		})
	})
}

package constructs_test

import (
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/jsii-runtime-go"

	"github.com/example/platform/lib/database"
	"github.com/example/platform/lib/props/propstest"
)

func validDatabaseProps(stack awscdk.Stack) database.Props {
	return database.Props{
		Vpc: awsec2.NewVpc(stack, jsii.String("Vpc"), nil), Key: awskms.NewKey(stack, jsii.String("Key"), nil),
		EngineVersion: "16.6", EngineMajorVersion: "16", InstanceClass: "db.r7g.large", Instances: 2, BackupRetentionDays: 7,
		ClusterIdentifier: "acme-prod-us-east-1", GlobalClusterIdentifier: "acme-prod", LogRetention: awslogs.RetentionDays_THREE_MONTHS,
		MonitoringIntervalSeconds: 60,
	}
}

func TestDatabase_ThrowsOnABadOrMissingRequiredProp(t *testing.T) {
	for _, c := range []struct {
		name   string
		adjust func(*database.Props)
		want   string
	}{
		{"no instance count", func(p *database.Props) { p.Instances = 0 }, "database.NewSecondary(Test/Database): Props.Instances is required"},
		{"too many instances", func(p *database.Props) { p.Instances = 20 }, "Props.Instances 20: give 1 to 16"},
		{"major version of another engine", func(p *database.Props) { p.EngineMajorVersion = "15" },
			`Props.EngineMajorVersion "15" is not the major version of Props.EngineVersion 16.6; give "16"`},
		{"instance class without db.", func(p *database.Props) { p.InstanceClass = "r7g.large" }, `Props.InstanceClass "r7g.large" is not an instance class`},
		{"backups kept too long", func(p *database.Props) { p.BackupRetentionDays = 40 }, "Props.BackupRetentionDays 40: Aurora keeps automated backups for 1 to 35 days"},
		{"identifier RDS refuses", func(p *database.Props) { p.ClusterIdentifier = "acme--prod" }, `Props.ClusterIdentifier "acme--prod" is not an RDS identifier`},
		{"monitoring interval RDS does not offer", func(p *database.Props) { p.MonitoringIntervalSeconds = 45 }, "Props.MonitoringIntervalSeconds 45: Enhanced Monitoring samples every 1, 5, 10, 15, 30 or 60 seconds"},
		{"remote client that is no range", func(p *database.Props) { p.RemoteClients = []string{"10.1.0.0"} }, `Props.RemoteClients[0] "10.1.0.0" is not an IPv4 range`},
	} {
		t.Run(c.name, func(t *testing.T) {
			stack := awscdk.NewStack(awscdk.NewApp(nil), jsii.String("Test"), nil)
			p := validDatabaseProps(stack)
			c.adjust(&p)
			propstest.Panics(t, func() { database.NewSecondary(stack, "Database", p) }, c.want)
		})
	}
}

func TestDatabase_PrimaryThrowsWithoutASecretNameOrMasterUsername(t *testing.T) {
	stack := awscdk.NewStack(awscdk.NewApp(nil), jsii.String("Test"), nil)
	propstest.Panics(t, func() {
		database.NewPrimary(stack, "Database", database.PrimaryProps{Props: validDatabaseProps(stack)})
	}, "Props.SecretName is required")
	stack = awscdk.NewStack(awscdk.NewApp(nil), jsii.String("Test"), nil)
	propstest.Panics(t, func() {
		database.NewPrimary(stack, "Database", database.PrimaryProps{Props: validDatabaseProps(stack), SecretName: "acme/prod/database"})
	}, "database.NewPrimary(Test/Database): Props.MasterUsername is required")
}

// Secret replicas serve a global database's secondary regions; a regional cluster has none.
func TestDatabase_RegionalClusterThrowsOnSecretReplicas(t *testing.T) {
	stack := awscdk.NewStack(awscdk.NewApp(nil), jsii.String("Test"), nil)
	p := validDatabaseProps(stack)
	p.GlobalClusterIdentifier = ""
	propstest.Panics(t, func() {
		database.NewPrimary(stack, "Database", database.PrimaryProps{Props: p, SecretName: "acme/dev/database", MasterUsername: "platform_admin",
			SecretReplicas: []database.SecretReplica{{Region: "eu-west-1", KeyArn: jsii.String("arn:aws:kms:eu-west-1:111111111111:key/mrk-1")}}})
	}, "Props.SecretReplicas 1 replicas of a regional cluster's secret")
	propstest.Panics(t, func() {
		database.NewPrimary(stack, "Regional", database.PrimaryProps{Props: p, SecretName: "acme/dev/database", MasterUsername: "platform_admin",
			SecondaryClusterArns: []string{"arn:aws:rds:eu-west-1:111111111111:cluster:acme-dev-eu-west-1"}})
	}, "Props.SecondaryClusterArns 1 secondary clusters of a regional cluster")
}

// A secondary joins a global cluster: it must be named.
func TestDatabase_SecondaryThrowsWithoutAGlobalCluster(t *testing.T) {
	stack := awscdk.NewStack(awscdk.NewApp(nil), jsii.String("Test"), nil)
	p := validDatabaseProps(stack)
	p.GlobalClusterIdentifier = ""
	propstest.Panics(t, func() { database.NewSecondary(stack, "Database", p) }, "Props.GlobalClusterIdentifier is required")
}

package database

import (
	_ "embed"
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsevents"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslambda"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssecretsmanager"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/example/platform/lib/alerts"
	"github.com/example/platform/lib/compliance"
)

// Rotator is the rotation function's source (Python, inline: no asset to build or upload).
//
// Why not AWS's rotation application (CDK's AddRotationSingleUser): it is a Serverless
// Application Repository nested stack whose role takes no permissions boundary, so an
// organization that requires one on every role refuses it (aws/aws-cdk#19649). Why the RDS
// API and not a login: the master password of an Aurora cluster is the cluster's setting
// (ModifyDBCluster), as RDS's own managed rotation changes it; the function needs no database
// driver, no network path to the cluster, and reaches the writer in whichever region it is
// after a failover, where a login to the secret's host (the old primary) would find it
// read-only.
//
//go:embed rotation.py
var Rotator string

// passwordExcludeCharacters are left out of generated master passwords: those RDS refuses
// (/ " @), and those that need quoting in a connection string or a shell (CDK's default for
// database secrets).
const passwordExcludeCharacters = " %+~`#$&*()|[]{}:;<>?!'/@\"\\"

// passwordLength of a rotated master password: RDS takes 8 to 41 characters.
const passwordLength = 30

// rotationApplyWait is how long the function's test step waits for RDS to apply a new password
// (usually under a minute) before it fails the step and Secrets Manager retries the rotation.
const rotationApplyWait = 4 * 60

// newRotation rotates the master secret every props.RotationDays with the platform's own
// function (rotation.py), whose role is this stack's and so carries the stack's permissions
// boundary. It may change the master password of this cluster and of the secondary clusters,
// and look up which of them writes now.
func newRotation(c constructs.Construct, db *Database, props PrimaryProps) {
	logs := awslogs.NewLogGroup(c, jsii.String("RotationLogs"), &awslogs.LogGroupProps{
		Retention: props.LogRetention, EncryptionKey: props.Key, RemovalPolicy: awscdk.RemovalPolicy_RETAIN_ON_UPDATE_OR_DELETE,
	})
	role := awsiam.NewRole(c, jsii.String("RotationRole"), &awsiam.RoleProps{
		AssumedBy:   awsiam.NewServicePrincipal(jsii.String("lambda.amazonaws.com"), nil),
		Description: jsii.String("Rotates the master password: the secret's versions and the clusters' master password"),
	})
	logs.GrantWrite(role)
	environment := map[string]*string{
		"CLUSTER_ARN":        db.Cluster.ClusterArn(),
		"EXCLUDE_CHARACTERS": jsii.String(passwordExcludeCharacters),
		"PASSWORD_LENGTH":    jsii.String(fmt.Sprint(passwordLength)),
		"APPLY_WAIT_SECONDS": jsii.String(fmt.Sprint(rotationApplyWait)),
	}
	if props.GlobalClusterIdentifier != "" {
		environment["GLOBAL_CLUSTER_IDENTIFIER"] = jsii.String(props.GlobalClusterIdentifier)
		grantDescribeGlobalCluster(c, role, props.GlobalClusterIdentifier)
	}
	fn := awslambda.NewFunction(c, jsii.String("Rotator"), &awslambda.FunctionProps{
		Runtime:     awslambda.Runtime_PYTHON_3_14(),
		Handler:     jsii.String("index.handler"),
		Code:        awslambda.Code_FromInline(jsii.String(Rotator)),
		Description: jsii.String("Rotates the Aurora master password through the RDS API"),
		Timeout:     awscdk.Duration_Seconds(jsii.Number(rotationApplyWait + 60)),
		MemorySize:  jsii.Number(256),
		Role:        role,
		LogGroup:    logs,
		Environment: &environment,
	})
	fn.Node().AddDependency(role)
	clusters := append([]*string{db.Cluster.ClusterArn()}, *jsii.Strings(props.SecondaryClusterArns...)...)
	// RDS has no grant method for changing a cluster's master password.
	role.AddToPrincipalPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions: jsii.Strings("rds:DescribeDBClusters", "rds:ModifyDBCluster"), Resources: &clusters,
	}))
	// The function's grants are written here, not left to the schedule: it would also write the
	// function into the region key's policy (the keys stack's, which this stack deploys after),
	// and its invoke permission would name no source account (Control Tower's CT.LAMBDA.PR.2
	// requires one). So the schedule is given a handle on the function it grants nothing through.
	secretArn := db.Secret.SecretArn()
	role.AddToPrincipalPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions: jsii.Strings("secretsmanager:DescribeSecret", "secretsmanager:GetSecretValue",
			"secretsmanager:PutSecretValue", "secretsmanager:UpdateSecretVersionStage"),
		Resources: jsii.Strings(*secretArn),
	}))
	role.AddToPrincipalPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions: jsii.Strings("secretsmanager:GetRandomPassword"), Resources: jsii.Strings("*"),
	}))
	// What Secrets Manager asks of the caller to read and to write a version under the key, for
	// this secret only: the key also encrypts the cluster, the logs and the table.
	role.AddToPrincipalPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions: jsii.Strings("kms:Decrypt", "kms:GenerateDataKey"), Resources: jsii.Strings(*props.Key.KeyArn()),
		Conditions: &map[string]any{"StringEquals": map[string]any{
			"kms:ViaService":                  fmt.Sprintf("secretsmanager.%s.amazonaws.com", *awscdk.Stack_Of(c).Region()),
			"kms:EncryptionContext:SecretARN": secretArn,
		}},
	}))
	fn.AddPermission(jsii.String("InvokedBySecretsManager"), &awslambda.Permission{
		Principal:     awsiam.NewServicePrincipal(jsii.String("secretsmanager.amazonaws.com"), nil),
		SourceAccount: awscdk.Stack_Of(c).Account(),
		SourceArn:     secretArn,
	})
	handle := awslambda.Function_FromFunctionAttributes(c, jsii.String("RotatorHandle"), &awslambda.FunctionAttributes{
		FunctionArn: fn.FunctionArn(), SameEnvironment: jsii.Bool(true),
	})
	// Not rotated when created (the password is seconds old, and a change then would race the
	// secondary clusters joining): Secrets Manager then runs the test step only. It still comes
	// after the function may be invoked, the instances and the global cluster. Its ID is the one
	// CDK's rotation application gave it, so a deployment made with that one updates its
	// schedule in place: a replacement would create the new schedule, then delete the old one,
	// whose delete cancels the secret's rotation.
	schedule := db.Secret.AddRotationSchedule(jsii.String("RotationSchedule"), &awssecretsmanager.RotationScheduleOptions{
		RotationLambda:            handle,
		AutomaticallyAfter:        awscdk.Duration_Days(jsii.Number(props.RotationDays)),
		RotateImmediatelyOnUpdate: jsii.Bool(false),
	})
	schedule.Node().AddDependency(fn)
	schedule.Node().AddDependency(db.Cluster)
	if db.Global != nil {
		schedule.Node().AddDependency(db.Global)
	}
	compliance.Accept(role, compliance.Accepted{Rule: "AwsSolutions-IAM5",
		AppliesTo: []string{`/^Resource::.*RotationLogs.*:\*$/`, "Resource::*"},
		Reason:    "The log streams of the function's own log group, which Lambda names as it starts instances; and secretsmanager:GetRandomPassword, which acts on no resource."})
}

// RotationAlertsProps configures the alert on failed rotations. Topic is required.
type RotationAlertsProps struct {
	// Topic is the primary region's alert topic; its Publishers must include EventBridge.
	Topic awssns.ITopic
}

// NewRotationAlerts tells the topic when a rotation of a secret in this account and region fails
// ("AWS CloudTrail entries for Secrets Manager": RotationFailed, a service event EventBridge
// receives from CloudTrail): a failure after the password step leaves the database on the
// pending password while clients read the current one, until a rotation succeeds or someone
// finishes it (docs/security.md, The database master password).
func NewRotationAlerts(scope constructs.Construct, id string, p RotationAlertsProps) awsevents.Rule {
	return alerts.NewEventAlert(scope, id, "database.NewRotationAlerts", alerts.EventsProps{
		Topic:       p.Topic,
		Description: "Secret rotations in this account and region that failed",
		Pattern: &awsevents.EventPattern{
			Source:     jsii.Strings("aws.secretsmanager"),
			DetailType: jsii.Strings("AWS Service Event via CloudTrail"),
			Detail:     &map[string]any{"eventSource": []string{"secretsmanager.amazonaws.com"}, "eventName": []string{"RotationFailed"}},
		},
	})
}

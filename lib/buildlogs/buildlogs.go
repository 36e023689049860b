// Package buildlogs builds the log group the pipeline's CodeBuild projects write to: encrypted
// and kept a year, which Control Tower's CT.CODEBUILD.PR.3 (logs on), CT.CLOUDWATCH.PR.2 (a
// year at least) and CT.CLOUDWATCH.PR.3 (encrypted) ask for.
package buildlogs

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscodebuild"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/example/platform/lib/props"
)

// Retention is how long build logs are kept: a year, Control Tower's minimum.
const Retention = awslogs.RetentionDays_ONE_YEAR

// Props configures the build logs. Key is required.
type Props struct {
	// Key encrypts the logs; its policy must admit CloudWatch Logs (a LogGroup's key grant does).
	Key awskms.IKey
}

// Logs is the log group and the logging options that point a CodeBuild project at it.
type Logs struct {
	Group   awslogs.LogGroup
	Options *awscodebuild.LoggingOptions
}

// New creates the log group.
func New(scope constructs.Construct, id string, p Props) *Logs {
	c := props.Check(scope, id, "buildlogs.New")
	c.Require("Props.Key", p.Key != nil, "give the key that encrypts the pipeline's artifacts or alerts")
	c.Done()
	group := awslogs.NewLogGroup(scope, jsii.String(id), &awslogs.LogGroupProps{
		Retention: Retention, EncryptionKey: p.Key, RemovalPolicy: awscdk.RemovalPolicy_DESTROY,
	})
	return &Logs{Group: group, Options: &awscodebuild.LoggingOptions{CloudWatch: &awscodebuild.CloudWatchLoggingOptions{LogGroup: group}}}
}

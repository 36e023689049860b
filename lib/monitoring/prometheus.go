package monitoring

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsaps"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/example/platform/lib/props"
)

// Prometheus is a region's Amazon Managed Service for Prometheus workspace.
type Prometheus struct {
	Workspace awsaps.CfnWorkspace
	// Arn of the workspace, for grants such as aps:RemoteWrite.
	Arn *string
	// RemoteWriteURL is where collectors send metrics.
	RemoteWriteURL *string
}

// NewPrometheus creates a workspace named alias. AMP has no L2 construct, so this is the
// CloudFormation resource. Aliases need not be unique, so a workspace kept after its stack is
// gone never blocks the next create. It is encrypted with a key AMP owns: with a customer
// managed key every reader (Grafana, a person's queries) would need a KMS grant of its own.
// The stored metrics outlive the stack, as logs do.
func NewPrometheus(scope constructs.Construct, id, alias string) *Prometheus {
	c := props.Check(scope, id, "monitoring.NewPrometheus")
	c.Require("alias", alias != "", "name the workspace, such as acme-prod-us-east-1")
	c.Done()
	workspace := awsaps.NewCfnWorkspace(scope, jsii.String(id), &awsaps.CfnWorkspaceProps{Alias: jsii.String(alias)})
	workspace.ApplyRemovalPolicy(awscdk.RemovalPolicy_RETAIN_ON_UPDATE_OR_DELETE, nil)
	return &Prometheus{
		Workspace: workspace, Arn: workspace.AttrArn(),
		// PrometheusEndpoint ends with a slash.
		RemoteWriteURL: awscdk.Fn_Join(jsii.String(""), &[]*string{workspace.AttrPrometheusEndpoint(), jsii.String("api/v1/remote_write")}),
	}
}

package monitoring

import (
	"fmt"
	"regexp"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsgrafana"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/example/platform/lib/compliance"
	"github.com/example/platform/lib/props"
)

// GrafanaProps configures an Amazon Managed Grafana workspace. Name is required.
type GrafanaProps struct {
	// Name names the workspace, such as acme-prod: 1-255 of letters, digits and -._~
	// (AWS::Grafana::Workspace Name). Workspace names need not be unique.
	Name string
	// Description says what the workspace shows. Default: none.
	Description string
	// Prometheus are the ARNs of the Prometheus workspaces the workspace's role may query:
	// exactly these, in whatever region each lives. Default: none (no Prometheus access).
	Prometheus []*string
}

// Grafana is a workspace that users reach through IAM Identity Center, and the role it reads
// AWS data sources as.
type Grafana struct {
	constructs.Construct
	Workspace awsgrafana.CfnWorkspace
	// Role is what the workspace reads Prometheus, CloudWatch and X-Ray as.
	Role awsiam.Role
	// URL is the workspace's address (https://<endpoint>).
	URL *string
}

// AWS managed policies that Amazon Managed Grafana's own service-managed mode attaches for its
// CloudWatch and X-Ray data sources ("Amazon Managed Grafana permissions and policies for AWS
// data sources"). They follow what Grafana's plugins call as AWS upgrades them, and neither
// service lets most of those reads be narrowed to a resource (cloudwatch:GetMetricData,
// cloudwatch:ListMetrics, logs:StartQuery's results, xray:GetTraceSummaries).
const (
	grafanaCloudWatchPolicy = "service-role/AmazonGrafanaCloudWatchAccess"
	grafanaXRayPolicy       = "AWSXrayReadOnlyAccess"
)

// PrometheusQueryActions are what Grafana's Prometheus data source calls on a workspace: the
// queries and label lookups the dashboards make, and the workspace's own description. Not
// aps:ListWorkspaces, which takes no resource: the data source is given the workspace's URL.
func PrometheusQueryActions() []string {
	return []string{"aps:QueryMetrics", "aps:GetLabels", "aps:GetSeries", "aps:GetMetricMetadata", "aps:DescribeWorkspace"}
}

var grafanaName = regexp.MustCompile(`^[a-zA-Z0-9\-._~]{1,255}$`)

func (p GrafanaProps) check(scope constructs.Construct, id string) {
	c := props.Check(scope, id, "monitoring.NewGrafana")
	if c.Require("Props.Name", p.Name != "", "name the workspace, such as acme-prod") && !grafanaName.MatchString(p.Name) {
		c.Failf("Props.Name", "%q is not a workspace name; give 1-255 of letters, digits and -._~", p.Name)
	}
	for i, arn := range p.Prometheus {
		if arn == nil {
			c.Failf(fmt.Sprintf("Props.Prometheus[%d]", i), "is nil; give a Prometheus workspace's ARN (Prometheus.Arn)")
		}
	}
	c.Done()
}

// NewGrafana creates the workspace, authenticating users through IAM Identity Center (which
// must be enabled for the account before the workspace can be created), with
// customer-managed permissions: the platform writes the role, so it reads exactly the
// Prometheus workspaces given, and CloudWatch and X-Ray, and nothing else. Amazon Managed
// Grafana has no L2 construct, so the workspace is the CloudFormation resource.
//
// The data sources themselves are set up in Grafana at first login (docs/operations.md, "Grafana"):
// AWS::Grafana::Workspace's DataSources only lets the console's service-managed mode create
// roles, and the CreateWorkspace API calls it internal, so it is left out.
//
// The workspace holds what people build in it (dashboards, alert rules, who is an admin): it is
// kept when its stack goes or a change would replace it. Its name need not be unique
// (CreateWorkspace: "It does not have to be unique"), so a kept workspace never blocks the next
// create; it does count toward the account's five workspaces per region.
func NewGrafana(scope constructs.Construct, id string, p GrafanaProps) *Grafana {
	p.check(scope, id)
	c := constructs.NewConstruct(scope, jsii.String(id))
	stack := awscdk.Stack_Of(c)
	// Amazon Managed Grafana assumes the role for workspaces of this account and region only
	// (the confused-deputy conditions of "Cross-service confused deputy prevention"); the
	// workspace names the role, so the role cannot name the workspace's ARN.
	role := awsiam.NewRole(c, jsii.String("Role"), &awsiam.RoleProps{
		AssumedBy: awsiam.NewServicePrincipal(jsii.String("grafana.amazonaws.com"), &awsiam.ServicePrincipalOpts{
			Conditions: &map[string]any{
				"StringEquals": map[string]any{"aws:SourceAccount": stack.Account()},
				"ArnLike":      map[string]any{"aws:SourceArn": fmt.Sprintf("arn:%s:grafana:%s:%s:/workspaces/*", *stack.Partition(), *stack.Region(), *stack.Account())},
			},
		}),
		Description: jsii.String("Amazon Managed Grafana " + p.Name + ": reads the environment's Prometheus workspaces, CloudWatch and X-Ray"),
		ManagedPolicies: &[]awsiam.IManagedPolicy{
			awsiam.ManagedPolicy_FromAwsManagedPolicyName(jsii.String(grafanaCloudWatchPolicy)),
			awsiam.ManagedPolicy_FromAwsManagedPolicyName(jsii.String(grafanaXRayPolicy)),
		},
	})
	if len(p.Prometheus) > 0 {
		role.AddToPrincipalPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Sid:       jsii.String("QueryTheEnvironmentsPrometheusWorkspaces"),
			Actions:   jsii.Strings(PrometheusQueryActions()...),
			Resources: &p.Prometheus,
		}))
	}
	compliance.Accept(role, compliance.Accepted{Rule: "AwsSolutions-IAM4",
		AppliesTo: []string{
			"Policy::arn:<AWS::Partition>:iam::aws:policy/" + grafanaCloudWatchPolicy,
			"Policy::arn:<AWS::Partition>:iam::aws:policy/" + grafanaXRayPolicy,
		},
		Reason: "The AWS managed policies Amazon Managed Grafana documents for its CloudWatch and X-Ray data sources: AWS keeps them in step with what Grafana's plugins call, and neither service scopes most of those reads to a resource. Prometheus access is the platform's own statement, on the environment's workspaces only."})

	description := p.Description
	if description == "" {
		description = "Dashboards of " + p.Name
	}
	workspace := awsgrafana.NewCfnWorkspace(c, jsii.String("Workspace"), &awsgrafana.CfnWorkspaceProps{
		Name:        jsii.String(p.Name),
		Description: jsii.String(description),
		// The workspace reads this account's data: a workspace reading other accounts of the
		// organization would need ORGANIZATION access and a role in each.
		AccountAccessType:       jsii.String("CURRENT_ACCOUNT"),
		AuthenticationProviders: jsii.Strings("AWS_SSO"),
		PermissionType:          jsii.String("CUSTOMER_MANAGED"),
		RoleArn:                 role.RoleArn(),
	})
	// The role's inline policy is its own resource: the workspace's first queries need it.
	workspace.Node().AddDependency(role)
	workspace.ApplyRemovalPolicy(awscdk.RemovalPolicy_RETAIN_ON_UPDATE_OR_DELETE, nil)
	return &Grafana{
		Construct: c, Workspace: workspace, Role: role,
		URL: awscdk.Fn_Join(jsii.String(""), &[]*string{jsii.String("https://"), workspace.AttrEndpoint()}),
	}
}

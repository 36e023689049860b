// Package pullrequests builds the CodeBuild project that checks every pull request with the
// repository's buildspec.yml: tests, synthesis, and `cdk diff` against what is deployed.
package pullrequests

import (
	"regexp"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscodebuild"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscodecommit"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsevents"
	"github.com/aws/aws-cdk-go/awscdk/v2/awseventstargets"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/example/platform/lib/compliance"
	"github.com/example/platform/lib/props"
)

// Props configures the checks. Set exactly one of GitHubRepository or CodeCommit; Config,
// LookupRoleArns and Key are required.
type Props struct {
	// GitHubRepository is "owner/name", reached through ConnectionArn.
	GitHubRepository string
	// ConnectionArn is the CodeConnections connection (a GitHub App installation) CodeBuild
	// clones the GitHub repository through, creates its pull-request webhook with and reports
	// build status through. Required with GitHubRepository.
	ConnectionArn string
	// CodeCommit is a repository whose pull requests start the checks.
	CodeCommit awscodecommit.IRepository
	// Config is the platform config file the checks synthesize and diff.
	Config string
	// LookupRoleArns are the read-only CDK bootstrap lookup roles of every account and region
	// the diffed stacks deploy to: the project may assume these and no other role.
	LookupRoleArns []string
	// Key encrypts the build's logs and artifacts.
	Key awskms.IKey
	// BuildImage runs buildspec.yml, whose Go runtime versions and cache paths are the image's.
	// Default: aws/codebuild/standard:7.0.
	BuildImage awscodebuild.IBuildImage
}

// gitHubRepositoryPattern is owner/name.
var gitHubRepositoryPattern = regexp.MustCompile(`^[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+$`)

// check fails with every problem of p, the way a construct fails: a panic naming its path.
func (p Props) check(scope constructs.Construct, id string) {
	c := props.Check(scope, id, "pullrequests.New")
	switch {
	case p.GitHubRepository != "" && p.CodeCommit != nil:
		c.Failf("Props.GitHubRepository", "and Props.CodeCommit are both set; set exactly one")
	case p.GitHubRepository == "" && p.CodeCommit == nil:
		c.Require("Props.GitHubRepository", false, "or Props.CodeCommit: give the repository whose pull requests are checked")
	case p.GitHubRepository != "":
		if !gitHubRepositoryPattern.MatchString(p.GitHubRepository) {
			c.Failf("Props.GitHubRepository", "%q is not owner/name", p.GitHubRepository)
		}
		if c.Require("Props.ConnectionArn", p.ConnectionArn != "", "give the CodeConnections connection CodeBuild reaches GitHub through") &&
			len(strings.Split(p.ConnectionArn, ":")) < 6 {
			c.Failf("Props.ConnectionArn", "%q is not a connection ARN such as arn:aws:codeconnections:us-east-1:111111111111:connection/<uuid>", p.ConnectionArn)
		}
	case p.ConnectionArn != "":
		c.Failf("Props.ConnectionArn", "is only for a GitHub repository; a CodeCommit repository needs none")
	}
	c.Require("Props.Config", p.Config != "", "give the config file the checks synthesize, such as config/example.json")
	c.Require("Props.LookupRoleArns", len(p.LookupRoleArns) > 0, "list the CDK lookup roles of every account and region the diffed stacks deploy to")
	c.Require("Props.Key", p.Key != nil, "give the key that encrypts the build's logs and artifacts")
	c.Done()
}

// New creates the project.
func New(scope constructs.Construct, id string, props Props) awscodebuild.Project {
	props.check(scope, id)
	c := constructs.NewConstruct(scope, jsii.String(id))
	if props.BuildImage == nil {
		props.BuildImage = awscodebuild.LinuxBuildImage_STANDARD_7_0()
	}
	var source awscodebuild.ISource
	if props.CodeCommit != nil {
		source = awscodebuild.Source_CodeCommit(&awscodebuild.CodeCommitSourceProps{Repository: props.CodeCommit})
	} else {
		owner, repo, _ := strings.Cut(props.GitHubRepository, "/")
		source = awscodebuild.Source_GitHub(&awscodebuild.GitHubSourceProps{
			Owner: jsii.String(owner), Repo: jsii.String(repo), Webhook: jsii.Bool(true), ReportBuildStatus: jsii.Bool(true),
			WebhookFilters: &[]awscodebuild.FilterGroup{awscodebuild.FilterGroup_InEventOf(
				awscodebuild.EventAction_PULL_REQUEST_CREATED, awscodebuild.EventAction_PULL_REQUEST_UPDATED, awscodebuild.EventAction_PULL_REQUEST_REOPENED)},
		})
	}
	logs := awslogs.NewLogGroup(c, jsii.String("Logs"), &awslogs.LogGroupProps{
		// A year, Control Tower's minimum (CT.CLOUDWATCH.PR.2).
		Retention: awslogs.RetentionDays_ONE_YEAR, EncryptionKey: props.Key, RemovalPolicy: awscdk.RemovalPolicy_DESTROY,
	})
	project := awscodebuild.NewProject(c, jsii.String("Project"), &awscodebuild.ProjectProps{
		Description: jsii.String("Pull request checks: buildspec.yml (tests, synth, cdk diff against what is deployed)"),
		Source:      source,
		BuildSpec:   awscodebuild.BuildSpec_FromSourceFilename(jsii.String("buildspec.yml")),
		Environment: &awscodebuild.BuildEnvironment{
			BuildImage:  props.BuildImage,
			ComputeType: awscodebuild.ComputeType_MEDIUM,
			EnvironmentVariables: &map[string]*awscodebuild.BuildEnvironmentVariable{
				"CONFIG": {Value: jsii.String(props.Config)},
			},
		},
		EncryptionKey: props.Key,
		Cache:         awscodebuild.Cache_Local(awscodebuild.LocalCacheMode_CUSTOM),
		Logging:       &awscodebuild.LoggingOptions{CloudWatch: &awscodebuild.CloudWatchLoggingOptions{LogGroup: logs}},
		Timeout:       awscdk.Duration_Minutes(jsii.Number(30)),
	})
	if props.CodeCommit != nil {
		props.CodeCommit.OnPullRequestStateChange(jsii.String("OnPullRequest"), &awsevents.OnEventOptions{
			EventPattern: &awsevents.EventPattern{Detail: &map[string]any{"event": []string{"pullRequestCreated", "pullRequestSourceBranchUpdated"}}},
			Target: awseventstargets.NewCodeBuildProject(project, &awseventstargets.CodeBuildProjectProps{
				Event: awsevents.RuleTargetInput_FromObject(map[string]any{"sourceVersion": awsevents.EventField_FromPath(jsii.String("$.detail.sourceCommit"))}),
			}),
		})
	}
	if props.ConnectionArn != "" {
		useConnection(c, project, props.ConnectionArn)
	}
	// `cdk diff --method template` reads each deployed template through the stack's lookup role
	// (`cdk bootstrap --trust-for-lookup <tooling account>`: ReadOnlyAccess, no kms:Decrypt).
	project.AddToRolePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions: jsii.Strings("sts:AssumeRole"), Resources: jsii.Strings(props.LookupRoleArns...),
	}))
	compliance.Accept(project, compliance.Accepted{Rule: "AwsSolutions-IAM5",
		AppliesTo: []string{`/^Resource::arn:aws:logs:.*:log-group:\/aws\/codebuild\/.*$/`, `/^Resource::arn:aws:codebuild:.*:report-group\/.*$/`,
			"Action::kms:GenerateDataKey*", "Action::kms:ReEncrypt*"},
		Reason: "CodeBuild's own grants: log streams and test report groups are named by the build at run time; KMS actions come from the key's grant method."})
	return project
}

// useConnection makes CodeBuild reach the GitHub repository through the CodeConnections
// connection instead of account-level GitHub credentials, which nothing in the platform imports:
// without it CloudFormation fails to create the project's webhook (aws-cdk issue 31726).
func useConnection(scope constructs.Construct, project awscodebuild.Project, connectionArn string) {
	// Escape hatch: the CDK's GitHub source has no connection property in v2.270 (aws-cdk
	// issue 31726; pull request 37522 adds one), so the source's auth is set on the L1.
	cfn := project.Node().DefaultChild().(awscodebuild.CfnProject)
	cfn.AddPropertyOverride(jsii.String("Source.Auth"), map[string]any{"Type": "CODECONNECTIONS", "Resource": connectionArn})
	// CodeBuild checks that the project's role may use the connection while it creates the
	// project and its webhook, so the permission must be in place first. The role's default
	// policy cannot be it: it names the project's report groups, so it is created after the
	// project (aws-cdk issue 38504). Hence a policy of its own that the project depends on.
	// There is no grant method for connections; the actions are those the CodeBuild user guide
	// ("GitHub App connections") lists, plus UseConnection, which the connection checks. IAM
	// matches an action's service prefix to the ARN's ("Connections rename - Summary of
	// changes"), so both prefixes are granted, as on the pipeline's source action.
	var actions []string
	for _, service := range []string{"codeconnections", "codestar-connections"} {
		actions = append(actions, service+":GetConnectionToken", service+":GetConnection", service+":UseConnection")
	}
	policy := awsiam.NewPolicy(scope, jsii.String("UseConnection"), &awsiam.PolicyProps{
		Roles: &[]awsiam.IRole{project.Role()},
		Statements: &[]awsiam.PolicyStatement{awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Actions: jsii.Strings(actions...), Resources: jsii.Strings(connectionArn),
		})},
	})
	cfn.AddResourceDependency(policy.Node().DefaultChild().(awsiam.CfnPolicy), jsii.String("CodeBuild checks the role may use the connection when it creates the project"))
}

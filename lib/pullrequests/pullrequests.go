// Package pullrequests builds the CodeBuild project that checks every pull request with the
// repository's buildspec.yml: tests, synthesis, and `cdk diff` against what is deployed.
package pullrequests

import (
	"fmt"
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
)

// Target is an account and region whose deployed stacks pull requests are compared against.
type Target struct{ Account, Region string }

// Props configures the checks. Set exactly one of GitHubRepository or CodeCommit.
type Props struct {
	// GitHubRepository is "owner/name"; CodeBuild reaches it through the account's GitHub
	// source credentials (a CodeConnections connection imported into CodeBuild).
	GitHubRepository string
	// CodeCommit is a repository whose pull requests start the checks.
	CodeCommit awscodecommit.IRepository
	// Config is the platform config file the checks synthesize and diff.
	Config string
	// Targets are where the platform is deployed: the project may assume each one's CDK
	// bootstrap lookup role (read-only) to diff against what runs there.
	Targets []Target
	// Key encrypts the build's logs and artifacts.
	Key awskms.IKey
}

// New creates the project.
func New(scope constructs.Construct, id string, props Props) awscodebuild.Project {
	c := constructs.NewConstruct(scope, jsii.String(id))
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
		Retention: awslogs.RetentionDays_THREE_MONTHS, EncryptionKey: props.Key, RemovalPolicy: awscdk.RemovalPolicy_DESTROY,
	})
	project := awscodebuild.NewProject(c, jsii.String("Project"), &awscodebuild.ProjectProps{
		Description: jsii.String("Pull request checks: buildspec.yml (tests, synth, cdk diff against what is deployed)"),
		Source:      source,
		BuildSpec:   awscodebuild.BuildSpec_FromSourceFilename(jsii.String("buildspec.yml")),
		Environment: &awscodebuild.BuildEnvironment{
			BuildImage:  awscodebuild.LinuxBuildImage_STANDARD_7_0(),
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
	lookupRoles := make([]*string, len(props.Targets))
	for i, t := range props.Targets {
		// The role `cdk bootstrap --trust-for-lookup <tooling account>` creates: read-only.
		lookupRoles[i] = jsii.String(fmt.Sprintf("arn:aws:iam::%s:role/cdk-hnb659fds-lookup-role-%s-%s", t.Account, t.Account, t.Region))
	}
	project.AddToRolePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions: jsii.Strings("sts:AssumeRole"), Resources: &lookupRoles,
	}))
	compliance.Accept(project, compliance.Accepted{Rule: "AwsSolutions-IAM5",
		AppliesTo: []string{`/^Resource::arn:aws:logs:.*:log-group:\/aws\/codebuild\/.*$/`, `/^Resource::arn:aws:codebuild:.*:report-group\/.*$/`,
			"Action::kms:GenerateDataKey*", "Action::kms:ReEncrypt*"},
		Reason: "CodeBuild's own grants: log streams and test report groups are named by the build at run time; KMS actions come from the key's grant method."})
	return project
}

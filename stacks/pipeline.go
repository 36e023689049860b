package stacks

import (
	"fmt"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscodebuild"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscodecommit"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscodepipeline"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscodestarnotifications"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssnssubscriptions"
	"github.com/aws/aws-cdk-go/awscdk/v2/pipelines"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/example/platform/lib/compliance"
	"github.com/example/platform/lib/config"
	"github.com/example/platform/lib/pullrequests"
)

// TierPipeline names the tooling account's delivery stack.
const TierPipeline = "pipeline"

// ToolingEnvironment is the environment name of the tooling account's stacks.
const ToolingEnvironment = "tooling"

// PipelineStack is the self-mutating pipeline that delivers every environment, in config order.
type PipelineStack struct {
	awscdk.Stack
	Pipeline pipelines.CodePipeline
	// ApprovalTopic is told when an environment waits for approval or broadens permissions.
	ApprovalTopic awssns.Topic
	PullRequests  awscodebuild.Project
}

// NewPipelineStack builds the pipeline in the tooling account. configFile is the path the
// synth step passes to `make synth`, so the pipeline builds exactly what a developer builds.
func NewPipelineStack(app awscdk.App, p *config.Platform, configFile string, stages []*EnvironmentStage) *PipelineStack {
	tooling := config.Environment{Name: ToolingEnvironment, Account: p.Pipeline.Account}
	stack := awscdk.NewStack(app, jsii.String(TierPipeline), &awscdk.StackProps{
		StackName:   jsii.String(StackName(p.Name, ToolingEnvironment, p.Pipeline.Region, TierPipeline)),
		Env:         &awscdk.Environment{Account: jsii.String(p.Pipeline.Account), Region: jsii.String(p.Pipeline.Region)},
		Description: jsii.String(fmt.Sprintf("%s delivery pipeline: staging, approval, production in every region", p.Name)),
		Tags:        jsiiStringMap(platformTags(p, tooling)),
	})
	result := &PipelineStack{Stack: stack}
	key := notificationsKey(stack)
	result.ApprovalTopic = awssns.NewTopic(stack, jsii.String("ApprovalTopic"), &awssns.TopicProps{
		DisplayName: jsii.String(p.Name + " pipeline approvals"), MasterKey: key, EnforceSSL: jsii.Bool(true),
	})
	for _, email := range p.AlertEmails {
		result.ApprovalTopic.AddSubscription(awssnssubscriptions.NewEmailSubscription(jsii.String(email), nil))
	}

	source, repository := pipelineSource(stack, p.Pipeline.Source)
	result.Pipeline = pipelines.NewCodePipeline(stack, jsii.String("Pipeline"), &pipelines.CodePipelineProps{
		PipelineName:      jsii.String(p.Name + "-platform"),
		PipelineType:      awscodepipeline.PipelineType_V2,
		Synth:             synthStep(source, configFile),
		SelfMutation:      jsii.Bool(true),
		CrossAccountKeys:  jsii.Bool(true),
		EnableKeyRotation: jsii.Bool(true),
		// Nothing in the app builds a container image: synthesis needs no Docker.
		DockerEnabledForSynth: jsii.Bool(false),
	})
	for _, stage := range stages {
		result.Pipeline.AddStage(stage.Stage, stageSteps(p, stage, result.ApprovalTopic))
	}
	result.Pipeline.BuildPipeline()
	awscodestarnotifications.NewNotificationRule(stack, jsii.String("ApprovalNeeded"), &awscodestarnotifications.NotificationRuleProps{
		Source:     result.Pipeline.Pipeline(),
		Events:     jsii.Strings("codepipeline-pipeline-manual-approval-needed"),
		Targets:    &[]awscodestarnotifications.INotificationRuleTarget{result.ApprovalTopic},
		DetailType: awscodestarnotifications.DetailType_FULL,
	})

	var targets []pullrequests.Target
	for _, env := range p.Environments {
		for _, r := range env.Regions {
			targets = append(targets, pullrequests.Target{Account: env.Account, Region: r.Region})
		}
	}
	checks := pullrequests.Props{Config: configFile, Targets: targets, Key: key, CodeCommit: repository}
	if cc := p.Pipeline.Source.CodeConnections; cc != nil {
		checks.GitHubRepository = cc.Repository
	}
	result.PullRequests = pullrequests.New(stack, "PullRequests", checks)
	compliance.Accept(result.Pipeline, pipelineFindings...)
	// Cross-region deployments get a support stack per region (an artifact bucket and key),
	// which CDK Pipelines creates beside this one: same tags, same accepted findings.
	for _, support := range supportStacks(app) {
		for key, value := range platformTags(p, tooling) {
			// The stack's own tags (with @aws-cdk/core:explicitStackTags, nothing else sets them),
			// which CloudFormation propagates to its resources.
			support.Tags().SetTag(jsii.String(key), jsii.String(value), nil, nil)
		}
		compliance.Accept(support, pipelineFindings...)
		keepArtifactBucketsExceptOnCreate(support)
	}
	encryptGeneratedLogGroups(stack, key)
	return result
}

// keepArtifactBucketsExceptOnCreate: a support stack's artifact bucket has a name CDK Pipelines
// derives (the pipeline names it across regions) and is kept when the stack goes; a bucket kept
// after its own create failed would fail every retry on that name, so it goes in that case.
func keepArtifactBucketsExceptOnCreate(support awscdk.Stack) {
	for _, c := range *support.Node().FindAll(constructs.ConstructOrder_PREORDER) {
		if bucket, ok := c.(awss3.CfnBucket); ok {
			bucket.ApplyRemovalPolicy(awscdk.RemovalPolicy_RETAIN_ON_UPDATE_OR_DELETE, nil)
		}
	}
}

// encryptGeneratedLogGroups encrypts the log groups CDK Pipelines creates itself (its
// permissions-check function's) with key, as the platform's own are: the construct offers no
// property for it.
func encryptGeneratedLogGroups(stack awscdk.Stack, key awskms.IKey) {
	for _, c := range *stack.Node().FindAll(constructs.ConstructOrder_PREORDER) {
		if group, ok := c.(awslogs.CfnLogGroup); ok && group.KmsKeyId() == nil {
			group.SetKmsKeyId(key.KeyArn())
		}
	}
}

func supportStacks(app awscdk.App) []awscdk.Stack {
	var found []awscdk.Stack
	for _, c := range *app.Node().Children() {
		if strings.HasPrefix(*c.Node().Id(), "cross-region-stack-") {
			found = append(found, awscdk.Stack_Of(c))
		}
	}
	return found
}

// pipelineSource is the configured repository; repository is set for CodeCommit.
func pipelineSource(stack awscdk.Stack, source config.Source) (pipelines.CodePipelineSource, awscodecommit.IRepository) {
	if cc := source.CodeConnections; cc != nil {
		return pipelines.CodePipelineSource_Connection(jsii.String(cc.Repository), jsii.String(source.Branch),
			&pipelines.ConnectionSourceOptions{ConnectionArn: jsii.String(cc.ConnectionArn)}), nil
	}
	repository := awscodecommit.Repository_FromRepositoryName(stack, jsii.String("Repository"), jsii.String(source.CodeCommit.Repository))
	return pipelines.CodePipelineSource_CodeCommit(repository, jsii.String(source.Branch), nil), repository
}

// synthStep runs the README's commands: the tests, then the synthesis of this platform's config
// with the pinned CLI. Go modules and the build cache survive between runs.
func synthStep(source pipelines.CodePipelineSource, configFile string) pipelines.CodeBuildStep {
	return pipelines.NewCodeBuildStep(jsii.String("Synth"), &pipelines.CodeBuildStepProps{
		Input:                  source,
		Commands:               jsii.Strings("make test", "make synth CONFIG="+configFile),
		PrimaryOutputDirectory: jsii.String("cdk.out"),
		BuildEnvironment: &awscodebuild.BuildEnvironment{
			BuildImage: awscodebuild.LinuxBuildImage_STANDARD_7_0(), ComputeType: awscodebuild.ComputeType_MEDIUM,
		},
		// go.mod's go line makes Go fetch the toolchain it names (GOTOOLCHAIN=auto).
		PartialBuildSpec: awscodebuild.BuildSpec_FromObject(&map[string]any{
			"phases": map[string]any{"install": map[string]any{"runtime-versions": map[string]any{"golang": "1.23", "nodejs": "20"}}},
			"cache":  map[string]any{"paths": []string{"/root/go/pkg/mod/**/*", "/root/.cache/go-build/**/*"}},
		}),
		Cache: awscodebuild.Cache_Local(awscodebuild.LocalCacheMode_CUSTOM),
	})
}

// stageSteps gate an environment that needs approval behind a permissions-broadening check
// and a person, and check every environment's health after it deploys.
func stageSteps(p *config.Platform, stage *EnvironmentStage, topic awssns.ITopic) *pipelines.AddStageOpts {
	opts := &pipelines.AddStageOpts{Post: &[]pipelines.Step{smokeTest(p, stage)}}
	if stage.Environment.NeedsApproval() {
		check := pipelines.NewConfirmPermissionsBroadening(jsii.String("CheckPermissions"), &pipelines.PermissionsBroadeningCheckProps{
			Stage: stage.Stage, NotificationTopic: topic,
		})
		approve := pipelines.NewManualApprovalStep(jsii.String("Approve"), &pipelines.ManualApprovalStepProps{
			Comment: jsii.String(fmt.Sprintf("Deploy %s to %s? The previous environment passed its smoke test.", p.Name, stage.Environment.Name)),
		})
		approve.AddStepDependency(check)
		opts.Pre = &[]pipelines.Step{check, approve}
	}
	return opts
}

// smokeTest asks every region for its health path through the whole path users take
// (CloudFront, WAF, origin header, production rule), then the API through Global Accelerator,
// retrying while a fresh deployment settles and DNS catches up.
func smokeTest(p *config.Platform, stage *EnvironmentStage) pipelines.Step {
	curl := `curl --fail --silent --show-error --retry 20 --retry-delay 15 --retry-all-errors --max-time 10 `
	var commands []string
	for _, r := range stage.Regions {
		commands = append(commands, fmt.Sprintf(`%s"${SITE_URL}%s%s"`, curl, config.HealthPathPrefix, r.Region.Region))
	}
	commands = append(commands, fmt.Sprintf(`%s"${API_URL}%s"`, curl, p.Service.HealthCheckPath))
	return pipelines.NewShellStep(jsii.String("SmokeTest"), &pipelines.ShellStepProps{
		EnvFromCfnOutputs: &map[string]awscdk.CfnOutput{"SITE_URL": stage.Edge.URL, "API_URL": stage.Accelerator.URL},
		Commands:          jsii.Strings(commands...),
	})
}

// notificationsKey encrypts the approval topic and the pull-request builds. CodeStar
// Notifications must be able to use it to publish to the encrypted topic.
func notificationsKey(stack awscdk.Stack) awskms.Key {
	key := topicKey(stack, "NotificationsKey", "Encrypts the pipeline's approval notifications and pull-request builds",
		"CodeStarNotificationsPublishToTheEncryptedTopic", "codestar-notifications.amazonaws.com")
	key.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:        jsii.String("CloudWatchLogsEncryptsTheBuildLogs"),
		Principals: &[]awsiam.IPrincipal{awsiam.NewServicePrincipal(jsii.String(fmt.Sprintf("logs.%s.amazonaws.com", *stack.Region())), nil)},
		Actions:    jsii.Strings("kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"),
		Resources:  jsii.Strings("*"),
		Conditions: &map[string]any{"ArnLike": map[string]any{
			"kms:EncryptionContext:aws:logs:arn": fmt.Sprintf("arn:aws:logs:%s:%s:log-group:*", *stack.Region(), *stack.Account()),
		}},
	}), nil)
	return key
}

// topicKey is a yearly-rotated KMS key for an encrypted SNS topic that publisher (a service
// principal) publishes to: SNS uses the key on the publisher's behalf.
func topicKey(stack awscdk.Stack, id, description, sid, publisher string) awskms.Key {
	key := awskms.NewKey(stack, jsii.String(id), &awskms.KeyProps{
		Description: jsii.String(description), EnableKeyRotation: jsii.Bool(true),
	})
	key.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:        jsii.String(sid),
		Principals: &[]awsiam.IPrincipal{awsiam.NewServicePrincipal(jsii.String(publisher), nil)},
		Actions:    jsii.Strings("kms:GenerateDataKey*", "kms:Decrypt"),
		Resources:  jsii.Strings("*"),
		Conditions: &map[string]any{"StringEquals": map[string]any{"kms:ViaService": fmt.Sprintf("sns.%s.amazonaws.com", *stack.Region())}},
	}), nil)
	return key
}

// pipelineFindings are what cdk-nag finds in the resources CDK Pipelines generates: roles for
// the pipeline, its CodeBuild steps and its security check, its artifact buckets. This code
// does not write them and the construct offers no way to narrow them.
var pipelineFindings = []compliance.Accepted{
	{Rule: "AwsSolutions-IAM5", Reason: "CDK Pipelines grants its roles object-level and prefix actions on the artifact buckets and keys, CodeBuild log streams and report groups named at run time, the CDK bootstrap roles it assumes to deploy (arn:*:iam::<account>:role/*, limited by a role-tag condition), and its security-check function's versions.",
		AppliesTo: []string{
			`/^Action::s3:[A-Za-z]+\*$/`, "Action::kms:GenerateDataKey*", "Action::kms:ReEncrypt*",
			`/^Resource::.*\/\*$/`, `/^Resource::arn:aws:logs:.*:log-group:\/aws\/codebuild\/.*$/`,
			`/^Resource::arn:aws:codebuild:.*:report-group\/.*$/`, `/^Resource::arn:\*:iam::[0-9]{12}:role\/\*$/`,
			`/^Resource::<.*AutoApprove.*\.Arn>:\*$/`, "Resource::*",
		}},
	{Rule: "AwsSolutions-IAM4", AppliesTo: []string{"Policy::arn:<AWS::Partition>:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole"},
		Reason: "The permissions-broadening check's approval function is CDK Pipelines' own; it only writes its logs."},
	{Rule: "AwsSolutions-S1", Reason: "Pipeline artifact buckets are written and read only by the pipeline's roles (CloudTrail records that access); they hold build outputs that every run recreates."},
}

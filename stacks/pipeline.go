package stacks

import (
	"fmt"
	"iter"
	"sort"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscodebuild"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscodecommit"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscodepipeline"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/aws-cdk-go/awscdk/v2/pipelines"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/example/platform/internal/toolchain"
	"github.com/example/platform/lib/alerts"
	"github.com/example/platform/lib/buildlogs"
	"github.com/example/platform/lib/compliance"
	"github.com/example/platform/lib/config"
	"github.com/example/platform/lib/plan"
	"github.com/example/platform/lib/pullrequests"
)

// ToolingEnvironment is the environment name of the tooling account's stacks.
const ToolingEnvironment = plan.ToolingEnvironment

// PipelineStack is the self-mutating pipeline that delivers every environment, in config order.
type PipelineStack struct {
	awscdk.Stack
	Pipeline pipelines.CodePipeline
	// ApprovalTopic e-mails alertEmails when a person must decide: a manual approval is waiting,
	// or the permissions-broadening check found a change to confirm.
	ApprovalTopic awssns.Topic
	// PullRequests checks pull requests; nil for GitLab and Bitbucket repositories.
	PullRequests awscodebuild.Project
	// SupportStacks are the stacks CDK Pipelines adds for the other regions it deploys to.
	SupportStacks []awscdk.Stack
}

// NewPipelineStack builds the pipeline in the tooling account. configFile is the path the
// synth step passes to `make synth`, so the pipeline builds exactly what a developer builds;
// tools are the repository's pinned tool versions, which every build step installs. baseline
// may be nil (a pipeline without the accounts' security baseline). environments yields the
// environments' stages in delivery order; the pipeline adds each as it comes, so one can be built
// while the one before is checked. synthesized, if not nil, is called with each stage as the
// pipeline adds it: CDK Pipelines synthesizes a stage then, and its templates are final.
func NewPipelineStack(app awscdk.App, planned *plan.Plan, configFile string, tools toolchain.Toolchain, baseline *BaselineStage, tooling *ToolingStage, environments iter.Seq[*EnvironmentStage], synthesized func(awscdk.Stage)) *PipelineStack {
	p, layout := planned.Platform, planned.Pipeline
	toolingEnv := config.Environment{Name: ToolingEnvironment, Account: p.Pipeline.Account}
	stack := awscdk.NewStack(app, jsii.String(layout.ID), &awscdk.StackProps{
		StackName:   jsii.String(layout.Name),
		Env:         &awscdk.Environment{Account: jsii.String(layout.Account), Region: jsii.String(layout.Region)},
		Description: jsii.String(fmt.Sprintf("%s delivery pipeline: staging, approval, production in every region", p.Name)),
		Tags:        jsiiStringMap(platformTags(p, toolingEnv)),
	})
	result := &PipelineStack{Stack: stack}
	// Everything that publishes approvals (the pipeline's role, the broadening check's project)
	// is in this account and is granted the topic's key by IAM. The key encrypts the
	// pull-request builds too.
	approvals := alerts.New(stack, "Approvals", alerts.Props{DisplayName: p.Name + " pipeline approvals", Emails: p.AlertEmails})
	key := approvals.Key
	result.ApprovalTopic = approvals.Topic

	source, repository := pipelineSource(stack, p.Pipeline.Source)
	pipelineName := p.Name + "-platform"
	image := imageStep(source, p, tooling.Regions(), tools)
	buildLogs := buildlogs.New(stack, "BuildLogs", buildlogs.Props{Key: key})
	result.Pipeline = pipelines.NewCodePipeline(stack, jsii.String("Pipeline"), &pipelines.CodePipelineProps{
		PipelineName:      jsii.String(pipelineName),
		PipelineType:      awscodepipeline.PipelineType_V2,
		Synth:             synthStep(image, configFile, tools),
		SelfMutation:      jsii.Bool(true),
		CrossAccountKeys:  jsii.Bool(true),
		EnableKeyRotation: jsii.Bool(true),
		// Synthesis needs no Docker: the Image step builds the service's image, before it.
		DockerEnabledForSynth: jsii.Bool(false),
		// The CLIs the generated steps install (self-mutation, asset publishing), pinned to
		// package.json instead of the newest release on the day of the run.
		// One action per stack instead of a change set prepared then executed: half the
		// actions, under CodePipeline's 50 per stage for more regions (lib/plan counts them).
		UseChangeSets:       jsii.Bool(false),
		CliVersion:          jsii.String(tools.CDKCLI),
		CdkAssetsCliVersion: jsii.String(tools.CDKAssets),
		// Every project CDK Pipelines makes (steps, assets, self-mutation) logs to one group.
		CodeBuildDefaults: &pipelines.CodeBuildOptions{Logging: buildLogs.Options},
	})
	// Every account-region's security baseline first (stacks/baseline.go says why), then the
	// image repositories: every environment pulls from them.
	if synthesized == nil {
		synthesized = func(awscdk.Stage) {}
	}
	staged := tooling.Stacks()
	if baseline != nil {
		result.Pipeline.AddStage(baseline.Stage, baselineSteps(p, baseline, result.ApprovalTopic))
		synthesized(baseline.Stage)
		staged = append(baseline.Stacks(), staged...)
	}
	result.Pipeline.AddStage(tooling.Stage, &pipelines.AddStageOpts{Post: &[]pipelines.Step{protectStacks(tooling.Stacks())}})
	synthesized(tooling.Stage)
	var stages []*EnvironmentStage
	for stage := range environments {
		result.Pipeline.AddStage(stage.Stage, stageSteps(p, stage, result.ApprovalTopic, image, tools, pipelineName))
		synthesized(stage.Stage)
		stages = append(stages, stage)
	}
	result.Pipeline.BuildPipeline()
	keepArtifactsVersioned(result.Pipeline)
	if cc := p.Pipeline.Source.CodeConnections; cc != nil {
		useConnectionByEitherPrefix(result.Pipeline, cc.ConnectionArn)
	}
	if check := securityCheckProject(result.Pipeline); check != nil {
		check.SetName(jsii.String(SecurityCheckProjectName(p.Name)))
		pinSecurityCheckCLI(check, tools.CDKCLI)
		logSecurityCheck(result.Pipeline, check, buildLogs.Group)
	}
	approverRole(stack, p, pipelineName, baseline, stages)

	if p.Pipeline.Source.ChecksPullRequests() {
		checks := pullrequests.Props{Config: configFile, LookupRoleArns: lookupRoleArns(append(staged, environmentStacks(stages)...)), Key: key, CodeCommit: repository, BuildImage: BuildImage()}
		if cc := p.Pipeline.Source.CodeConnections; cc != nil {
			checks.GitHubRepository, checks.ConnectionArn = cc.Repository, cc.ConnectionArn
		}
		result.PullRequests = pullrequests.New(stack, "PullRequests", checks)
	}
	compliance.Accept(result.Pipeline, pipelineFindings...)
	// Cross-region deployments get a support stack per region (an artifact bucket and key),
	// which CDK Pipelines creates beside this one: same tags, same accepted findings.
	result.SupportStacks = supportStacks(app)
	for _, support := range result.SupportStacks {
		for key, value := range platformTags(p, toolingEnv) {
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

// lookupRoleArns are the CDK lookup roles of every account and region of stacks (the stages'
// stacks: the tooling registries, each environment's regions, the edge's and the accelerator's),
// each once: what the pull-request diff reads the deployed templates through.
func lookupRoleArns(stacks []awscdk.Stack) []string {
	seen := map[string]bool{}
	var arns []string
	for _, stack := range stacks {
		if arn := bootstrapRoles(stack).lookup; !seen[arn] {
			seen[arn] = true
			arns = append(arns, arn)
		}
	}
	sort.Strings(arns)
	return arns
}

func environmentStacks(stages []*EnvironmentStage) []awscdk.Stack {
	var all []awscdk.Stack
	for _, stage := range stages {
		all = append(all, stage.Stacks()...)
	}
	return all
}

// supportStacks are the cross-region support stacks CDK Pipelines adds to the app, found by the
// construct ID prefix CDK Pipelines gives them ("cross-region-stack-<account>:<region>"): an
// internal detail of aws-cdk-lib with no public API. Should a CDK upgrade change it, this finds
// nothing, and the tests notice: TestPipeline_HasCrossRegionSupportForEveryRegion counts the
// support stacks this finds, and the support stacks would lose their tags and accepted
// findings (TestPlatform_EveryStackCarriesThePlatformTags, TestPlatform_HasNoCdkNagErrors).
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

// synthStep runs the README's commands on what the Image step outputs (the sources and the
// release's digest): the tests, the rules on this platform's config, then its synthesis with the pinned
// CLI (npm ci installs package-lock.json's) and the release every environment will run.
func synthStep(image pipelines.IFileSetProducer, configFile string, tools toolchain.Toolchain) pipelines.CodeBuildStep {
	return pipelines.NewCodeBuildStep(jsii.String("Synth"), &pipelines.CodeBuildStepProps{
		Input:                  image,
		Commands:               jsii.Strings("make test", fmt.Sprintf("make check CONFIG=%s", configFile), fmt.Sprintf(`make synth CONFIG=%s IMAGE_DIGEST="$(cat %s)"`, configFile, ImageDigestFile)),
		PrimaryOutputDirectory: jsii.String("cdk.out"),
		BuildEnvironment: &awscodebuild.BuildEnvironment{
			BuildImage: BuildImage(), ComputeType: awscodebuild.ComputeType_MEDIUM,
		},
		PartialBuildSpec: awscodebuild.BuildSpec_FromObject(&map[string]any{
			"phases": map[string]any{"install": map[string]any{"runtime-versions": RuntimeVersions(tools)}},
			"cache":  map[string]any{"paths": GoCachePaths},
		}),
		Cache: awscodebuild.Cache_Local(awscodebuild.LocalCacheMode_CUSTOM),
	})
}

// BuildImage is the CodeBuild image of the synth step and the pull-request checks: the image
// whose Go versions and cache paths RuntimeVersions and GoCachePaths (and buildspec.yml) name.
func BuildImage() awscodebuild.IBuildImage { return awscodebuild.LinuxBuildImage_STANDARD_7_0() }

// BuildNodeVersion is the Node.js runtime the builds select for the CDK CLI and jsii.
const BuildNodeVersion = "20"

// RuntimeVersions select, in BuildImage, the Go of go.mod (the image has 1.20 to 1.26 and
// installs any other version with goenv), so no build downloads a toolchain.
func RuntimeVersions(tools toolchain.Toolchain) map[string]any {
	return map[string]any{"golang": tools.Go, "nodejs": BuildNodeVersion}
}

// GoCachePaths are Go's module cache and build cache in BuildImage, kept between builds. The
// image sets GOPATH=/go, so modules live in /go/pkg/mod (go env GOMODCACHE), and HOME=/root, so
// the build cache is /root/.cache/go-build (go env GOCACHE). buildspec.yml lists the same paths.
var GoCachePaths = []string{"/go/pkg/mod/**/*", "/root/.cache/go-build/**/*"}

// stageSteps gate an environment that needs approval behind a permissions-broadening check
// and a person, then check every environment's health and protect its stateful stacks after it
// deploys.
//
// People get one e-mail per decision they must make: the broadening check publishes to topic
// only when it finds a change to confirm (otherwise it approves its own confirmation action), and
// CodePipeline publishes for the Approve action alone. A CodeStar notification rule would not do:
// its manual-approval-needed event fires for every approval action of the pipeline, the check's
// self-approving confirmation included.
func stageSteps(p *config.Platform, stage *EnvironmentStage, topic awssns.ITopic, image pipelines.IFileSetProducer, tools toolchain.Toolchain, pipelineName string) *pipelines.AddStageOpts {
	// Only a release whose smoke test passed is tagged as a rollback candidate.
	smoke, mark := smokeTest(p, stage), markDeployedStep(image, p, stage, tools)
	mark.AddStepDependency(smoke)
	post := []pipelines.Step{smoke, mark}
	if protect := protectStacks(stage.Stacks()); protect != nil {
		post = append(post, protect)
	}
	opts := &pipelines.AddStageOpts{Post: &post}
	if stage.Environment.NeedsApproval() {
		check := pipelines.NewConfirmPermissionsBroadening(jsii.String(CheckPermissionsStep), &pipelines.PermissionsBroadeningCheckProps{
			Stage: stage.Stage, NotificationTopic: topic,
		})
		approve := pipelines.NewManualApprovalStep(jsii.String(ApproveAction), &pipelines.ManualApprovalStepProps{
			Comment: jsii.String(fmt.Sprintf("Deploy %s to %s? Review the previous environment's smoke test at the link, then approve as %s.",
				p.Name, stage.Environment.Name, ApproverRoleName(p.Name))),
			ReviewUrl:         jsii.String(approvalReviewURL(p, stage.Environment, pipelineName)),
			NotificationTopic: topic,
		})
		approve.AddStepDependency(check)
		opts.Pre = &[]pipelines.Step{check, approve}
	}
	return opts
}

// baselineSteps protect the baseline's stacks after they deploy and, when the platform gates an
// environment, check the stage for broadened permissions first: the baseline changes the gated
// environments' accounts (the auditor role's trust, the recorder's and the trail's roles)
// before their own gate, so a change that widens IAM waits for a person here too. A change that
// widens nothing passes without one.
func baselineSteps(p *config.Platform, baseline *BaselineStage, topic awssns.ITopic) *pipelines.AddStageOpts {
	opts := &pipelines.AddStageOpts{}
	if protect := protectStacks(baseline.Stacks()); protect != nil {
		opts.Post = &[]pipelines.Step{protect}
	}
	if p.GatesAnEnvironment() {
		opts.Pre = &[]pipelines.Step{pipelines.NewConfirmPermissionsBroadening(jsii.String(CheckPermissionsStep), &pipelines.PermissionsBroadeningCheckProps{
			Stage: baseline.Stage, NotificationTopic: topic,
		})}
	}
	return opts
}

// protectStacks turns termination protection on for every stack of the stage that asks for it,
// after the stage's stacks deploy. CDK Pipelines' CloudFormation actions ignore a stack's
// terminationProtection; only `cdk deploy` applies it (aws-cdk issues 17871, 30405). The step
// assumes each account and region's CDK deploy role, which `cdk bootstrap --trust <tooling
// account>` lets the pipeline assume and whose policy allows
// cloudformation:UpdateTerminationProtection (the bootstrap template's CliPermissions), and may
// assume no other role. It returns nil when no stack of the stage is protected.
func protectStacks(stacks []awscdk.Stack) pipelines.Step {
	var setup, protect, roles []string
	profiles := map[string]bool{}
	for _, stack := range stacks {
		if stack.TerminationProtection() == nil || !*stack.TerminationProtection() {
			continue
		}
		role := bootstrapRoles(stack).deploy
		profile := *stack.Account() + "-" + *stack.Region()
		if !profiles[profile] {
			profiles[profile] = true
			roles = append(roles, role)
			// A profile per role: the AWS CLI assumes it with the build's own credentials.
			setup = append(setup,
				fmt.Sprintf("aws configure set profile.%s.role_arn %s", profile, role),
				fmt.Sprintf("aws configure set profile.%s.credential_source EcsContainer", profile))
		}
		protect = append(protect, fmt.Sprintf("aws cloudformation update-termination-protection --enable-termination-protection --profile %s --region %s --stack-name %s",
			profile, *stack.Region(), *stack.StackName()))
	}
	if len(protect) == 0 {
		return nil
	}
	return pipelines.NewCodeBuildStep(jsii.String("ProtectStacks"), &pipelines.CodeBuildStepProps{
		Commands: jsii.Strings(append(setup, protect...)...),
		RolePolicyStatements: &[]awsiam.PolicyStatement{awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Actions: jsii.Strings("sts:AssumeRole"), Resources: jsii.Strings(roles...),
		})},
	})
}

// pinSecurityCheckCLI makes the permissions-broadening check install the repository's CDK CLI.
// Its CodeBuild project runs `npm install -g aws-cdk`, the newest release, and CDK Pipelines has
// no property for it (cliVersion covers self-mutation only), so this escape hatch rewrites that
// command in the project's build spec. It panics if CDK changes the command, so an upgrade of
// aws-cdk-lib cannot silently unpin it.
func pinSecurityCheckCLI(project awscodebuild.CfnProject, version string) {
	source, _ := awscdk.Stack_Of(project).Resolve(project.Source()).(map[string]any)
	const unpinned = `"npm install -g aws-cdk"`
	spec, replaced := replaceInStrings(source["buildSpec"], unpinned, `"npm install -g aws-cdk@`+version+`"`)
	if replaced != 1 {
		panic(fmt.Sprintf("the permissions-broadening check's build spec runs %s %d times, not once: CDK Pipelines changed it; update pinSecurityCheckCLI", unpinned, replaced))
	}
	project.AddPropertyOverride(jsii.String("Source.BuildSpec"), spec)
}

// replaceInStrings replaces old with new in every string inside a resolved CloudFormation value
// (a string, or an Fn::Join of strings and references) and counts the replacements.
func replaceInStrings(value any, old, new string) (any, int) {
	switch v := value.(type) {
	case string:
		return strings.ReplaceAll(v, old, new), strings.Count(v, old)
	case []any:
		out, count := make([]any, len(v)), 0
		for i, e := range v {
			var n int
			out[i], n = replaceInStrings(e, old, new)
			count += n
		}
		return out, count
	case map[string]any:
		out, count := make(map[string]any, len(v)), 0
		for k, e := range v {
			var n int
			out[k], n = replaceInStrings(e, old, new)
			count += n
		}
		return out, count
	}
	return value, 0
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

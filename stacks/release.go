package stacks

import (
	"fmt"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscodebuild"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/pipelines"
	"github.com/aws/jsii-runtime-go"

	"github.com/example/platform/internal/toolchain"
	"github.com/example/platform/lib/approval"
	"github.com/example/platform/lib/config"
	"github.com/example/platform/lib/registry"
)

// How a release reaches production. The service's image is built once per commit, in the
// pipeline's Build stage before anything deploys, by `go run ./cmd/image publish` in a
// privileged CodeBuild step (a CDK Docker image asset would publish to CDK's own bootstrap
// repositories, one per account and region, rather than the platform's, and would build in the
// asset stage after synthesis; `make synth` and `make test` need no Docker either way). The step
// pushes the image under its commit's tag to the tooling account's repository in every region
// an environment runs in, stops the pipeline when the scan finds a vulnerability at or above
// service.scanThreshold, and writes the digest it pushed to ImageDigestFile. The synth step
// synthesizes with that digest, so every environment and region runs the same image, by digest.
// After each environment deploys and its smoke test passes, the MarkDeployed step tags that
// digest deployed-<env>-<time>, which the repositories' lifecycle keeps for rollbacks.

// ImageDigestFile is where the Image step writes the digest, beside the sources it outputs.
const ImageDigestFile = "image-digest.txt"

// ImageCommand is the tool the Image and MarkDeployed steps run (cmd/image).
const ImageCommand = "go run ./cmd/image"

// imageStep builds, pushes and scans the release, or, with service.releaseDigest, checks that
// the pinned release is in every repository and passed the scan.
func imageStep(source pipelines.IFileSetProducer, p *config.Platform, registries []string, tools toolchain.Toolchain) pipelines.CodeBuildStep {
	regions := imageRegions(p, registries)
	return pipelines.NewCodeBuildStep(jsii.String("Image"), &pipelines.CodeBuildStepProps{
		Input:                  source,
		Commands:               jsii.Strings(ImageCommand + " publish"),
		PrimaryOutputDirectory: jsii.String("."),
		Env:                    imageStepVariables(p, regions),
		BuildEnvironment: &awscodebuild.BuildEnvironment{
			BuildImage: BuildImage(), ComputeType: awscodebuild.ComputeType_MEDIUM,
			// Docker builds need the daemon, which CodeBuild runs only in privileged mode.
			Privileged: jsii.Bool(true),
		},
		PartialBuildSpec:     goBuildSpec(tools),
		Cache:                awscodebuild.Cache_Local(awscodebuild.LocalCacheMode_CUSTOM, awscodebuild.LocalCacheMode_DOCKER_LAYER),
		RolePolicyStatements: imageStatements(p, regions),
	})
}

// imageStatements let the Image step push to and read the scans of the service's repositories.
// Under Amazon Inspector enhanced scanning (docs/delivery.md, "Scanning the image"), ECR answers
// DescribeImageScanFindings from Inspector with the caller's permissions, so the role also needs
// inspector2:ListFindings and inspector2:ListCoverage (ECR user guide, "IAM permissions required
// for enhanced scanning"), which have no resource to scope them to.
func imageStatements(p *config.Platform, regions []string) *[]awsiam.PolicyStatement {
	statements := append(*repositoryStatements(p, regions, "ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:CompleteLayerUpload", "ecr:DescribeImageScanFindings",
		"ecr:DescribeImages", "ecr:GetDownloadUrlForLayer", "ecr:InitiateLayerUpload", "ecr:PutImage", "ecr:UploadLayerPart"),
		awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{Actions: jsii.Strings(EnhancedScanActions...), Resources: jsii.Strings("*")}))
	return &statements
}

// EnhancedScanActions are what reading an enhanced scan's findings through ECR needs.
var EnhancedScanActions = []string{"inspector2:ListCoverage", "inspector2:ListFindings"}

// imageStepVariables tell cmd/image what to publish and where.
func imageStepVariables(p *config.Platform, regions []string) *map[string]*string {
	variables := map[string]*string{
		"IMAGE_ACCOUNT":        jsii.String(p.Pipeline.Account),
		"IMAGE_REPOSITORY":     jsii.String(RepositoryName(p.Name, p.Service.Name)),
		"IMAGE_REGIONS":        jsii.String(strings.Join(regions, ",")),
		"IMAGE_DOCKERFILE":     jsii.String(p.Service.Dockerfile),
		"IMAGE_SCAN_THRESHOLD": jsii.String(p.Service.ScanThreshold),
		"IMAGE_OUTPUT":         jsii.String(ImageDigestFile),
		// The Dockerfile's cache mounts need BuildKit, which the CodeBuild image's Docker
		// does not use by default.
		"DOCKER_BUILDKIT": jsii.String("1"),
	}
	if p.Service.ReleaseDigest != "" {
		variables["IMAGE_RELEASE_DIGEST"] = jsii.String(p.Service.ReleaseDigest)
	}
	return &variables
}

// markDeployedStep tags the release the stage's environment now runs in each region of its app
// stacks, so the repositories keep it for rollbacks.
func markDeployedStep(image pipelines.IFileSetProducer, p *config.Platform, stage *EnvironmentStage, tools toolchain.Toolchain) pipelines.CodeBuildStep {
	env := stage.Environment
	var regions []string
	for _, app := range stage.Plan.OfTier(TierApp) {
		regions = append(regions, app.Region)
	}
	return pipelines.NewCodeBuildStep(jsii.String("MarkDeployed"), &pipelines.CodeBuildStepProps{
		Input:    image,
		Commands: jsii.Strings(ImageCommand + " mark-deployed"),
		Env: &map[string]*string{
			"IMAGE_ACCOUNT":     jsii.String(p.Pipeline.Account),
			"IMAGE_REPOSITORY":  jsii.String(RepositoryName(p.Name, p.Service.Name)),
			"IMAGE_REGIONS":     jsii.String(strings.Join(regions, ",")),
			"IMAGE_OUTPUT":      jsii.String(ImageDigestFile),
			"IMAGE_ENVIRONMENT": jsii.String(env.Name),
			"IMAGE_TAG_PREFIX":  jsii.String(registry.DeployedTagPrefix),
		},
		BuildEnvironment:     &awscodebuild.BuildEnvironment{BuildImage: BuildImage(), ComputeType: awscodebuild.ComputeType_SMALL},
		PartialBuildSpec:     goBuildSpec(tools),
		RolePolicyStatements: repositoryStatements(p, regions, "ecr:BatchGetImage", "ecr:PutImage"),
	})
}

// imageRegions are the regions the Image step pushes to: the first environment's primary first
// (where the scan is read), then every other region with a repository (registries).
func imageRegions(p *config.Platform, registries []string) []string {
	home := p.Environments[0].Primary().Region
	regions := []string{home}
	for _, r := range registries {
		if r != home {
			regions = append(regions, r)
		}
	}
	return regions
}

// repositoryStatements allow actions on the service's repository in regions, and the
// registry login, which has no resource to scope it to.
func repositoryStatements(p *config.Platform, regions []string, actions ...string) *[]awsiam.PolicyStatement {
	var repositories []string
	for _, r := range regions {
		repositories = append(repositories, RepositoryArn(p.Name, p.Pipeline.Account, r, p.Service.Name))
	}
	return &[]awsiam.PolicyStatement{
		awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{Actions: jsii.Strings(actions...), Resources: jsii.Strings(repositories...)}),
		awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{Actions: jsii.Strings("ecr:GetAuthorizationToken"), Resources: jsii.Strings("*")}),
	}
}

// goBuildSpec selects the repository's Go in BuildImage and keeps its caches.
func goBuildSpec(tools toolchain.Toolchain) awscodebuild.BuildSpec {
	return awscodebuild.BuildSpec_FromObject(&map[string]any{
		"phases": map[string]any{"install": map[string]any{"runtime-versions": RuntimeVersions(tools)}},
		"cache":  map[string]any{"paths": GoCachePaths},
	})
}

// approverRole lets p.Pipeline.Approvers decide every manual approval of pipeline: each gated
// environment's Approve and CheckPermissions.Confirm, and the baseline's CheckPermissions.Confirm
// (baselineSteps), which otherwise no one could confirm.
func approverRole(stack awscdk.Stack, p *config.Platform, pipelineName string, baseline *BaselineStage, stages []*EnvironmentStage) {
	// The approver reads what the permissions check found before confirming it.
	actions, reviewed := []string{}, []string{CodeBuildProjectArn(p.Pipeline.Account, p.Pipeline.Region, SecurityCheckProjectName(p.Name))}
	if baseline != nil && p.GatesAnEnvironment() {
		actions = append(actions, PipelineArn(p.Pipeline.Account, p.Pipeline.Region, pipelineName, *baseline.StageName(), ConfirmAction))
	}
	for _, stage := range stages {
		if stage.Environment.NeedsApproval() {
			// The approver decides the Approve action and confirms what the permissions check
			// found (CheckPermissions.Confirm; the check approves its own confirmation when it
			// finds nothing).
			for _, action := range []string{ApproveAction, ConfirmAction} {
				actions = append(actions, PipelineArn(p.Pipeline.Account, p.Pipeline.Region, pipelineName, *stage.StageName(), action))
			}
		}
		reviewed = append(reviewed, CodeBuildProjectArn(p.Pipeline.Account, p.Pipeline.Region, SmokeTestProjectName(p.Name, stage.Environment.Name)))
	}
	if len(actions) == 0 {
		return
	}
	approval.NewApproverRole(stack, "Approver", approval.Props{
		RoleName:         ApproverRoleName(p.Name),
		Principals:       p.Pipeline.ApproverPrincipals(),
		PipelineArn:      PipelineArn(p.Pipeline.Account, p.Pipeline.Region, pipelineName),
		ApprovalActions:  actions,
		ReviewedProjects: reviewed,
	})
}

// securityCheckProject is the project of CDK Pipelines' permissions-broadening check, or nil when
// no stage has one. CDK Pipelines lets CloudFormation name it and offers no property for the
// name; the approver role is granted its builds and log group by a fixed name instead.
func securityCheckProject(pipeline pipelines.CodePipeline) awscodebuild.CfnProject {
	check := pipeline.Node().TryFindChild(jsii.String("PipelinesSecurityCheck"))
	if check == nil {
		return nil
	}
	return check.Node().FindChild(jsii.String("CDKSecurityCheck")).Node().DefaultChild().(awscodebuild.CfnProject)
}

// logSecurityCheck sends the permissions-broadening check's logs to the build logs too: CDK
// Pipelines makes its project without the pipeline's CodeBuild defaults, so the L1 is set.
func logSecurityCheck(pipeline pipelines.CodePipeline, check awscodebuild.CfnProject, logs awslogs.ILogGroup) {
	check.SetLogsConfig(&awscodebuild.CfnProject_LogsConfigProperty{
		CloudWatchLogs: &awscodebuild.CfnProject_CloudWatchLogsConfigProperty{Status: jsii.String("ENABLED"), GroupName: logs.LogGroupName()},
	})
	project := pipeline.Node().FindChild(jsii.String("PipelinesSecurityCheck")).Node().FindChild(jsii.String("CDKSecurityCheck")).(awscodebuild.IProject)
	logs.GrantWrite(project)
}

// ApproveAction is the name of the manual approval action in a gated environment's stage.
const ApproveAction = "Approve"

// CheckPermissionsStep is the permissions-broadening check before a gated environment, and
// ConfirmAction the manual approval CDK Pipelines gives it.
const (
	CheckPermissionsStep = "CheckPermissions"
	ConfirmAction        = CheckPermissionsStep + ".Confirm"
)

// approvalReviewURL is what the approver reads before deciding on env: the smoke test of the
// environment deployed before it, else the pipeline.
func approvalReviewURL(p *config.Platform, env config.Environment, pipelineName string) string {
	for i, e := range p.Environments {
		if e.Name == env.Name && i > 0 {
			return fmt.Sprintf("https://%[1]s.console.aws.amazon.com/codesuite/codebuild/%[2]s/projects/%[3]s/history?region=%[1]s",
				p.Pipeline.Region, p.Pipeline.Account, SmokeTestProjectName(p.Name, p.Environments[i-1].Name))
		}
	}
	return fmt.Sprintf("https://%[1]s.console.aws.amazon.com/codesuite/codepipeline/pipelines/%[2]s/view?region=%[1]s", p.Pipeline.Region, pipelineName)
}

// smokeTest asks every region for its health path through the whole path users take
// (CloudFront, WAF, origin header, production rule), then the API through Global Accelerator,
// retrying while a fresh deployment settles and DNS catches up.
func smokeTest(p *config.Platform, stage *EnvironmentStage) pipelines.Step {
	curl := `curl --fail --silent --show-error --retry 20 --retry-delay 15 --retry-all-errors --max-time 10 `
	var commands []string
	outputs := map[string]awscdk.CfnOutput{}
	for i, r := range stage.Regions {
		if stage.Edge != nil {
			commands = append(commands, fmt.Sprintf(`%s"${SITE_URL}%s%s"`, curl, config.HealthPathPrefix, r.Region.Region))
			continue
		}
		// Without the edge each region's public load balancer is the way in.
		name := fmt.Sprintf("REGION_%d_URL", i)
		outputs[name] = r.App.PublicURL
		commands = append(commands, fmt.Sprintf(`%s--location "${%s}%s"`, curl, name, p.Service.HealthCheckPath))
	}
	if stage.Edge != nil {
		outputs["SITE_URL"] = stage.Edge.URL
	}
	if stage.Accelerator != nil {
		outputs["API_URL"] = stage.Accelerator.URL
		commands = append(commands, fmt.Sprintf(`%s"${API_URL}%s"`, curl, p.Service.HealthCheckPath))
	}
	commands = append(commands, itemJourney(p, stage, outputs)...)
	// A named project: the next environment's approval links to its history.
	return pipelines.NewCodeBuildStep(jsii.String("SmokeTest"), &pipelines.CodeBuildStepProps{
		ProjectName:       jsii.String(SmokeTestProjectName(p.Name, stage.Environment.Name)),
		EnvFromCfnOutputs: &outputs,
		Commands:          jsii.Strings(commands...),
	})
}

// itemJourney is the smoke test's walk through the whole write path: it writes an item through
// the way users come in (the edge, else the first region's load balancer), reads it back
// through the accelerator (else through the edge, else through every region's load balancer,
// so another region's replica is read), and waits until the work queue's consumer reports its Item.Created event
// processed (the outbox, the bus, the rule, the queue and the worker). It runs only when the
// platform builds the service it ships (api/, config.DefaultDockerfile): another service need
// not have those routes.
func itemJourney(p *config.Platform, stage *EnvironmentStage, outputs map[string]awscdk.CfnOutput) []string {
	if p.Service.Dockerfile != config.DefaultDockerfile || len(stage.Regions) == 0 {
		return nil
	}
	curl := `curl --fail --silent --show-error --retry 20 --retry-delay 15 --retry-all-errors --max-time 10 `
	write := `"${REGION_0_URL}/items"` // smokeTest's output when there is no edge
	if stage.Edge != nil {
		write = `"${SITE_URL}/items"`
	}
	reads := []string{`"${API_URL}`}
	switch {
	case stage.Accelerator == nil && stage.Edge != nil:
		// Behind an edge no load balancer is public: read the item back through the edge.
		reads = []string{`"${SITE_URL}`}
	case stage.Accelerator == nil:
		reads = nil
		for i, r := range stage.Regions {
			name := fmt.Sprintf("REGION_%d_URL", i)
			outputs[name] = r.App.PublicURL
			reads = append(reads, `"${`+name+`}`)
		}
	}
	journey := []string{
		`ITEM="$(` + curl + `--dump-header - --output /dev/null -X POST -H 'Content-Type: application/json' -d '{"name":"smoke test"}' ` +
			write + ` | tr -d '\r' | sed -n 's|^[Ll]ocation: /items/||p')"`,
		`test -n "${ITEM}"`, `echo "wrote item ${ITEM}"`,
	}
	for _, base := range reads {
		journey = append(journey, curl+base+`/items/${ITEM}"`, curl+base+`/items/${ITEM}/processing"`)
	}
	// One command: the item's ID carries from the write to the reads.
	return []string{strings.Join(journey, " && ")}
}

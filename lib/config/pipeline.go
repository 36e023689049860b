package config

import (
	"fmt"
	"regexp"
	"strings"
)

var (
	connectionArnPattern = regexp.MustCompile(`^arn:aws:(codeconnections|codestar-connections):([a-z0-9-]+):([0-9]{12}):connection/[0-9a-f-]{36}$`)
	repositoryPattern    = regexp.MustCompile(`^[A-Za-z0-9_.-]+/[A-Za-z0-9_./-]+$`)
	codeCommitPattern    = regexp.MustCompile(`^[A-Za-z0-9_.-]{1,100}$`)
	branchPattern        = regexp.MustCompile(`^[A-Za-z0-9._/-]{1,255}$`)
)

func validatePipeline(pipeline Pipeline, found *problems) {
	checkAccount(found, "pipeline.account", pipeline.Account)
	checkRegion(found, "pipeline.region", pipeline.Region)
	source := pipeline.Source
	switch {
	case source.CodeConnections != nil && source.CodeCommit != nil:
		found.add("pipeline.source", "set one of codeConnections or codeCommit, not both")
	case source.CodeConnections == nil && source.CodeCommit == nil:
		found.add("pipeline.source", "required; set codeConnections {connectionArn, repository} or codeCommit {repository}")
	case source.CodeConnections != nil:
		c := source.CodeConnections
		checkPattern(found, "pipeline.source.codeConnections.connectionArn", c.ConnectionArn, connectionArnPattern,
			"a CodeConnections ARN such as arn:aws:codeconnections:us-east-1:111111111111:connection/<uuid>")
		checkPattern(found, "pipeline.source.codeConnections.repository", c.Repository, repositoryPattern, "owner/name")
		switch c.Provider {
		case ProviderGitHub, ProviderGitLab, ProviderBitbucket:
		default:
			found.addf("pipeline.source.codeConnections.provider", "%q is not a provider; use %s, %s or %s, as the connection's "+
				"provider type says (aws codeconnections get-connection --connection-arn <arn>); only %s repositories get pull-request checks",
				c.Provider, ProviderGitHub, ProviderGitLab, ProviderBitbucket, ProviderGitHub)
		}
	default:
		checkPattern(found, "pipeline.source.codeCommit.repository", source.CodeCommit.Repository, codeCommitPattern,
			"a CodeCommit repository name: up to 100 letters, digits, '.', '_' or '-'")
	}
	checkPattern(found, "pipeline.source.branch", source.Branch, branchPattern, "a branch name such as main")
}

// MaxActionsPerStage is the most actions a CodePipeline stage may hold ("Quotas in AWS
// CodePipeline": number of actions in a stage, 1 to 50). Every environment is one stage.
const MaxActionsPerStage = 50

// What each environment's pipeline stage runs. The stacks package builds the stacks and steps; a
// whole-app test pins these numbers to the synthesized stages of both example configs, so a new
// tier there fails the tests until the counts here, and with them the region limit, follow.
const (
	// RegionalStacks are an environment's stacks in each region: keys, network, data, events,
	// lake, app.
	RegionalStacks = 6
	// EnvironmentStacks are its once-per-environment stacks: the edge, the accelerator and the
	// observer (the DR tier's stack in the observer region, with its canary) and the recovery
	// stack (Region switch plans, Resilience Hub).
	EnvironmentStacks = 4
	// ActionsPerStack: the pipeline deploys each stack in one action (CloudFormation's create or
	// update, without a separate change-set action to prepare it), which leaves room for more
	// regions and tiers.
	ActionsPerStack = 1
	// ApprovalActions gate an environment that needs approval: the permissions-broadening
	// check, its confirmation, and the manual approval.
	ApprovalActions = 3
	// ProtectionActions turn on termination protection of a protected environment's stateful
	// stacks after they deploy.
	ProtectionActions = 1
	// SmokeTestActions check the deployed environment through the edge and the accelerator.
	SmokeTestActions = 1
	// ReleaseActions tag the release the environment now runs, for rollbacks.
	ReleaseActions = 1
)

// PipelineActions is how many actions env's stage has in the pipeline.
func PipelineActions(env Environment) int {
	return len(env.Regions)*RegionalStacks*ActionsPerStack + stageOverhead(env)
}

// stageOverhead is the actions of env's stage that do not grow with its regions.
func stageOverhead(env Environment) int {
	actions := EnvironmentStacks*ActionsPerStack + SmokeTestActions + ReleaseActions
	if env.NeedsApproval() {
		actions += ApprovalActions
	}
	if env.Protected() {
		actions += ProtectionActions
	}
	return actions
}

// validatePipelineStage rejects an environment whose stage would exceed CodePipeline's limit:
// the pipeline update would fail at deployment, after everything else was already merged.
func validatePipelineStage(path string, env Environment, found *problems) {
	actions := PipelineActions(env)
	if actions <= MaxActionsPerStage {
		return
	}
	perRegion := RegionalStacks * ActionsPerStack
	maxRegions := (MaxActionsPerStage - stageOverhead(env)) / perRegion
	rest := []string{fmt.Sprintf("%d for the edge, the accelerator, the observer and the recovery stack", EnvironmentStacks*ActionsPerStack)}
	if env.NeedsApproval() {
		rest = append(rest, fmt.Sprintf("%d for the permissions check and approval", ApprovalActions))
	}
	if env.Protected() {
		rest = append(rest, fmt.Sprintf("%d for termination protection", ProtectionActions))
	}
	rest = append(rest, fmt.Sprintf("%d for the smoke test", SmokeTestActions), fmt.Sprintf("%d to tag the release", ReleaseActions))
	var defaults []string
	if env.NeedsApproval() && found.defaulted[path+".manualApproval"] {
		defaults = append(defaults, "manualApproval true (the default for every environment after the first)")
	}
	if env.Protected() && found.defaulted[path+".terminationProtection"] {
		defaults = append(defaults, "terminationProtection true (the default)")
	}
	counted := ""
	if len(defaults) > 0 {
		counted = "; counted with " + strings.Join(defaults, " and ")
	}
	found.addf(path+".regions", "%d regions need %d actions in the pipeline's %s stage (%d per region: %d stacks, one action each; %s), "+
		"and a CodePipeline stage holds at most %d: list at most %d regions here, or split the regions into two environments%s",
		len(env.Regions), actions, env.Name, perRegion, RegionalStacks, strings.Join(rest, ", "), MaxActionsPerStage, maxRegions, counted)
}

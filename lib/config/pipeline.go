package config

import (
	"regexp"
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

// PlanCheck validates what only the deployment plan (lib/plan) knows: how many actions each
// pipeline stage has. report adds a problem at a field path; defaulted reports whether the
// defaults filled a path, so a message can say so.
type PlanCheck func(p *Platform, report func(path, message string), defaulted func(path string) bool)

var planCheck PlanCheck

// SetPlanCheck is how lib/plan, which is computed from a Platform and so cannot be imported
// here, joins validation: importing lib/plan (as stacks/ does) sets it.
func SetPlanCheck(check PlanCheck) { planCheck = check }

// validatePlan runs the plan's check, which every program that loads a config links in.
func validatePlan(p *Platform, found *problems) {
	if planCheck == nil {
		panic("lib/config: the pipeline stages' sizes are checked by lib/plan; import it (import _ \"github.com/example/platform/lib/plan\")")
	}
	planCheck(p, found.add, func(path string) bool { return found.defaulted[path] })
}

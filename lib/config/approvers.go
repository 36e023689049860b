package config

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// rootPattern is an account's root principal, which trusts the whole account as its ID does.
var rootPattern = regexp.MustCompile(`^arn:aws:iam::\d{12}:root$`)

// isAccountPrincipal reports whether principal is a whole account: its ID or its root ARN.
func isAccountPrincipal(principal string) bool {
	return accountPattern.MatchString(principal) || rootPattern.MatchString(principal)
}

// ApproverPrincipals are who may assume the deployment approver role: Approvers, else (only
// with AllowAccountApprovers) the tooling account.
func (p Pipeline) ApproverPrincipals() []string {
	if len(p.Approvers) == 0 && p.AllowAccountApprovers {
		return []string{p.Account}
	}
	return p.Approvers
}

// RecoveryApproverPrincipals are who may assume env's recovery approver role, which approves its
// Region switch plans: the pipeline's Approvers, else (only with AllowAccountApprovers) env's
// own account.
func (p *Platform) RecoveryApproverPrincipals(env Environment) []string {
	if len(p.Pipeline.Approvers) == 0 && p.Pipeline.AllowAccountApprovers {
		return []string{env.Account}
	}
	return p.Pipeline.Approvers
}

// needsApprovers reports whether anything of p waits for a person who assumes an approver
// role: a gated environment's deployment, or a Region switch plan (one per secondary region).
func (p *Platform) needsApprovers() bool {
	return slices.ContainsFunc(p.Environments, func(e Environment) bool { return e.NeedsApproval() || len(e.Regions) > 1 })
}

// validateApprovers accepts IAM roles and users as approvers, and whole accounts only when the
// config allows them explicitly: an account trusts whoever its IAM lets assume roles.
func validateApprovers(p *Platform, found *problems) {
	pipeline := p.Pipeline
	if len(pipeline.Approvers) == 0 && !pipeline.AllowAccountApprovers && p.needsApprovers() {
		found.add("pipeline.approvers", "required: name the IAM roles or users who approve deployments to gated environments and Region switch plans, "+
			"such as [\"arn:aws:iam::"+pipeline.Account+":role/ReleaseManagers\"]; or set pipeline.allowAccountApprovers to true to let "+
			"every principal of the tooling account (and of each environment's account, for its plans) that IAM allows approve")
	}
	for i, a := range pipeline.Approvers {
		path := fmt.Sprintf("pipeline.approvers[%d]", i)
		switch {
		case !principalPattern.MatchString(a):
			checkPattern(found, path, a, principalPattern, "the ARN of an IAM role or user such as arn:aws:iam::"+pipeline.Account+":role/ReleaseManagers")
		case isAccountPrincipal(a) && !pipeline.AllowAccountApprovers:
			account := strings.TrimSuffix(strings.TrimPrefix(a, "arn:aws:iam::"), ":root")
			found.addf(path, "%s is a whole account: every principal its IAM lets assume roles could approve; name the IAM roles or users who approve, "+
				"such as arn:aws:iam::%s:role/ReleaseManagers, or set pipeline.allowAccountApprovers to true to trust the account on purpose", a, account)
		}
	}
}

package test

import (
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"github.com/example/platform/stacks"
)

// Rule: every role that approves something (a deployment to a gated environment, a Region switch
// plan's execution) trusts exactly the people the config names, never an account's root, and an
// IAM user only signed in with MFA; in every stack of both configs.
func TestRule_ApproverRolesTrustTheNamedPeopleOnly(t *testing.T) {
	eachAssembly(t, func(t *testing.T, a *deployed) {
		p := a.platform.Config
		approvers := map[string][]string{stacks.ApproverRoleName(p.Name): p.Pipeline.ApproverPrincipals()}
		for _, env := range p.Environments {
			approvers[stacks.RecoveryApproverRoleName(p.Name, env.Name)] = p.RecoveryApproverPrincipals(env)
		}
		checked := 0
		for _, s := range a.stacks {
			for id, role := range resourcesOf(s, "AWS::IAM::Role").ofType("AWS::IAM::Role") {
				name, _ := role["RoleName"].(string)
				want, isApprover := approvers[name]
				if !isApprover {
					continue
				}
				checked++
				var trusted []string
				for _, statement := range typedStatementsOf(role["AssumeRolePolicyDocument"]) {
					var principal struct{ AWS any }
					_ = json.Unmarshal([]byte(jsonOf(statement.Principal)), &principal)
					for _, arn := range stringsOf(principal.AWS) {
						trusted = append(trusted, arn)
						mfa := jsonOf(statement.Condition) == `{"Bool":{"aws:MultiFactorAuthPresent":"true"}}`
						switch {
						case strings.HasSuffix(arn, ":root") || jsonOf(principal.AWS) == "null":
							t.Errorf("%s/%s (%s) trusts the account root %s: anyone the account lets assume roles could approve", s.Name, id, name, arn)
						case strings.Contains(arn, ":user/") && !mfa:
							t.Errorf("%s/%s (%s) trusts the user %s without MFA", s.Name, id, name, arn)
						case !strings.Contains(arn, ":user/") && statement.Condition != nil:
							t.Errorf("%s/%s (%s) trusts %s under condition %s", s.Name, id, name, arn, jsonOf(statement.Condition))
						}
					}
					if principal.AWS == nil {
						t.Errorf("%s/%s (%s) trusts %s, not the people the config names", s.Name, id, name, jsonOf(statement.Principal))
					}
				}
				slices.Sort(trusted)
				sorted := slices.Sorted(slices.Values(want))
				if !slices.Equal(trusted, sorted) {
					t.Errorf("%s/%s (%s) trusts %v, want exactly pipeline.approvers %v", s.Name, id, name, trusted, sorted)
				}
			}
		}
		// The deployment approver, and a recovery approver per environment with more than one region.
		checkedSomething(t, checked, "approver role")
	})
}

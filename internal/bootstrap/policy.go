package bootstrap

import (
	"encoding/json"
	"fmt"
	"strings"
	"unicode"

	"github.com/example/platform/lib/limits"
)

// maxPolicyChars is IAM's limit, for the summary.
const maxPolicyChars = limits.IAMManagedPolicyChars

// Policy is one customer managed policy of an account's CloudFormation execution role.
type Policy struct {
	// Name is the policy's name in IAM; File is where make bootstrap writes its document, under
	// the assembly's bootstrap/ directory.
	Name, File string
	// Actions are the policy's actions, sorted.
	Actions []string
}

// Document is the policy's JSON document: one statement allowing its actions on every resource.
// The resources' names are CloudFormation's to choose, so only the actions are narrowed.
func (p Policy) Document() []byte {
	doc := map[string]any{
		"Version": "2012-10-17",
		"Statement": []map[string]any{{
			"Sid": "CloudFormationHandlers", "Effect": "Allow", "Action": p.Actions, "Resource": "*",
		}},
	}
	data, err := json.MarshalIndent(doc, "", "  ")
	if err != nil {
		panic(err)
	}
	return append(data, '\n')
}

// Size is the document's length as IAM counts it against limits.IAMManagedPolicyChars:
// whitespace does not count.
func (p Policy) Size() int {
	n := 0
	for _, r := range string(p.Document()) {
		if !unicode.IsSpace(r) {
			n++
		}
	}
	return n
}

// executionPolicies split actions (sorted, compacted) into as few managed policies as fit IAM's
// size limit, named <platform>-cfn-execution[-<n>].
func executionPolicies(platform, account string, actions []string) ([]Policy, error) {
	var parts [][]string
	current := []string{}
	for _, a := range actions {
		candidate := append(append([]string{}, current...), a)
		if len(current) > 0 && (Policy{Actions: candidate}).Size() > limits.IAMManagedPolicyChars {
			parts = append(parts, current)
			candidate = []string{a}
		}
		current = candidate
	}
	if len(current) > 0 {
		parts = append(parts, current)
	}
	if len(parts) > limits.IAMManagedPoliciesPerRole {
		return nil, fmt.Errorf("account %s: the execution role would need %d managed policies, more than IAM's %d per role; "+
			"raise the quota (Service Quotas: IAM, managed policies per role, up to 20) and limits.IAMManagedPoliciesPerRole",
			account, len(parts), limits.IAMManagedPoliciesPerRole)
	}
	var out []Policy
	for i, part := range parts {
		name, file := platform+"-cfn-execution", account+"-execution-policy"
		if len(parts) > 1 {
			name, file = fmt.Sprintf("%s-%d", name, i+1), fmt.Sprintf("%s-%d", file, i+1)
		}
		out = append(out, Policy{Name: name, File: file + ".json", Actions: part})
	}
	return out, nil
}

// ARN is the policy's ARN in account.
func (p Policy) ARN(account string) string { return "arn:aws:iam::" + account + ":policy/" + p.Name }

// policyARNs joins the ARNs of policies in account as cdk bootstrap takes them.
func policyARNs(account string, policies []Policy) string {
	var arns []string
	for _, p := range policies {
		arns = append(arns, p.ARN(account))
	}
	return strings.Join(arns, ",")
}

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
	// Extra are statements of the first policy beyond its actions: passing the account's roles,
	// and with a boundary, refusing a role without it.
	Extra []Statement
}

// Statement is one statement of a policy document.
type Statement map[string]any

// Document is the policy's JSON document: one statement allowing its actions on every resource
// (their names are CloudFormation's to choose, so only the actions are narrowed), then Extra.
func (p Policy) Document() []byte {
	statements := []Statement{}
	if len(p.Actions) > 0 {
		statements = append(statements, Statement{"Sid": "CloudFormationHandlers", "Effect": "Allow", "Action": p.Actions, "Resource": "*"})
	}
	doc := map[string]any{"Version": "2012-10-17", "Statement": append(statements, p.Extra...)}
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
// size limit, the first holding the extra statements too, named <platform>-cfn-execution[-<n>].
func executionPolicies(platform, account string, actions []string, extra []Statement) ([]Policy, error) {
	var parts [][]string
	current := []string{}
	for _, a := range actions {
		candidate := append(append([]string{}, current...), a)
		part := Policy{Actions: candidate}
		if len(parts) == 0 {
			part.Extra = extra
		}
		if len(current) > 0 && part.Size() > limits.IAMManagedPolicyChars {
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
	if len(out) > 0 {
		out[0].Extra = extra
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

// passRole is the statement that lets CloudFormation hand the account's roles to the services
// that run as them (task, function, flow log, replication roles), and no other account's.
func passRole(account string) Statement {
	return Statement{"Sid": "PassTheAccountsRoles", "Effect": "Allow", "Action": "iam:PassRole", "Resource": "arn:aws:iam::" + account + ":role/*"}
}

// boundaryKept refuses to create a role without the account's permissions boundary, or to change
// or remove a role's boundary: what the organization's own policy demands, so a stack that missed
// it fails at its first role rather than surprising the organization.
func boundaryKept(account, boundary string) []Statement {
	arn := "arn:aws:iam::" + account + ":policy/" + boundary
	return []Statement{
		{"Sid": "RolesCarryTheBoundary", "Effect": "Deny", "Action": []string{"iam:CreateRole", "iam:PutRolePermissionsBoundary"}, "Resource": "*",
			"Condition": map[string]any{"StringNotEquals": map[string]any{"iam:PermissionsBoundary": arn}}},
		{"Sid": "BoundaryStays", "Effect": "Deny", "Action": "iam:DeleteRolePermissionsBoundary", "Resource": "*"},
	}
}

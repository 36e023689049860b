package config

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// PermissionsBoundary names the customer managed policy that every IAM role the platform creates
// carries as its permissions boundary, for organizations that deny iam:CreateRole without one.
// The policy must already exist in every account (the organization provides it); `make
// bootstrap` passes it to `cdk bootstrap --custom-permissions-boundary` too.
type PermissionsBoundary struct {
	// PolicyName is the boundary policy's name in every account that Accounts does not name.
	PolicyName string `json:"policyName"`
	// Accounts name another boundary policy for some accounts. Default: none.
	Accounts []AccountBoundary `json:"accounts,omitempty"`
}

// AccountBoundary is one account's own permissions boundary policy.
type AccountBoundary struct {
	// Account is the 12-digit ID of an account the platform uses.
	Account string `json:"account"`
	// PolicyName is the name of the boundary policy in that account.
	PolicyName string `json:"policyName"`
}

// policyNamePattern is IAM's rule for a managed policy's name (CreatePolicy's PolicyName: 1-128
// characters of letters, digits and _+=,.@-).
var policyNamePattern = regexp.MustCompile(`^[\w+=,.@-]{1,128}$`)

// BoundaryFor is the name of the permissions boundary policy of account, or "" when the platform
// sets none.
func (p *Platform) BoundaryFor(account string) string {
	if p.PermissionsBoundary == nil {
		return ""
	}
	for _, a := range p.PermissionsBoundary.Accounts {
		if a.Account == account {
			return a.PolicyName
		}
	}
	return p.PermissionsBoundary.PolicyName
}

func validatePermissionsBoundary(p *Platform, found *problems) {
	b := p.PermissionsBoundary
	if b == nil {
		return
	}
	const want = "the name (not the ARN) of a customer managed policy: 1-128 letters, digits and _+=,.@- (IAM's policy name rule)"
	checkPattern(found, "permissionsBoundary.policyName", b.PolicyName, policyNamePattern, want)
	accounts := p.Accounts()
	seen := map[string]int{}
	for i, a := range b.Accounts {
		path := fmt.Sprintf("permissionsBoundary.accounts[%d]", i)
		if first, dup := seen[a.Account]; dup {
			found.addf(path+".account", "%q is also permissionsBoundary.accounts[%d]; name each account once", a.Account, first)
		} else if !slices.Contains(accounts, a.Account) {
			found.addf(path+".account", "%s is not an account of the platform (%s); name an environment's account or the pipeline's",
				found.quoted(path+".account", a.Account), strings.Join(accounts, ", "))
		}
		if _, dup := seen[a.Account]; !dup {
			seen[a.Account] = i
		}
		checkPattern(found, path+".policyName", a.PolicyName, policyNamePattern, want)
	}
}

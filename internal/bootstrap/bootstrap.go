// Package bootstrap works out, from a platform's deployment plan and its synthesized assembly,
// how to prepare each account before the first deployment: the regions to `cdk bootstrap` (every
// region a stack deploys to, which are also the regions a Control Tower Region deny control must
// govern), the tooling account to trust, a CloudFormation execution policy scoped to the resource
// types of the account's stacks, the permissions boundary of the bootstrap roles and the
// service-linked roles to create first. cmd/bootstrap prints the commands, or runs them.
package bootstrap

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"github.com/example/platform/internal/assembly"
	"github.com/example/platform/lib/plan"
)

// Bootstrap is the preparation of every account of one platform.
type Bootstrap struct {
	// Platform is the platform's name, which prefixes the execution policies' names.
	Platform string
	// Accounts are in the plan's order: the environments' accounts, then the tooling account.
	Accounts []Account
}

// Account is how one account is prepared.
type Account struct {
	ID string
	// Regions are every region a stack of the assembly deploys to in the account, in the plan's
	// order: `cdk bootstrap` prepares each, and a Region deny control must govern (allow) each.
	Regions []string
	// Tooling reports whether the account is the pipeline's.
	Tooling bool
	// Trust is the account the bootstrap roles trust to deploy (--trust) and look up
	// (--trust-for-lookup): the tooling account, or "" for the tooling account itself.
	Trust string
	// Boundary is the permissions boundary policy of the account's roles ("" for none).
	Boundary string
	// Tags are the bootstrap stack's, which CloudFormation puts on its bucket, repository, key
	// and roles: the platform's, as on the account's baseline stacks, for a tag policy that
	// refuses creates without them.
	Tags map[string]string
	// ResourceTypes are the CloudFormation resource types of the account's stacks, sorted.
	ResourceTypes []string
	// Policies are the execution role's managed policies: the actions those types need.
	Policies []Policy
	// ServiceLinkedRoles are created before the first deployment.
	ServiceLinkedRoles []ServiceLinkedRole
}

// New prepares every account of planned from the stacks of its synthesized assembly. The
// assembly's account-regions must be the plan's, and every resource type must be in the action
// table.
func New(planned *plan.Plan, stacks []*assembly.Stack) (*Bootstrap, error) {
	if err := sameAccountRegions(planned, stacks); err != nil {
		return nil, err
	}
	p := planned.Platform
	result := &Bootstrap{Platform: p.Name}
	unknown := map[string]string{} // type -> where it first is
	for _, ar := range planned.AccountRegions {
		i := slices.IndexFunc(result.Accounts, func(a Account) bool { return a.ID == ar.Account })
		if i < 0 {
			account := Account{ID: ar.Account, Tooling: ar.Tooling, Boundary: p.BoundaryFor(ar.Account), Tags: p.TagsOf(plan.TierBaseline)}
			if !ar.Tooling {
				account.Trust = p.Pipeline.Account
			}
			result.Accounts = append(result.Accounts, account)
			i = len(result.Accounts) - 1
		}
		result.Accounts[i].Regions = append(result.Accounts[i].Regions, ar.Region)
	}
	for i := range result.Accounts {
		a := &result.Accounts[i]
		var kinds, actions []string
		for _, s := range stacks {
			if s.Account != a.ID {
				continue
			}
			for id, r := range s.Template.Resources {
				t, _ := r["Type"].(string)
				found, ok := ActionsFor(t)
				if !ok {
					if _, seen := unknown[t]; !seen {
						unknown[t] = fmt.Sprintf("%s (%s in %s)", t, id, s.Name)
					}
					continue
				}
				actions = append(actions, found...)
				kinds = append(kinds, t, t+"/"+namespaceOf(r))
				if !slices.Contains(a.ResourceTypes, t) {
					a.ResourceTypes = append(a.ResourceTypes, t)
				}
			}
		}
		slices.Sort(a.ResourceTypes)
		actions = append(actions, everyStack...)
		slices.Sort(actions)
		var extra []Statement
		if slices.Contains(actions, "iam:PassRole") {
			actions, extra = slices.DeleteFunc(actions, func(s string) bool { return s == "iam:PassRole" }), []Statement{passRole(a.ID)}
		}
		if a.Boundary != "" {
			extra = append(extra, boundaryKept(a.ID, a.Boundary)...)
		}
		policies, err := executionPolicies(p.Name, a.ID, compact(slices.Compact(actions)), extra)
		if err != nil {
			return nil, err
		}
		a.Policies, a.ServiceLinkedRoles = policies, rolesFor(kinds)
	}
	if len(unknown) > 0 {
		var types []string
		for _, t := range slices.Sorted(maps.Keys(unknown)) {
			types = append(types, unknown[t])
		}
		return nil, fmt.Errorf("no IAM actions are known for %d resource types: %s; add each type with the actions its "+
			"CloudFormation handlers need (its registry schema's handlers.*.permissions) to internal/bootstrap/actions.json",
			len(types), strings.Join(types, "; "))
	}
	return result, nil
}

// everyStack are the actions every stack needs whatever it holds: CDK's templates take the
// bootstrap's version as an SSM parameter type (BootstrapVersion), which CloudFormation resolves
// with the stack's execution role.
var everyStack = []string{"ssm:GetParameters"}

// namespaceOf is a scalable target's service namespace ("ecs"), or "".
func namespaceOf(resource map[string]any) string {
	props, _ := resource["Properties"].(map[string]any)
	namespace, _ := props["ServiceNamespace"].(string)
	return namespace
}

// sameAccountRegions fails unless the assembly's stacks deploy to exactly the plan's
// account-regions: bootstrapping the plan's would then miss one, or bootstrap one for nothing.
func sameAccountRegions(planned *plan.Plan, stacks []*assembly.Stack) error {
	var inPlan, inAssembly []string
	for _, ar := range planned.AccountRegions {
		inPlan = append(inPlan, ar.Account+"/"+ar.Region)
	}
	for _, s := range stacks {
		if s.Account == "" || s.Region == "" {
			return fmt.Errorf("stack %s names no account and region; every stack of the platform must (synthesize it with its environment)", s.Name)
		}
		if place := s.Account + "/" + s.Region; !slices.Contains(inAssembly, place) {
			inAssembly = append(inAssembly, place)
		}
	}
	var missing, extra []string
	for _, place := range inAssembly {
		if !slices.Contains(inPlan, place) {
			missing = append(missing, place)
		}
	}
	for _, place := range inPlan {
		if !slices.Contains(inAssembly, place) {
			extra = append(extra, place)
		}
	}
	if len(missing) > 0 || len(extra) > 0 {
		return fmt.Errorf("the assembly and the plan disagree on where the platform deploys: stacks in %v the plan does not list, "+
			"plan account-regions %v without a stack; synthesize the same config again (make synth CONFIG=...)", missing, extra)
	}
	return nil
}

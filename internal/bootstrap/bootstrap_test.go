package bootstrap

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/example/platform/internal/assembly"
	"github.com/example/platform/lib/config"
	"github.com/example/platform/lib/limits"
	"github.com/example/platform/lib/plan"
)

func minimalPlan(t *testing.T, boundary string) *plan.Plan {
	t.Helper()
	p, err := config.Load("../../lib/config/testdata/valid-minimal.json")
	if err != nil {
		t.Fatal(err)
	}
	if boundary != "" {
		p.PermissionsBoundary = &config.PermissionsBoundary{PolicyName: boundary}
	}
	return plan.New(p)
}

// stacksAt are one stack per account-region of planned, each holding resources of types.
func stacksAt(planned *plan.Plan, types ...string) []*assembly.Stack {
	var out []*assembly.Stack
	for _, ar := range planned.AccountRegions {
		resources := map[string]map[string]any{}
		for i, t := range types {
			resources[fmt.Sprintf("R%d", i)] = map[string]any{"Type": t, "Properties": map[string]any{"ServiceNamespace": "ecs"}}
		}
		out = append(out, &assembly.Stack{Name: ar.Account + "-" + ar.Region, Account: ar.Account, Region: ar.Region,
			Template: assembly.Template{Resources: resources}})
	}
	return out
}

// No action of the table is "*" or a whole service ("ec2:*"); a wildcard only ends a read-only
// verb's prefix.
func TestActions_NoActionIsAStarOrAWholeService(t *testing.T) {
	for _, bad := range []string{"*", "ec2:*", "iam:Create*", "s3:Put*", "ec2:*Vpc", "ec2"} {
		if ValidAction(bad) {
			t.Errorf("ValidAction(%q) = true, want false", bad)
		}
	}
	for _, t2 := range TableTypes() {
		actions, ok := ActionsFor(t2)
		if !ok {
			t.Errorf("%s includes a type the table does not have", t2)
		}
		for _, a := range actions {
			if !ValidAction(a) {
				t.Errorf("%s: action %q breaks the rule (no *, no service:*, wildcards only after Describe, Get or List)", t2, a)
			}
		}
	}
}

// A custom resource needs CloudFormation to invoke its function, and nothing more.
func TestActions_CustomResourcesNeedOnlyToInvokeTheirFunction(t *testing.T) {
	got, ok := ActionsFor("Custom::VpcRestrictDefaultSG")
	if !ok || !slices.Equal(got, []string{"lambda:InvokeFunction"}) {
		t.Errorf("Custom::VpcRestrictDefaultSG needs %v (%v), want [lambda:InvokeFunction]", got, ok)
	}
}

// An account's policy allows what its stacks' types need and nothing of a service they do not
// use; a type the table lacks is an error naming it and the file to add it to.
func TestNew_ScopesEachAccountsPolicyToItsStacksTypes(t *testing.T) {
	planned := minimalPlan(t, "")
	b, err := New(planned, stacksAt(planned, "AWS::SQS::Queue", "AWS::CDK::Metadata"))
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range b.Accounts {
		var all []string
		for _, p := range a.Policies {
			all = append(all, p.Actions...)
		}
		if !slices.Contains(all, "sqs:CreateQueue") || slices.ContainsFunc(all, func(s string) bool { return strings.HasPrefix(s, "ec2:") }) {
			t.Errorf("account %s allows %v, want SQS's actions and no EC2 action", a.ID, all)
		}
	}
	_, err = New(planned, stacksAt(planned, "AWS::Bogus::Thing"))
	if err == nil || !strings.Contains(err.Error(), "AWS::Bogus::Thing") || !strings.Contains(err.Error(), "internal/bootstrap/actions.json") {
		t.Errorf("an unknown type gave %v, want an error naming it and actions.json", err)
	}
}

// Bootstrapping must cover exactly where the stacks go: an assembly with a stack in an
// account-region the plan lacks (or the other way round) is refused.
func TestNew_RefusesAnAssemblyThatDisagreesWithThePlan(t *testing.T) {
	planned := minimalPlan(t, "")
	stacks := stacksAt(planned, "AWS::SQS::Queue")
	if _, err := New(planned, stacks[1:]); err == nil {
		t.Error("an assembly missing an account-region of the plan was accepted")
	}
	extra := &assembly.Stack{Name: "extra", Account: "111111111111", Region: "ap-south-1"}
	if _, err := New(planned, append(stacks, extra)); err == nil || !strings.Contains(err.Error(), "111111111111/ap-south-1") {
		t.Errorf("a stack outside the plan gave %v, want an error naming 111111111111/ap-south-1", err)
	}
}

// Actions beyond one managed policy's size are split over several, each within IAM's limit; more
// than a role takes is an error.
func TestExecutionPolicies_SplitToFitIAMsSizeLimit(t *testing.T) {
	var actions []string
	for i := range 600 {
		actions = append(actions, fmt.Sprintf("svc:CreateThingNumber%04d", i))
	}
	policies, err := executionPolicies("acme", "111111111111", actions, []Statement{passRole("111111111111")})
	if err != nil {
		t.Fatal(err)
	}
	if len(policies) < 2 {
		t.Fatalf("600 actions fit one policy of %d characters?", policies[0].Size())
	}
	var all []string
	for i, p := range policies {
		if p.Size() > limits.IAMManagedPolicyChars {
			t.Errorf("%s is %d characters, over IAM's %d", p.Name, p.Size(), limits.IAMManagedPolicyChars)
		}
		if want := fmt.Sprintf("acme-cfn-execution-%d", i+1); p.Name != want {
			t.Errorf("policy %d is named %s, want %s", i, p.Name, want)
		}
		all = append(all, p.Actions...)
	}
	if !slices.Equal(all, actions) {
		t.Error("the policies do not hold every action once")
	}
	if _, err := executionPolicies("acme", "111111111111", append(actions, slices.Repeat(actions, 3)...), nil); err == nil {
		t.Error("actions needing more managed policies than a role takes were accepted")
	}
}

// The environment accounts trust the tooling account to deploy and look up; every account gets
// its execution policies, its boundary on every bootstrap role (the CLI bounds only the
// execution role without --apply-permissions-boundary-to-all-roles), the platform's tags on the
// bootstrap stack, and the service-linked roles its types need.
func TestCommands_TrustPoliciesBoundaryAndServiceLinkedRoles(t *testing.T) {
	planned := minimalPlan(t, "OrgBoundary")
	b, err := New(planned, stacksAt(planned, "AWS::ECS::Cluster", "AWS::ApplicationAutoScaling::ScalableTarget"))
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range b.Accounts {
		script := strings.Join(b.Commands(a, "cdk.out/bootstrap", "prof"), "\n")
		for _, want := range []string{
			"npx cdk bootstrap aws://" + a.ID + "/" + a.Regions[0], "--profile prof", "--custom-permissions-boundary OrgBoundary --apply-permissions-boundary-to-all-roles",
			"--tags 'platform=tiny'", "--tags 'environment=baseline'",
			"--cloudformation-execution-policies arn:aws:iam::" + a.ID + ":policy/tiny-cfn-execution",
			"--aws-service-name ecs.amazonaws.com", "--aws-service-name ecs.application-autoscaling.amazonaws.com",
			"file://cdk.out/bootstrap/" + a.ID + "-execution-policy.json",
		} {
			if !strings.Contains(script, want) {
				t.Errorf("account %s's commands lack %q:\n%s", a.ID, want, script)
			}
		}
		trusts := strings.Contains(script, "--trust 333333333333 --trust-for-lookup 333333333333")
		if trusts == a.Tooling {
			t.Errorf("account %s (tooling: %v) trusts the tooling account: %v", a.ID, a.Tooling, trusts)
		}
	}
}

// iam:PassRole reaches only the account's own roles; with a boundary, the execution role cannot
// create a role without it, nor change or remove one's.
func TestNew_PassRoleIsTheAccountsAndTheBoundaryIsKept(t *testing.T) {
	planned := minimalPlan(t, "OrgBoundary")
	b, err := New(planned, stacksAt(planned, "AWS::IAM::Role", "AWS::ECS::TaskDefinition"))
	if err != nil {
		t.Fatal(err)
	}
	for _, a := range b.Accounts {
		doc := ""
		for _, p := range a.Policies {
			if slices.Contains(p.Actions, "iam:PassRole") {
				t.Errorf("account %s: %s allows iam:PassRole on every resource", a.ID, p.Name)
			}
			doc += string(p.Document())
		}
		for _, want := range []string{
			`"Resource": "arn:aws:iam::` + a.ID + `:role/*"`,
			`"iam:PermissionsBoundary": "arn:aws:iam::` + a.ID + `:policy/OrgBoundary"`,
			`"Action": "iam:DeleteRolePermissionsBoundary"`,
		} {
			if !strings.Contains(doc, want) {
				t.Errorf("account %s's policies lack %s:\n%s", a.ID, want, doc)
			}
		}
	}
}

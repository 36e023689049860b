package constructs_test

import (
	"encoding/json"
	"testing"

	"github.com/aws/jsii-runtime-go"

	"github.com/example/platform/lib/recovery"
	"github.com/example/platform/test/constructkit"
)

// approvers are the people the tests' approver roles trust: a role, and a user.
var approvers = []string{"arn:aws:iam::333333333333:role/OnCall", "arn:aws:iam::333333333333:user/dale"}

// The approver role trusts the people it is given, not the account it lives in: the role as it
// is, the user only signed in with MFA.
func TestApprover_TrustsTheNamedPeopleAndUsersOnlyWithMFA(t *testing.T) {
	stack := constructkit.Stack(t, "us-east-1")
	recovery.NewApprover(stack, "Approver", recovery.ApproverProps{RoleName: "acme-prod-recovery-approver", PlanNames: []string{"acme-prod-eu-west-1"}, Principals: approvers})
	template := constructkit.TemplateOf(t, stack)
	var roles map[string]map[string]any
	constructkit.Assert(t, func() {
		raw, _ := json.Marshal(template.FindResources(jsii.String("AWS::IAM::Role"), nil))
		if err := json.Unmarshal(raw, &roles); err != nil {
			t.Fatal(err)
		}
	})
	trusted := map[string]string{} // principal ARN -> its statement's condition
	for _, role := range roles {
		var trust struct {
			Statement []struct {
				Action    string
				Principal struct{ AWS any }
				Condition any
			}
		}
		raw, _ := json.Marshal(role["Properties"].(map[string]any)["AssumeRolePolicyDocument"])
		if err := json.Unmarshal(raw, &trust); err != nil {
			t.Fatal(err)
		}
		for _, s := range trust.Statement {
			principals, ok := s.Principal.AWS.([]any)
			if !ok {
				principals = []any{s.Principal.AWS}
			}
			condition, _ := json.Marshal(s.Condition)
			for _, p := range principals {
				name, _ := json.Marshal(p)
				trusted[string(name)] = string(condition)
			}
		}
	}
	want := map[string]string{
		`"arn:aws:iam::333333333333:role/OnCall"`: "null",
		`"arn:aws:iam::333333333333:user/dale"`:   `{"Bool":{"aws:MultiFactorAuthPresent":"true"}}`,
	}
	if len(trusted) != len(want) {
		t.Errorf("the role trusts %v, want exactly %v", trusted, want)
	}
	for principal, condition := range want {
		if trusted[principal] != condition {
			t.Errorf("%s is trusted with condition %s, want %s", principal, trusted[principal], condition)
		}
	}
}

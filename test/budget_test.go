package test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/example/platform/lib/budget"
	"github.com/example/platform/lib/config"
	"github.com/example/platform/stacks"
	"github.com/example/platform/test/testkit"
)

// One budget of a name per account across every stack of the assembly: AWS Budgets refuses a
// second budget of the same name in an account (BudgetName "must be unique within an account",
// AWS::Budgets::Budget BudgetData), and the Budgets API is global, so the same budget in two
// regions' stacks would fail the second create.
func TestRule_OneBudgetOfANamePerAccount(t *testing.T) {
	for _, file := range withFixtures("test/testdata/shared-account.json") {
		a := assemblyOf(t, testkit.Synth(t, file))
		seen := map[string]string{}
		n := 0
		for _, s := range a.stacks {
			for id, props := range resourcesOf(s, "AWS::Budgets::Budget").ofType("AWS::Budgets::Budget") {
				n++
				data, _ := props["Budget"].(map[string]any)
				name, ok := data["BudgetName"].(string)
				if !ok {
					t.Errorf("%s: %s/%s has no literal BudgetName: CloudFormation would give it a random one on every replacement", file, s.Name, id)
					continue
				}
				key := s.Account + "/" + name
				if other, dup := seen[key]; dup {
					t.Errorf("%s: budget %s is in %s and %s, both account %s: the second create fails", file, name, other, s.Name, s.Account)
				}
				seen[key] = s.Name
			}
		}
		checkedSomething(t, n, "budget")
	}
}

// Every environment has its budget, at its configured limit, in its primary region's app stack,
// telling that region's alert topic at forecast 100 % and actual 80 % and 100 %: the topic's
// policy lets AWS Budgets publish (for this account's budgets only) and its key lets AWS Budgets
// use it ("Creating an Amazon SNS topic for budget notifications" and "encrypted topics",
// Cost Management user guide). Where the account is shared, it counts only the environment's
// tagged costs.
func TestRule_EveryEnvironmentHasABudgetTellingItsAlertTopic(t *testing.T) {
	n := 0
	for _, file := range withFixtures("test/testdata/shared-account.json") {
		p := testkit.Synth(t, file)
		for _, env := range p.Config.Environments {
			n++
			t.Run(p.Config.Name+"/"+env.Name, func(t *testing.T) { checkEnvironmentBudget(t, p, env) })
		}
	}
	checkedSomething(t, n, "environment")
}

func checkEnvironmentBudget(t *testing.T, p *testkit.Platform, env config.Environment) {
	{
		stackName := stacks.StackName(p.Config.Name, env.Name, env.Primary().Region, stacks.TierApp)
		res := templateResources(t, p, stackName)
		budgets := res.ofType("AWS::Budgets::Budget")
		if len(budgets) != 1 {
			t.Fatalf("%s holds %d budgets, want the environment's one", stackName, len(budgets))
		}
		for id, props := range budgets {
			data, _ := props["Budget"].(map[string]any)
			limit, _ := data["BudgetLimit"].(map[string]any)
			if name, _ := data["BudgetName"].(string); !strings.HasPrefix(name, stacks.BudgetNamePrefix(p.Config.Name, env.Name)+"-") || fmt.Sprint(limit["Amount"]) != fmt.Sprint(env.Budget.MonthlyUSD) {
				t.Errorf("%s/%s: name %v limit %v, want %s-<hash> at %d (environments[].budget.monthlyUsd)", stackName, id, data["BudgetName"], limit["Amount"], stacks.BudgetNamePrefix(p.Config.Name, env.Name), env.Budget.MonthlyUSD)
			}
			wantFilter := sharedAccount(p.Config, env)
			if _, filtered := data["CostFilters"]; filtered != wantFilter {
				t.Errorf("%s/%s: filtered by the environment tag %v, want %v (the account is shared: %v)", stackName, id, filtered, wantFilter, wantFilter)
			}
			notifications := asList(props["NotificationsWithSubscribers"])
			if len(notifications) != len(budget.Thresholds) {
				t.Errorf("%s/%s has %d notifications, want %d", stackName, id, len(notifications), len(budget.Thresholds))
			}
			for i, raw := range notifications {
				n, _ := raw.(map[string]any)
				note, _ := n["Notification"].(map[string]any)
				if i < len(budget.Thresholds) && (note["NotificationType"] != budget.Thresholds[i].Type || fmt.Sprint(note["Threshold"]) != fmt.Sprint(budget.Thresholds[i].Percent)) {
					t.Errorf("%s/%s notification %d: %v at %v, want %s at %v", stackName, id, i, note["NotificationType"], note["Threshold"], budget.Thresholds[i].Type, budget.Thresholds[i].Percent)
				}
				for _, sub := range asList(n["Subscribers"]) {
					checkBudgetTopic(t, stackName, res, refTo(sub.(map[string]any)["Address"]))
				}
			}
		}
	}
}

// checkBudgetTopic fails unless topic (a logical ID of res) admits AWS Budgets to publish and
// to use its key.
func checkBudgetTopic(t *testing.T, stackName string, res resources, topic string) {
	t.Helper()
	if _, ok := res[topic]; !ok || res[topic]["Type"] != "AWS::SNS::Topic" {
		t.Errorf("%s: a budget notification goes to %q, not a topic of the stack", stackName, topic)
		return
	}
	published := false
	for _, policy := range res.ofType("AWS::SNS::TopicPolicy") {
		if !slices.ContainsFunc(asList(policy["Topics"]), func(v any) bool { return refTo(v) == topic }) {
			continue
		}
		for _, s := range statementsOf(policy) {
			principal, _ := s["Principal"].(map[string]any)
			if principal["Service"] == budget.Principal && slices.Contains(stringsOf(s["Action"]), "sns:Publish") && s["Condition"] != nil {
				published = true
			}
		}
	}
	if !published {
		t.Errorf("%s: topic %s's policy does not let %s publish (for this account's budgets)", stackName, topic, budget.Principal)
	}
	key := refTo(propertiesOf(res[topic])["KmsMasterKeyId"])
	if key == "" {
		return
	}
	keyPolicy, _ := propertiesOf(res[key])["KeyPolicy"].(map[string]any)
	uses := false
	for _, raw := range asList(keyPolicy["Statement"]) {
		s, _ := raw.(map[string]any)
		principal, _ := s["Principal"].(map[string]any)
		if slices.Contains(stringsOf(principal["Service"]), budget.Principal) && slices.Contains(stringsOf(s["Action"]), "kms:GenerateDataKey*") {
			uses = true
		}
	}
	if !uses {
		t.Errorf("%s: topic %s's key %s does not let %s use it: the notifications would not be delivered", stackName, topic, key, budget.Principal)
	}
}

// sharedAccount reports whether env's account holds another environment or the tooling stacks.
func sharedAccount(p *config.Platform, env config.Environment) bool {
	for _, other := range p.Environments {
		if other.Name != env.Name && other.Account == env.Account {
			return true
		}
	}
	return p.Pipeline.Account == env.Account
}

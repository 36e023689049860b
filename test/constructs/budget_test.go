package constructs_test

import (
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/jsii-runtime-go"

	"github.com/example/platform/lib/budget"
	"github.com/example/platform/lib/props/propstest"
	"github.com/example/platform/test/constructkit"
)

func TestBudget_ThrowsOnABadOrMissingRequiredProp(t *testing.T) {
	stack := func() awscdk.Stack { return constructkit.Stack(t, "us-east-1") }
	propstest.Panics(t, func() { budget.New(stack(), "Budget", budget.Props{}) },
		`budget.New(Test/Budget): 3 problems`, `Props.Name is required`, `Props.LimitUSD 0: give the monthly limit`, `Props.Topic is required`)
	propstest.Panics(t, func() {
		s := stack()
		budget.New(s, "Budget", budget.Props{Name: "acme:prod", LimitUSD: 10, Topic: awssns.NewTopic(s, jsii.String("T"), nil), TagKey: "environment"})
	}, `Props.Name "acme:prod": AWS Budgets takes at most 100 characters (with the 9 the construct appends) and no ':'`, `Props.TagKey "environment" with Props.TagValue "": give both`)
}

func TestBudget_AlertsTheTopicAtForecast100AndActual80And100OfTheEnvironmentsTaggedCost(t *testing.T) {
	stack := constructkit.Stack(t, "us-east-1")
	topic := awssns.NewTopic(stack, jsii.String("Alerts"), nil)
	budget.New(stack, "Budget", budget.Props{Name: "acme-prod-monthly", LimitUSD: 3000, Topic: topic, TagKey: "environment", TagValue: "prod"})
	template := constructkit.TemplateOf(t, stack)
	notification := func(kind string, percent float64) map[string]any {
		return map[string]any{
			"Notification": map[string]any{"NotificationType": kind, "ComparisonOperator": "GREATER_THAN", "Threshold": percent, "ThresholdType": "PERCENTAGE"},
			"Subscribers":  []any{map[string]any{"SubscriptionType": "SNS", "Address": map[string]any{"Ref": "Alerts91F83244"}}},
		}
	}
	constructkit.Assert(t, func() {
		template.HasResourceProperties(jsii.String("AWS::Budgets::Budget"), map[string]any{
			"Budget": map[string]any{
				"BudgetName": budget.Name("acme-prod-monthly", *topic.Node().Path()), "BudgetType": "COST", "TimeUnit": "MONTHLY",
				"BudgetLimit": map[string]any{"Amount": 3000, "Unit": "USD"},
				"CostFilters": map[string]any{"TagKeyValue": []any{"user:environment$prod"}},
			},
			"NotificationsWithSubscribers": assertions.Match_ArrayEquals(&[]any{
				notification("FORECASTED", 100), notification("ACTUAL", 80), notification("ACTUAL", 100),
			}),
		})
	})
}

// CloudFormation replaces a budget whose notifications or subscribers change, creating the new
// one first: its name must differ from the old one's then, and stay the same otherwise.
func TestBudget_NameChangesExactlyWhenAChangeReplacesTheBudget(t *testing.T) {
	name := budget.Name("acme-prod-monthly", "acme/prod/us-east-1-app/Alerts/Topic")
	if !strings.HasPrefix(name, "acme-prod-monthly-") || len(name) != len("acme-prod-monthly-")+8 {
		t.Errorf("name %q: want the prefix, a hyphen and 8 hex digits", name)
	}
	if again := budget.Name("acme-prod-monthly", "acme/prod/us-east-1-app/Alerts/Topic"); again != name {
		t.Errorf("the same budget is named %q, then %q: an update would replace it", name, again)
	}
	if moved := budget.Name("acme-prod-monthly", "acme/prod/eu-west-1-app/Alerts/Topic"); moved == name {
		t.Errorf("a budget telling another topic keeps the name %q: its replacement would meet the old budget's name", name)
	}
}

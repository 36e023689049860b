package budget_test

import (
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/jsii-runtime-go"

	"github.com/example/platform/lib/budget"
	"github.com/example/platform/lib/props/propstest"
	"github.com/example/platform/test/constructkit"
)

func TestMain(m *testing.M) { constructkit.Main(m) }

func TestBudget_ThrowsOnABadOrMissingRequiredProp(t *testing.T) {
	stack := func() awscdk.Stack { return constructkit.Stack(t, "us-east-1") }
	propstest.Panics(t, func() { budget.New(stack(), "Budget", budget.Props{}) },
		`budget.New(Test/Budget): 3 problems`, `Props.Name is required`, `Props.LimitUSD 0: give the monthly limit`, `Props.Topic is required`)
	propstest.Panics(t, func() {
		s := stack()
		budget.New(s, "Budget", budget.Props{Name: "acme:prod", LimitUSD: 10, Topic: awssns.NewTopic(s, jsii.String("T"), nil), TagKey: "environment"})
	}, `Props.Name "acme:prod": AWS Budgets takes at most 100 characters and no ':'`, `Props.TagKey "environment" with Props.TagValue "": give both`)
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
				"BudgetName": "acme-prod-monthly", "BudgetType": "COST", "TimeUnit": "MONTHLY",
				"BudgetLimit": map[string]any{"Amount": 3000, "Unit": "USD"},
				"CostFilters": map[string]any{"TagKeyValue": []any{"user:environment$prod"}},
			},
			"NotificationsWithSubscribers": assertions.Match_ArrayEquals(&[]any{
				notification("FORECASTED", 100), notification("ACTUAL", 80), notification("ACTUAL", 100),
			}),
		})
	})
}

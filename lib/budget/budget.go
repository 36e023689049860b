// Package budget builds an environment's AWS Budgets cost budget: a monthly limit, optionally
// only for the costs tagged with the environment's name, that tells an SNS topic when the
// month's forecast reaches the limit and when the actual cost reaches 80 % and 100 % of it.
package budget

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2/awsbudgets"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/example/platform/lib/limits"
	"github.com/example/platform/lib/props"
)

// Principal is the service principal that publishes a budget's notifications: the topic's
// policy must let it publish, and a KMS-encrypted topic's key must let it use the key.
const Principal = "budgets.amazonaws.com"

// Thresholds are the notifications every budget has: (FORECASTED or ACTUAL, percent of the limit).
var Thresholds = []struct {
	Type    string
	Percent float64
}{{"FORECASTED", 100}, {"ACTUAL", 80}, {"ACTUAL", 100}} // at most limits.BudgetMaxNotifications

// Props configures a Budget. Name, LimitUSD and Topic are required.
type Props struct {
	// Name begins the budget's name, unique in its account (AWS Budgets refuses a second budget
	// of the same name), without ':' or '\'. The construct appends a short hash of what replaces
	// the budget when it changes (the notifications and the topic), because CloudFormation creates
	// the replacement before it deletes the old budget, which would otherwise hold the name.
	Name string
	// LimitUSD is the monthly limit in US dollars.
	LimitUSD float64
	// Topic receives the notifications. Its policy must admit Principal (alerts.Budgets does).
	Topic awssns.ITopic
	// TagKey and TagValue, when set, limit the budget to the costs of resources with that tag
	// (an account shared by environments). The tag must be activated as a cost allocation tag
	// in the payer account before it filters anything. Default: every cost of the account.
	TagKey, TagValue string
}

// Budget is the budget.
type Budget struct {
	constructs.Construct
	Resource awsbudgets.CfnBudget
}

func (p Props) check(scope constructs.Construct, id string) {
	c := props.Check(scope, id, "budget.New")
	if c.Require("Props.Name", p.Name != "", "give a name unique in the account, such as acme-prod-monthly") {
		if len(p.Name)+1+nameHashLength > limits.BudgetNameLength || strings.ContainsAny(p.Name, `:\`) {
			c.Failf("Props.Name", "%q: AWS Budgets takes at most %d characters (with the %d the construct appends) and no ':' or '\\'", p.Name, limits.BudgetNameLength, 1+nameHashLength)
		}
	}
	if p.LimitUSD <= 0 {
		c.Failf("Props.LimitUSD", "%v: give the monthly limit in US dollars, more than 0", p.LimitUSD)
	}
	c.Require("Props.Topic", p.Topic != nil, "give the topic the notifications go to")
	if (p.TagKey == "") != (p.TagValue == "") {
		c.Failf("Props.TagKey", "%q with Props.TagValue %q: give both, or neither for every cost of the account", p.TagKey, p.TagValue)
	}
	c.Done()
}

// New creates the budget.
func New(scope constructs.Construct, id string, props Props) *Budget {
	props.check(scope, id)
	c := constructs.NewConstruct(scope, jsii.String(id))
	data := &awsbudgets.CfnBudget_BudgetDataProperty{
		BudgetName:  jsii.String(Name(props.Name, *props.Topic.Node().Path())),
		BudgetType:  jsii.String("COST"),
		TimeUnit:    jsii.String("MONTHLY"),
		BudgetLimit: &awsbudgets.CfnBudget_SpendProperty{Amount: jsii.Number(props.LimitUSD), Unit: jsii.String("USD")},
	}
	if props.TagKey != "" {
		// Cost allocation tags are named user:<key> in cost filters ("TagKeyValue": key$value).
		data.CostFilters = map[string]any{"TagKeyValue": []string{"user:" + props.TagKey + "$" + props.TagValue}}
	}
	var notifications []any
	for _, t := range Thresholds {
		notifications = append(notifications, &awsbudgets.CfnBudget_NotificationWithSubscribersProperty{
			Notification: &awsbudgets.CfnBudget_NotificationProperty{
				NotificationType:   jsii.String(t.Type),
				ComparisonOperator: jsii.String("GREATER_THAN"),
				Threshold:          jsii.Number(t.Percent),
				ThresholdType:      jsii.String("PERCENTAGE"),
			},
			Subscribers: []any{&awsbudgets.CfnBudget_SubscriberProperty{SubscriptionType: jsii.String("SNS"), Address: props.Topic.TopicArn()}},
		})
	}
	// L1: aws-cdk-lib has no L2 for AWS Budgets.
	resource := awsbudgets.NewCfnBudget(c, jsii.String("Resource"), &awsbudgets.CfnBudgetProps{
		Budget:                       data,
		NotificationsWithSubscribers: notifications,
	})
	return &Budget{Construct: c, Resource: resource}
}

// nameHashLength is how many hex digits of the replacement hash a budget's name ends with.
const nameHashLength = 8

// Name is the name of the budget whose Props.Name is prefix and whose topic's construct path is
// topicPath: the prefix, then a hash of the notifications and the topic, the properties whose
// change replaces an AWS::Budgets::Budget ("Update requires: Replacement").
func Name(prefix, topicPath string) string {
	h := sha256.New()
	fmt.Fprintf(h, "%v|%s", Thresholds, topicPath)
	return prefix + "-" + hex.EncodeToString(h.Sum(nil))[:nameHashLength]
}

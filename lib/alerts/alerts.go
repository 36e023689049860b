// Package alerts builds the topic that tells people something needs them: a KMS-encrypted SNS
// topic that only TLS clients may use, the key the services publishing to it may use through
// SNS, and an e-mail subscription per address.
package alerts

import (
	"fmt"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsevents"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssnssubscriptions"
	"github.com/aws/aws-cdk-go/awscdk/v2/interfaces/interfacesawsevents"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/example/platform/lib/keys"
	"github.com/example/platform/lib/props"
)

// Publisher services, by their service principal.
const (
	CloudWatch            = "cloudwatch.amazonaws.com"
	EventBridge           = "events.amazonaws.com"
	CodeStarNotifications = "codestar-notifications.amazonaws.com"
	Budgets               = "budgets.amazonaws.com"
)

// publisherSources are the sources (ARN patterns of region, account) of the publishers the
// topic's policy admits itself: CloudWatch's alarms ("Amazon SNS topic policy for CloudWatch
// alarms", CloudWatch user guide), CodeStar Notifications' rules and the account's budgets
// ("Creating an Amazon SNS topic for budget notifications", Cost Management user guide: budget
// ARNs name no region).
var publisherSources = map[string]string{
	CloudWatch:            "arn:aws:cloudwatch:%s:%s:alarm:*",
	CodeStarNotifications: "arn:aws:codestar-notifications:%s:%s:notificationrule/*",
	Budgets:               "arn:aws:budgets::%[2]s:*",
}

// Props configures an alert topic. DisplayName is required.
type Props struct {
	// DisplayName is the sender name in the e-mails.
	DisplayName string
	// Emails are subscribed to the topic. Each address confirms its subscription once.
	Emails []string
	// Publishers are the service principals that publish to the topic (CloudWatch alarms,
	// EventBridge rules, CodeStar Notifications, AWS Budgets): the key lets SNS use it for them,
	// and the topic's policy admits CloudWatch's alarms and CodeStar Notifications' rules of this
	// account and region and the account's budgets (EventBridge rules: see New). Principals of the account publish
	// through IAM (topic.GrantPublish grants the key too). Default: none.
	Publishers []string
}

// Alerts is the topic and its key.
type Alerts struct {
	constructs.Construct
	Topic awssns.Topic
	Key   awskms.Key
}

// maxDisplayName is the longest display name SNS accepts.
const maxDisplayName = 100

// check fails with every problem of p, the way a construct fails: a panic naming its path.
func (p Props) check(scope constructs.Construct, id string) {
	c := props.Check(scope, id, "alerts.New")
	if c.Require("Props.DisplayName", p.DisplayName != "", "give the sender people see in the e-mails, such as \"acme edge alarms\"") &&
		len(p.DisplayName) > maxDisplayName {
		c.Failf("Props.DisplayName", "%q is %d characters; SNS takes at most %d", p.DisplayName, len(p.DisplayName), maxDisplayName)
	}
	for i, email := range p.Emails {
		if !strings.Contains(email, "@") {
			c.Failf(fmt.Sprintf("Props.Emails[%d]", i), "%q is not an e-mail address; give one such as oncall@example.com", email)
		}
	}
	for i, service := range p.Publishers {
		if !strings.HasSuffix(service, ".amazonaws.com") {
			c.Failf(fmt.Sprintf("Props.Publishers[%d]", i), "%q is not a service principal; give one such as %s", service, CloudWatch)
		}
	}
	c.Done()
}

// New creates the topic.
func New(scope constructs.Construct, id string, props Props) *Alerts {
	props.check(scope, id)
	c := constructs.NewConstruct(scope, jsii.String(id))
	region, account := *awscdk.Stack_Of(c).Region(), *awscdk.Stack_Of(c).Account()
	var publishers []awsiam.IPrincipal
	for _, service := range props.Publishers {
		publishers = append(publishers, awsiam.NewServicePrincipal(jsii.String(service), nil))
	}
	var statements []awsiam.PolicyStatement
	if len(publishers) > 0 {
		// The statement AWS documents for a service publishing to an encrypted topic ("Enable
		// compatibility between event sources from AWS services and encrypted topics", SNS
		// developer guide), without conditions: SNS calls KMS for the publishing service, and
		// neither kms:ViaService nor aws:SourceArn is documented to reach the key policy then.
		statements = append(statements, awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Sid:        jsii.String("PublishersUseTheKey"),
			Principals: &publishers,
			Actions:    jsii.Strings("kms:GenerateDataKey*", "kms:Decrypt"),
			Resources:  jsii.Strings("*"),
		}))
	}
	key := keys.NewStackKey(c, "Key", "Encrypts "+props.DisplayName, statements...)
	topic := awssns.NewTopic(c, jsii.String("Topic"), &awssns.TopicProps{
		DisplayName: jsii.String(props.DisplayName), MasterKey: key, EnforceSSL: jsii.Bool(true),
	})
	// EnforceSSL gives the topic a policy, and a topic policy replaces SNS's default one, which
	// is what let the account's alarms publish: each publisher is admitted here, only for its
	// sources in this account and region. EventBridge rules are admitted by whoever targets
	// the topic, rule by rule (aws:SourceArn of the rule).
	for _, service := range props.Publishers {
		source, admitted := publisherSources[service]
		if !admitted {
			continue
		}
		topic.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Sid:        jsii.String("PublishFrom" + strings.Split(service, ".")[0]),
			Principals: &[]awsiam.IPrincipal{awsiam.NewServicePrincipal(jsii.String(service), nil)},
			Actions:    jsii.Strings("sns:Publish"),
			Resources:  &[]*string{topic.TopicArn()},
			Conditions: &map[string]any{
				"StringEquals": map[string]any{"aws:SourceAccount": account},
				"ArnLike":      map[string]any{"aws:SourceArn": fmt.Sprintf(source, region, account)},
			},
		}))
	}
	for _, email := range props.Emails {
		topic.AddSubscription(awssnssubscriptions.NewEmailSubscription(jsii.String(email), nil))
	}
	return &Alerts{Construct: c, Topic: topic, Key: key}
}

// RuleTarget sends an EventBridge rule's events to an alert topic that only that rule may
// publish to through EventBridge (the topic's Publishers must include EventBridge, for its key).
// CDK's SnsTopic target lets EventBridge publish to the topic from any rule (no aws:SourceArn)
// and adds a key policy statement of its own; this target adds neither.
func RuleTarget(topic awssns.ITopic) awsevents.IRuleTarget { return &ruleTarget{topic: topic} }

type ruleTarget struct{ topic awssns.ITopic }

// Bind lets rule, and no other, publish to the topic, and names the topic as its target.
func (t *ruleTarget) Bind(rule interfacesawsevents.IRuleRef, _ *string) *awsevents.RuleTargetConfig {
	t.topic.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Principals: &[]awsiam.IPrincipal{awsiam.NewServicePrincipal(jsii.String(EventBridge), nil)},
		Actions:    jsii.Strings("sns:Publish"),
		Resources:  jsii.Strings(*t.topic.TopicArn()),
		Conditions: &map[string]any{"ArnEquals": map[string]any{"aws:SourceArn": rule.RuleRef().RuleArn}},
	}))
	return &awsevents.RuleTargetConfig{Arn: t.topic.TopicArn(), TargetResource: t.topic}
}

// EventsProps says which events an alert topic is told of. Every field is required.
type EventsProps struct {
	// Topic is the region's alert topic; its Publishers must include EventBridge.
	Topic awssns.ITopic
	// Description says what the events are, for the rule.
	Description string
	// Pattern matches the events.
	Pattern *awsevents.EventPattern
}

// NewEventAlert tells the topic of every event of this account and region that matches the
// pattern, through a rule that only it may publish with (RuleTarget). caller names the
// constructor in errors about the props.
func NewEventAlert(scope constructs.Construct, id, caller string, p EventsProps) awsevents.Rule {
	c := props.Check(scope, id, caller)
	c.Require("Props.Topic", p.Topic != nil, "give the region's alert topic")
	c.Require("Props.Description", p.Description != "", "say what the events are")
	c.Require("Props.Pattern", p.Pattern != nil, "give the events' pattern")
	c.Done()
	return awsevents.NewRule(scope, jsii.String(id), &awsevents.RuleProps{
		Description: jsii.String(p.Description), EventPattern: p.Pattern, Targets: &[]awsevents.IRuleTarget{RuleTarget(p.Topic)},
	})
}

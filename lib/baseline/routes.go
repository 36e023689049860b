package baseline

import (
	"github.com/aws/aws-cdk-go/awscdk/v2/awsevents"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/example/platform/lib/alerts"
)

// GuardDutyHighSeverity is the least severity of a GuardDuty finding that alerts: High is 7.0
// to 8.9, Critical 9.0 to 10.0.
const GuardDutyHighSeverity = 7

// SecurityHubAlertLabels are the severity labels of Security Hub findings that alert.
var SecurityHubAlertLabels = []string{"HIGH", "CRITICAL"}

// newRoutes sends what needs a person to the alert topic, each region its own: GuardDuty
// findings of high or critical severity; Security Hub findings of those labels that are new and
// active, generated in this region (the home region's hub also holds the aggregated copies of
// the other regions' findings, which alert there) and not GuardDuty's (which Security Hub
// imports, and which alert through their own route wherever GuardDuty runs); and
// any use of the account's root user, the break-glass identity.
func (b *Baseline) newRoutes(c constructs.Construct, props Props) {
	_, region := where(c)
	b.Alerts = alerts.New(c, "Alerts", alerts.Props{
		DisplayName: props.AlertDisplayName, Emails: props.AlertEmails, Publishers: []string{alerts.EventBridge},
	})
	route := func(id, description string, pattern *awsevents.EventPattern) awsevents.Rule {
		rule := awsevents.NewRule(c, jsii.String(id), &awsevents.RuleProps{
			Description:  jsii.String(description),
			EventPattern: pattern,
			Targets:      &[]awsevents.IRuleTarget{alerts.RuleTarget(b.Alerts.Topic)},
		})
		b.Routes = append(b.Routes, rule)
		return rule
	}
	if props.GuardDuty.Runs() {
		route("GuardDutyFindings", "GuardDuty findings of high or critical severity", &awsevents.EventPattern{
			Source:     jsii.Strings("aws.guardduty"),
			DetailType: jsii.Strings("GuardDuty Finding"),
			Detail:     &map[string]any{"severity": []any{map[string]any{"numeric": []any{">=", GuardDutyHighSeverity}}}},
		})
	}
	if props.SecurityHub.Runs() {
		findings := map[string]any{
			"Severity":    map[string]any{"Label": SecurityHubAlertLabels},
			"Workflow":    map[string]any{"Status": []string{"NEW"}},
			"RecordState": []string{"ACTIVE"},
			"Region":      []string{region},
		}
		if props.GuardDuty.Runs() {
			findings["ProductName"] = []any{map[string]any{"anything-but": []string{"GuardDuty"}}}
		}
		route("SecurityHubFindings", "New, active Security Hub findings of high or critical severity from this region", &awsevents.EventPattern{
			Source:     jsii.Strings("aws.securityhub"),
			DetailType: jsii.Strings("Security Hub Findings - Imported"),
			Detail:     &map[string]any{"findings": findings},
		})
	}
	// Root's console sign-ins and API calls reach EventBridge only through a trail (the
	// baseline's or an organization's): without one the rule would never fire. Sign-ins are
	// recorded in us-east-1, where every account of the platform has a baseline.
	if !props.CloudTrail.Runs() {
		return
	}
	root := route("RootActivity", "Any use of the account's root user (break-glass access)", &awsevents.EventPattern{
		DetailType: jsii.Strings("AWS Console Sign In via CloudTrail", "AWS API Call via CloudTrail"),
		Detail:     &map[string]any{"userIdentity": map[string]any{"type": []string{"Root"}}},
	})
	// An ENABLED rule never sees read-only management events (EventBridge user guide, "Receiving
	// read-only management events from AWS services"), so root reading anything would not alert;
	// the L2 Rule only offers enabled or not, hence the escape hatch.
	root.Node().DefaultChild().(awsevents.CfnRule).AddPropertyOverride(jsii.String("State"), jsii.String(RootActivityState))
}

// RootActivityState is the root-activity rule's state: it matches every management event
// CloudTrail delivers, read-only ones included.
const RootActivityState = "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS"

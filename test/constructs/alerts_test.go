package constructs_test

import (
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"

	"github.com/example/platform/lib/alerts"
	"github.com/example/platform/lib/props/propstest"
)

func TestAlerts_ThrowsOnABadOrMissingRequiredProp(t *testing.T) {
	stack := func() awscdk.Stack {
		return awscdk.NewStack(awscdk.NewApp(nil), jsii.String("Test"), &awscdk.StackProps{
			Env: &awscdk.Environment{Account: jsii.String("111111111111"), Region: jsii.String("us-east-1")},
		})
	}
	propstest.Panics(t, func() { alerts.New(stack(), "Alarms", alerts.Props{Emails: []string{"oncall@example.com"}}) },
		`alerts.New(Test/Alarms): Props.DisplayName is required; give the sender people see in the e-mails`)
	propstest.Panics(t, func() {
		alerts.New(stack(), "Alarms", alerts.Props{DisplayName: "acme alarms", Emails: []string{"oncall"}, Publishers: []string{"cloudwatch"}})
	}, `Props.Emails[0] "oncall" is not an e-mail address`, `Props.Publishers[0] "cloudwatch" is not a service principal`)
}

// An event alert names the caller's constructor, and needs a topic, a description and a pattern.
func TestEventAlert_ThrowsOnAMissingProp(t *testing.T) {
	stack := awscdk.NewStack(awscdk.NewApp(nil), jsii.String("Test"), nil)
	propstest.Panics(t, func() { alerts.NewEventAlert(stack, "Failed", "backup.NewJobAlerts", alerts.EventsProps{}) },
		"backup.NewJobAlerts(Test/Failed)", "Props.Topic is required", "Props.Description is required", "Props.Pattern is required")
}

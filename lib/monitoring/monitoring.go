// Package monitoring turns signals (a metric, when it means trouble, and what to do then) into
// CloudWatch alarms with actions, a dashboard, and a composite alarm that says a region is
// unhealthy. Alarms and dashboard come from the same signals, so a metric is never on one and
// missing from the other.
package monitoring

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatchactions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/aws-cdk-go/awscdk/v2/interfaces/interfacesawscloudwatch"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/example/platform/lib/alarmnames"
	"github.com/example/platform/lib/props"
)

// Signal is one thing worth watching.
type Signal struct {
	// ID names the alarm (<Props.Name>-<ID>): lowercase words joined by hyphens.
	ID string
	// Title heads the dashboard widget.
	Title string
	// Meaning says what the alarm means when it fires; Action what to do then. Both go into the
	// alarm's description (the e-mail people get) and docs/operations.md's generated alarm table.
	Meaning, Action string
	Metric          awscloudwatch.IMetric
	Threshold       float64
	// Above alarms when the metric is at or above Threshold; otherwise when it is below.
	Above bool
	// Periods the metric must breach in a row before the alarm fires. Default: 3.
	Periods float64
	// RegionHealth makes the signal count toward the region's "unhealthy" composite alarm.
	RegionHealth bool
	// AlarmName names the alarm when it is about another region than Props.Name's (the
	// observer's view of a region is named for that region). Default: <Props.Name>-<ID>.
	AlarmName string
	// SilenceNotifies is for a metric that must always arrive (a canary's runs): periods without
	// data are missing, so that an alarm with no data at all (new, or its canary stopped) is
	// INSUFFICIENT_DATA, which tells the topic but is not ALARM, so that neither creating the
	// alarm nor a stopped canary fires it or the region's composite. Default: a period without
	// data is not breaching, and INSUFFICIENT_DATA tells nobody.
	SilenceNotifies bool
}

// Props configures a region's monitoring. Name, Topic and Signals are required.
type Props struct {
	// Name starts every alarm's name and names the dashboard: <platform>-<env>-<region>.
	Name string
	// Topic receives every alarm's ALARM and OK notifications, and INSUFFICIENT_DATA of the
	// signals whose silence notifies.
	Topic   awssns.ITopic
	Signals []Signal
	// HealthAlarms are alarms made elsewhere (the service's rollback alarms, canaries) that
	// count toward the region's health too. They get the same actions as the signals' alarms.
	HealthAlarms []awscloudwatch.Alarm
	// Runbook is the path of the platform's runbook (docs/runbook.md for the example), which
	// the composite alarm's description tells the person paged to follow.
	Runbook string
}

// Monitoring is a region's alarms, dashboard and composite alarm.
type Monitoring struct {
	constructs.Construct
	// Alarms by signal ID.
	Alarms    map[string]awscloudwatch.Alarm
	Dashboard awscloudwatch.Dashboard
	// RegionUnhealthy fires when any RegionHealth signal or HealthAlarm does: the one alarm the
	// disaster-recovery runbook and plans name for "this region is failing".
	RegionUnhealthy awscloudwatch.CompositeAlarm
}

// UnhealthyAlarmName names a region's composite alarm; name is Props.Name.
func UnhealthyAlarmName(name string) string { return name + alarmnames.RegionUnhealthy }

// check fails with every problem of p, the way a construct fails: a panic naming its path.
func (p Props) check(scope constructs.Construct, id string) {
	c := props.Check(scope, id, "monitoring.New")
	c.Require("Props.Name", p.Name != "", "give the region's name, <platform>-<env>-<region>: it starts every alarm's name and names the dashboard")
	c.Require("Props.Topic", p.Topic != nil, "give the alert topic (lib/alerts) that hears every alarm")
	c.Require("Props.Runbook", p.Runbook != "", "give the path of the platform's runbook (internal/docspath), which the region-unhealthy alarm names")
	c.Require("Props.Signals", len(p.Signals) > 0, "list what to watch (ServiceSignals, DatabaseSignals, TableSignals)")
	seen := map[string]bool{}
	for i, s := range p.Signals {
		field := fmt.Sprintf("Props.Signals[%d]", i)
		switch {
		case !signalID.MatchString(s.ID):
			c.Failf(field, "ID %q: give lowercase words joined by hyphens, such as service-cpu", s.ID)
		case seen[s.ID]:
			c.Failf(field, "ID %q is used twice; each signal is one alarm", s.ID)
		case s.Metric == nil:
			c.Failf(field, "%q has no Metric", s.ID)
		case s.Meaning == "" || s.Action == "":
			c.Failf(field, "%q needs a Meaning and an Action: they are what the person paged reads", s.ID)
		}
		seen[s.ID] = true
	}
	c.Done()
}

var signalID = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)

// New creates the alarms, the dashboard and the composite alarm.
func New(scope constructs.Construct, id string, props Props) *Monitoring {
	props.check(scope, id)
	c := constructs.NewConstruct(scope, jsii.String(id))
	m := &Monitoring{Construct: c, Alarms: map[string]awscloudwatch.Alarm{}}
	notify := awscloudwatchactions.NewSnsAction(props.Topic)
	var widgets []awscloudwatch.IWidget
	var health []awscloudwatch.IAlarm
	for _, s := range props.Signals {
		alarm := newAlarm(c, props.Name, s)
		m.Alarms[s.ID] = alarm
		widgets = append(widgets, Widget(s))
		if s.RegionHealth {
			health = append(health, alarm)
		}
	}
	for _, a := range props.HealthAlarms {
		health = append(health, a)
	}
	for _, a := range append(alarmsOf(m.Alarms), props.HealthAlarms...) {
		a.AddAlarmAction(notify)
		a.AddOkAction(notify)
	}
	for _, s := range props.Signals {
		if s.SilenceNotifies {
			m.Alarms[s.ID].AddInsufficientDataAction(notify)
		}
	}
	if len(health) > 0 {
		status := make([]interfacesawscloudwatch.IAlarmRef, len(health))
		for i, a := range health {
			status[i] = a
		}
		widgets = append([]awscloudwatch.IWidget{awscloudwatch.NewAlarmStatusWidget(&awscloudwatch.AlarmStatusWidgetProps{
			Title: jsii.String("Region health (each feeds " + UnhealthyAlarmName(props.Name) + ")"), Alarms: &status, Width: jsii.Number(24),
		})}, widgets...)
	}
	m.Dashboard = awscloudwatch.NewDashboard(c, jsii.String("Dashboard"), &awscloudwatch.DashboardProps{
		DashboardName: jsii.String(props.Name),
		Widgets:       &[]*[]awscloudwatch.IWidget{&widgets},
	})
	if len(health) > 0 {
		var rule []awscloudwatch.IAlarmRule
		for _, a := range health {
			rule = append(rule, awscloudwatch.AlarmRule_FromAlarm(a, awscloudwatch.AlarmState_ALARM))
		}
		m.RegionUnhealthy = awscloudwatch.NewCompositeAlarm(c, jsii.String("RegionUnhealthy"), &awscloudwatch.CompositeAlarmProps{
			CompositeAlarmName: jsii.String(UnhealthyAlarmName(props.Name)),
			AlarmDescription:   jsii.String(UnhealthyMeaning + " " + UnhealthyAction(props.Runbook)),
			AlarmRule:          awscloudwatch.AlarmRule_AnyOf(rule...),
		})
		m.RegionUnhealthy.AddAlarmAction(notify)
		m.RegionUnhealthy.AddOkAction(notify)
	}
	return m
}

// UnhealthyMeaning and UnhealthyAction describe the composite alarm, as the signals' Meaning and
// Action do theirs.
const UnhealthyMeaning = "The region is failing its users: one of its health alarms (running tasks, 5xx rates, deployment rollback alarms, its canary) fires."

// UnhealthyAction is what to do when the composite alarm fires; runbook is Props.Runbook.
func UnhealthyAction(runbook string) string {
	return "Look at the alarm that fired; if the region cannot recover, move traffic away as " + runbook + " says."
}

// alarmsOf are the alarms sorted by signal ID, so the template does not change between runs.
func alarmsOf(alarms map[string]awscloudwatch.Alarm) []awscloudwatch.Alarm {
	ids := make([]string, 0, len(alarms))
	for id := range alarms {
		ids = append(ids, id)
	}
	slices.Sort(ids)
	out := make([]awscloudwatch.Alarm, len(ids))
	for i, id := range ids {
		out[i] = alarms[id]
	}
	return out
}

// defaultPeriods is Signal.Periods when a signal leaves it out.
const defaultPeriods = 3

func newAlarm(scope constructs.Construct, prefix string, s Signal) awscloudwatch.Alarm {
	if s.Periods == 0 {
		s.Periods = defaultPeriods
	}
	comparison := awscloudwatch.ComparisonOperator_LESS_THAN_THRESHOLD
	if s.Above {
		comparison = awscloudwatch.ComparisonOperator_GREATER_THAN_OR_EQUAL_TO_THRESHOLD
	}
	// No data is no news for most metrics: one that stops (a scaled-in service, a quiet queue)
	// is not an incident. For one that must always arrive, silence is news but not a failure of
	// what it watches: missing data leads to INSUFFICIENT_DATA (every point of the evaluation
	// range missing), the state a new alarm starts in, so creation changes no state
	// ("Configuring how CloudWatch alarms treat missing data").
	missing := awscloudwatch.TreatMissingData_NOT_BREACHING
	if s.SilenceNotifies {
		missing = awscloudwatch.TreatMissingData_MISSING
	}
	name := prefix + "-" + s.ID
	if s.AlarmName != "" {
		name = s.AlarmName
	}
	return awscloudwatch.NewAlarm(scope, jsii.String(alarmID(s.ID)), &awscloudwatch.AlarmProps{
		AlarmName:          jsii.String(name),
		AlarmDescription:   jsii.String(s.Meaning + " " + s.Action),
		Metric:             s.Metric,
		Threshold:          jsii.Number(s.Threshold),
		ComparisonOperator: comparison,
		EvaluationPeriods:  jsii.Number(s.Periods),
		DatapointsToAlarm:  jsii.Number(s.Periods),
		TreatMissingData:   missing,
	})
}

// Widget is the dashboard graph of a signal, with its alarm threshold drawn on it.
func Widget(s Signal) awscloudwatch.GraphWidget {
	return awscloudwatch.NewGraphWidget(&awscloudwatch.GraphWidgetProps{
		Title:           jsii.String(s.Title),
		Left:            &[]awscloudwatch.IMetric{s.Metric},
		LeftAnnotations: &[]*awscloudwatch.HorizontalAnnotation{{Value: jsii.Number(s.Threshold), Label: jsii.String("alarm")}},
		Width:           jsii.Number(8),
	})
}

// alarmID is the construct ID of a signal's alarm: "service-cpu" becomes "ServiceCpu".
func alarmID(signal string) string {
	var b strings.Builder
	for _, word := range strings.Split(signal, "-") {
		if word != "" {
			b.WriteString(strings.ToUpper(word[:1]) + word[1:])
		}
	}
	return b.String()
}

// period is every signal's metric period: one minute. A function, not a variable: a jsii
// object made at package initialisation belongs to the first jsii runtime, and a test binary
// may start another.
func period() awscdk.Duration { return awscdk.Duration_Minutes(jsii.Number(1)) }

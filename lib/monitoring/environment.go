package monitoring

import (
	"fmt"
	"slices"

	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/interfaces/interfacesawscloudwatch"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/example/platform/lib/props"
)

// RegionSignals are one region's signals, as its own monitoring builds them.
type RegionSignals struct {
	Region  string
	Signals []Signal
}

// EnvironmentProps configures the dashboard across an environment's regions. Name and Regions
// are required.
type EnvironmentProps struct {
	// Name of the dashboard (dashboard names are global to the account).
	Name string
	// Regions in config order, the primary first, each with the signals its region monitors.
	Regions []RegionSignals
	// Overview are the IDs of the signals shown for every region; each must be one of every
	// region's signals. The graphs are the regional ones, read in their region.
	Overview []string
	// HealthAlarms are the alarms on each region's health check through the edge, shown first.
	HealthAlarms []awscloudwatch.IAlarm
}

// OverviewSignals are what the environment's dashboard shows for each region: does its canary
// reach the platform, do users get errors or wait, and how far behind the writer is its data. (Whether it is up is the health
// check row. Running tasks are on the region's own dashboard: ECS cluster and service names
// cannot be read across regions without fixing their physical names.)
var OverviewSignals = []string{"canary", "public-5xx-rate", "public-p99-latency", "db-replication-lag", "table-replication-latency"}

// NewEnvironmentDashboard builds one dashboard with a row per region. Its graphs are the
// regions' own signals (the same metrics and thresholds as their alarms), each read in its
// region.
func NewEnvironmentDashboard(scope constructs.Construct, id string, p EnvironmentProps) awscloudwatch.Dashboard {
	c := props.Check(scope, id, "monitoring.NewEnvironmentDashboard")
	c.Require("Props.Name", p.Name != "", "name the dashboard, such as acme-prod")
	c.Require("Props.Regions", len(p.Regions) > 0, "list the environment's regions with their signals")
	c.Require("Props.Overview", len(p.Overview) > 0, "list the signal IDs to show per region, such as monitoring.OverviewSignals")
	for i, r := range p.Regions {
		for _, want := range p.Overview {
			if !slices.ContainsFunc(r.Signals, func(s Signal) bool { return s.ID == want }) {
				c.Failf(fmt.Sprintf("Props.Regions[%d]", i), "%s has no signal %q to show", r.Region, want)
			}
		}
	}
	c.Done()
	rows := []*[]awscloudwatch.IWidget{}
	if len(p.HealthAlarms) > 0 {
		alarms := make([]interfacesawscloudwatch.IAlarmRef, len(p.HealthAlarms))
		for i, a := range p.HealthAlarms {
			alarms[i] = a
		}
		rows = append(rows, &[]awscloudwatch.IWidget{awscloudwatch.NewAlarmStatusWidget(&awscloudwatch.AlarmStatusWidgetProps{
			Title: jsii.String("Each region's health check through the edge"), Alarms: &alarms, Width: jsii.Number(24),
		})})
	}
	for _, r := range p.Regions {
		row := []awscloudwatch.IWidget{awscloudwatch.NewTextWidget(&awscloudwatch.TextWidgetProps{
			Markdown: jsii.String(fmt.Sprintf("## %s\nIts own dashboard has every signal and alarm of the region.", r.Region)), Width: jsii.Number(24), Height: jsii.Number(2),
		})}
		for _, want := range p.Overview {
			for _, s := range r.Signals {
				if s.ID == want {
					row = append(row, regionalWidget(s, r.Region))
				}
			}
		}
		rows = append(rows, &row)
	}
	return awscloudwatch.NewDashboard(scope, jsii.String(id), &awscloudwatch.DashboardProps{
		DashboardName: jsii.String(p.Name), Widgets: &rows,
	})
}

// regionalWidget is Widget(s) read in region, titled with it.
func regionalWidget(s Signal, region string) awscloudwatch.GraphWidget {
	return awscloudwatch.NewGraphWidget(&awscloudwatch.GraphWidgetProps{
		Title:           jsii.String(region + ": " + s.Title),
		Region:          jsii.String(region),
		Left:            &[]awscloudwatch.IMetric{s.Metric},
		LeftAnnotations: &[]*awscloudwatch.HorizontalAnnotation{{Value: jsii.Number(s.Threshold), Label: jsii.String("alarm")}},
		Width:           jsii.Number(8),
	})
}

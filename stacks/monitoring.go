package stacks

import (
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/jsii-runtime-go"

	"github.com/example/platform/lib/alerts"
	"github.com/example/platform/lib/config"
	"github.com/example/platform/lib/edge"
	"github.com/example/platform/lib/monitoring"
	"github.com/example/platform/lib/service"
)

// regionAlerts is the region's alert topic: every alarm of the region tells the platform's
// alert addresses through it.
func regionAlerts(stack awscdk.Stack, place placement) awssns.ITopic {
	p, env := place.platform, place.env
	// EventBridge for the backup job alerts (stacks/backup.go); AWS Budgets in the primary
	// region, whose stack holds the environment's budget (stacks/budget.go).
	publishers := []string{alerts.CloudWatch, alerts.EventBridge}
	if place.isPrimary() {
		publishers = append(publishers, alerts.Budgets)
	}
	return alerts.New(stack, "Alerts", alerts.Props{
		DisplayName: fmt.Sprintf("%s %s %s alarms", p.Name, env.Name, place.region.Region),
		Emails:      p.AlertEmails,
		Publishers:  publishers,
	}).Topic
}

// Thresholds are the environment's alarm thresholds in the units the signals use.
func Thresholds(env config.Environment) monitoring.Thresholds {
	t := env.Monitoring.Thresholds
	return monitoring.Thresholds{
		CPUPercent: float64(t.ServiceCPUPercent), MemoryPercent: float64(t.ServiceMemoryPercent),
		MinRunningTasks: float64(env.Sizing.MinCapacity),
		HTTP5xxPercent:  float64(t.HTTP5xxPercent), P99LatencySeconds: float64(t.P99LatencyMs) / 1000,
		DBCPUPercent: float64(t.DBCPUPercent), DBConnections: float64(t.DBConnections), DBFreeableMemoryMiB: float64(t.DBFreeableMemoryMiB),
		DBReplicationLagMs:        float64(t.DBReplicationLagMs),
		TableReplicationLatencyMs: float64(t.TableReplicationLatencyMs), TableThrottles: float64(t.TableThrottles),
		WorkQueueAgeSeconds: float64(t.WorkQueueAgeSeconds), StreamIteratorAgeSeconds: float64(t.StreamIteratorAgeSeconds),
		OutboxLagSeconds:      float64(t.OutboxLagSeconds),
		CanaryIntervalMinutes: float64(env.Monitoring.CanaryIntervalMinutes), CanaryFailedRuns: float64(t.CanaryFailedRuns),
	}
}

// regionSignals are everything watched in a region: its canary (newRegionProbe, named by
// CanaryName), the service and its load balancers, the region's database cluster and table
// replica, and its event tier. Replication is watched in every region, not
// only the configured secondaries: after a failover the old primary is the one that lags, and
// the writer's region reports no lag (no data, so no alarm).
func regionSignals(place placement, svc *service.Service, ev *EventsStack) []monitoring.Signal {
	p, env, region := place.platform, place.env, place.region.Region
	t := Thresholds(env)
	var others []string
	for _, r := range env.Regions {
		if r.Region != region {
			others = append(others, r.Region)
		}
	}
	signals := []monitoring.Signal{monitoring.CanarySignal(CanaryName(p.Name, env.Name, region), t)}
	signals = append(signals, monitoring.ServiceSignals(svc, t)...)
	signals = append(signals, monitoring.DatabaseSignals(ClusterIdentifier(p.Name, env.Name, region), env.HasGlobalDatabase(), t)...)
	signals = append(signals, monitoring.TableSignals(TableName(p.Name, env.Name), others, t)...)
	return append(signals, monitoring.EventSignals(ev.Events, t)...)
}

// newRegionMonitoring builds the region's alarms, dashboard and "region unhealthy" composite
// alarm; the service's rollback alarms count toward the region's health and tell the topic too.
func newRegionMonitoring(stack awscdk.Stack, place placement, topic awssns.ITopic, svc *service.Service, ev *EventsStack) *monitoring.Monitoring {
	p, env := place.platform, place.env
	return monitoring.New(stack, "Monitoring", monitoring.Props{
		Name:         MonitoringName(p.Name, env.Name, place.region.Region),
		Topic:        topic,
		Signals:      regionSignals(place, svc, ev),
		HealthAlarms: svc.RollbackAlarms,
		Runbook:      place.runbook,
	})
}

// newEnvironmentDashboard is the environment at a glance, in the edge stack, which already
// reads every region's load balancer: each region's health check through CloudFront (with its
// alarm), then a row per region of its overview signals, read in that region.
func newEnvironmentDashboard(stack awscdk.Stack, place placement, regions []*RegionStacks, e *edge.Edge) {
	p, env := place.platform, place.env
	var views []monitoring.RegionSignals
	var health []awscloudwatch.IAlarm
	for _, r := range regions {
		views = append(views, monitoring.RegionSignals{
			Region: r.Region.Region, Signals: regionSignals(place.at(r.Region.Region), r.App.Service, r.Events),
		})
		health = append(health, e.HealthAlarms[r.Region.Region])
	}
	monitoring.NewEnvironmentDashboard(stack, "Dashboard", monitoring.EnvironmentProps{
		Name:         EnvironmentDashboardName(p.Name, env.Name),
		Regions:      views,
		Overview:     overviewOf(views),
		HealthAlarms: health,
	})
}

// overviewOf is the overview signals every region has: an environment of one region has no
// replication to show.
func overviewOf(views []monitoring.RegionSignals) []string {
	var overview []string
	for _, id := range monitoring.OverviewSignals {
		everywhere := true
		for _, v := range views {
			everywhere = everywhere && slices.ContainsFunc(v.Signals, func(s monitoring.Signal) bool { return s.ID == id })
		}
		if everywhere {
			overview = append(overview, id)
		}
	}
	return overview
}

// newGrafana is the environment's Managed Grafana workspace, in the edge stack: one per
// environment, in us-east-1 (where Amazon Managed Grafana is offered, and where the stack that
// already reads every region's app stack deploys, last). Its role may query exactly the
// environment's Prometheus workspaces, by the ARNs those stacks output, and CloudWatch and
// X-Ray. The outputs are what the first login needs: the workspace's address and each region's
// Prometheus query URL for its data sources.
func newGrafana(stack awscdk.Stack, place placement, regions []*RegionStacks) *monitoring.Grafana {
	p, env := place.platform, place.env
	var workspaces []*string
	for _, r := range regions {
		if r.App.Prometheus != nil {
			workspaces = append(workspaces, r.App.Prometheus.Arn)
		}
	}
	grafana := monitoring.NewGrafana(stack, "Grafana", monitoring.GrafanaProps{
		Name:        GrafanaWorkspaceName(p.Name, env.Name),
		Description: fmt.Sprintf("%s %s: Prometheus in every region, CloudWatch, X-Ray", p.Name, env.Name),
		Prometheus:  workspaces,
	})
	awscdk.NewCfnOutput(stack, jsii.String("GrafanaUrl"), &awscdk.CfnOutputProps{
		Value: grafana.URL, Description: jsii.String("Sign in through IAM Identity Center (docs/operations.md: Monitoring and alarms)"),
	})
	for _, r := range regions {
		if r.App.Prometheus != nil {
			awscdk.NewCfnOutput(stack, jsii.String("PrometheusQueryUrl"+outputSuffix(r.Region.Region)), &awscdk.CfnOutputProps{
				Value:       r.App.Prometheus.Workspace.AttrPrometheusEndpoint(),
				Description: jsii.String("Grafana's Prometheus data source URL for " + r.Region.Region + " (SigV4, region " + r.Region.Region + ")"),
			})
		}
	}
	return grafana
}

// outputSuffix is a region as an output's logical ID takes it: eu-west-1 becomes EuWest1.
func outputSuffix(region string) string {
	var b strings.Builder
	for _, part := range strings.Split(region, "-") {
		if part != "" {
			b.WriteString(strings.ToUpper(part[:1]) + part[1:])
		}
	}
	return b.String()
}

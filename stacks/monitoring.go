package stacks

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"

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
	return alerts.New(stack, "Alerts", alerts.Props{
		DisplayName: fmt.Sprintf("%s %s %s alarms", p.Name, env.Name, place.region.Region),
		Emails:      p.AlertEmails,
		Publishers:  []string{alerts.CloudWatch},
	}).Topic
}

// thresholds are the environment's alarm thresholds in the units the signals use.
func thresholds(env config.Environment) monitoring.Thresholds {
	t := env.Monitoring.Thresholds
	return monitoring.Thresholds{
		CPUPercent: float64(t.ServiceCPUPercent), MemoryPercent: float64(t.ServiceMemoryPercent),
		MinRunningTasks: float64(env.Sizing.MinCapacity),
		HTTP5xxPercent:  float64(t.HTTP5xxPercent), P99LatencySeconds: float64(t.P99LatencyMs) / 1000,
		DBCPUPercent: float64(t.DBCPUPercent), DBConnections: float64(t.DBConnections), DBFreeableMemoryMiB: float64(t.DBFreeableMemoryMiB),
		DBReplicationLagMs:        float64(t.DBReplicationLagMs),
		TableReplicationLatencyMs: float64(t.TableReplicationLatencyMs), TableThrottles: float64(t.TableThrottles),
		WorkQueueAgeSeconds: float64(t.WorkQueueAgeSeconds), StreamIteratorAgeSeconds: float64(t.StreamIteratorAgeSeconds),
	}
}

// regionSignals are everything watched in a region: the service and its load balancers, the
// region's database cluster and table replica, and its event tier. Replication is watched in every region, not
// only the configured secondaries: after a failover the old primary is the one that lags, and
// the writer's region reports no lag (no data, so no alarm).
func regionSignals(place placement, svc *service.Service, ev *EventsStack) []monitoring.Signal {
	p, env, region := place.platform, place.env, place.region.Region
	t := thresholds(env)
	var others []string
	for _, r := range env.Regions {
		if r.Region != region {
			others = append(others, r.Region)
		}
	}
	signals := monitoring.ServiceSignals(svc, t)
	signals = append(signals, monitoring.DatabaseSignals(ClusterIdentifier(p.Name, env.Name, region), t)...)
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
		Overview:     monitoring.OverviewSignals,
		HealthAlarms: health,
	})
}

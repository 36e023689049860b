package config

import (
	"fmt"
	"regexp"
	"slices"
	"strings"

	"github.com/example/platform/lib/limits"
)

// Monitoring configures an environment's alarms, dashboards, logs and metric store. Every
// field has a default.
type Monitoring struct {
	// LogRetentionDays is how long every log group of the environment keeps its events: one of
	// CloudWatch Logs' retention periods (LogRetentionPeriods). Default: 90.
	LogRetentionDays int `json:"logRetentionDays,omitempty"`
	// Thresholds are when the alarms fire.
	Thresholds Thresholds `json:"thresholds,omitempty"`
	// Prometheus gives each region an Amazon Managed Service for Prometheus workspace that the
	// service's OpenTelemetry collector writes its metrics to. Default: true.
	Prometheus *bool `json:"prometheus,omitempty"`
	// CanaryIntervalMinutes is how often each canary runs, 1 to 60: with
	// thresholds.canaryFailedRuns it sets how fast a canary's alarm fires, and what the canaries
	// cost (a run is billed). Default: 5.
	CanaryIntervalMinutes int `json:"canaryIntervalMinutes,omitempty"`
	// CanaryRetentionDays is how long Synthetics keeps each canary's runs and their artifacts
	// bucket keeps the files (logs, reports), 1 to 455 (Synthetics' range). Default: 30.
	CanaryRetentionDays int `json:"canaryRetentionDays,omitempty"`
	// Grafana gives the environment an Amazon Managed Grafana workspace (in the edge stack,
	// us-east-1) whose role reads the environment's Prometheus workspaces in every region,
	// CloudWatch and X-Ray. Users sign in through IAM Identity Center, which must be enabled
	// first. Default: false (cost, and the Identity Center prerequisite).
	Grafana *bool `json:"grafana,omitempty"`
	// OpenSearch gives each region an OpenSearch Serverless collection that the service's logs
	// are delivered to, for search; LogReaders may read it. Default: false (its floor is two
	// OpenSearch Compute Units per region, billed by the hour).
	OpenSearch *bool `json:"openSearch,omitempty"`
	// LogReaders are the IAM roles of the environment's account that may search the logs in
	// OpenSearch (its data access policy names them). Required when OpenSearch is on.
	LogReaders []string `json:"logReaders,omitempty"`
}

// Thresholds are when each alarm fires (docs/operations.md, "Alarms"). Every field has a default.
type Thresholds struct {
	// ServiceCPUPercent and ServiceMemoryPercent of the tasks, on average. Default: 85 and 85.
	ServiceCPUPercent    int `json:"serviceCpuPercent,omitempty"`
	ServiceMemoryPercent int `json:"serviceMemoryPercent,omitempty"`
	// HTTP5xxPercent of the requests either load balancer answers with a task's 5xx.
	// Default: 5.
	HTTP5xxPercent int `json:"http5xxPercent,omitempty"`
	// P99LatencyMs of the tasks' answers. Default: 2000.
	P99LatencyMs int `json:"p99LatencyMs,omitempty"`
	// DBCPUPercent of the busiest Aurora instance. Default: 80.
	DBCPUPercent int `json:"dbCpuPercent,omitempty"`
	// DBConnections on the busiest instance; set it to about 80 % of max_connections of your
	// instance class. Default: 1000 (db.r7g.large allows about 1,700).
	DBConnections int `json:"dbConnections,omitempty"`
	// DBFreeableMemoryMiB below which an instance is short of memory. Default: 512.
	DBFreeableMemoryMiB int `json:"dbFreeableMemoryMiB,omitempty"`
	// DBReplicationLagMs of a secondary region's cluster behind the writer. Default: 1000.
	DBReplicationLagMs int `json:"dbReplicationLagMs,omitempty"`
	// TableReplicationLatencyMs from a region's table replica to another's. Default: 5000.
	TableReplicationLatencyMs int `json:"tableReplicationLatencyMs,omitempty"`
	// TableThrottles are throttled table requests per minute. Default: 10.
	TableThrottles int `json:"tableThrottles,omitempty"`
	// WorkQueueAgeSeconds of the oldest message in the work queue. Default: 300.
	WorkQueueAgeSeconds int `json:"workQueueAgeSeconds,omitempty"`
	// StreamIteratorAgeSeconds: how far the event stream's reader may fall behind. Default: 300.
	StreamIteratorAgeSeconds int `json:"streamIteratorAgeSeconds,omitempty"`
	// OutboxLagSeconds: the age of the oldest event the service has not yet published from its
	// outbox to the bus, as its tasks report it. Default: 300.
	OutboxLagSeconds int `json:"outboxLagSeconds,omitempty"`
	// CanaryFailedRuns is how many runs in a row a canary must fail before its alarm fires,
	// 1 to 10. Default: 2.
	CanaryFailedRuns int `json:"canaryFailedRuns,omitempty"`
}

// Monitoring defaults.
const (
	DefaultLogRetentionDays          = 90
	DefaultPrometheus                = true
	DefaultGrafana                   = false
	DefaultOpenSearch                = false
	DefaultServiceCPUPercent         = 85
	DefaultServiceMemoryPercent      = 85
	DefaultHTTP5xxPercent            = 5
	DefaultP99LatencyMs              = 2000
	DefaultDBCPUPercent              = 80
	DefaultDBConnections             = 1000
	DefaultDBFreeableMemoryMiB       = 512
	DefaultDBReplicationLagMs        = 1000
	DefaultTableReplicationLatencyMs = 5000
	DefaultTableThrottles            = 10
	DefaultWorkQueueAgeSeconds       = 300
	DefaultStreamIteratorAgeSeconds  = 300
	DefaultOutboxLagSeconds          = 300
	DefaultCanaryIntervalMinutes     = 5
	DefaultCanaryRetentionDays       = 30
	DefaultCanaryFailedRuns          = 2
)

// Bounds of the canary settings.
const (
	maxCanaryIntervalMinutes = 60
	maxCanaryRetentionDays   = limits.SyntheticsMaxRetentionDays
	maxCanaryFailedRuns      = 10
)

// LogRetentionPeriods are the retention periods, in days, that CloudWatch Logs accepts.
var LogRetentionPeriods = []int{1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653}

// PrometheusOn says whether the environment has a Prometheus workspace per region (Load sets
// Prometheus; unset is off, as Grafana and OpenSearch are).
func (m Monitoring) PrometheusOn() bool { return m.Prometheus != nil && *m.Prometheus }

// GrafanaOn says whether the environment has a Managed Grafana workspace.
func (m Monitoring) GrafanaOn() bool { return m.Grafana != nil && *m.Grafana }

// OpenSearchOn says whether each region's service logs go to an OpenSearch Serverless collection.
func (m Monitoring) OpenSearchOn() bool { return m.OpenSearch != nil && *m.OpenSearch }

// MaxLogSearchNameLength is the longest OpenSearch Serverless collection name CloudFormation
// accepts (AWS::OpenSearchServerless::Collection Name: 3-28 characters). The platform names an
// environment's collection <platform>-<env>, which the longest names config accepts (16 and
// 12) would take past it.
const MaxLogSearchNameLength = limits.OpenSearchServerlessNameLength

var logReaderPattern = regexp.MustCompile(`^arn:aws:iam::(\d{12}):role/[\w+=,.@/-]{1,512}$`)

func applyMonitoringDefaults(d defaulted, path string, m *Monitoring) {
	d.int(path+".logRetentionDays", &m.LogRetentionDays, DefaultLogRetentionDays)
	d.bool(path+".prometheus", &m.Prometheus, DefaultPrometheus)
	d.bool(path+".grafana", &m.Grafana, DefaultGrafana)
	d.bool(path+".openSearch", &m.OpenSearch, DefaultOpenSearch)
	t, thresholds := &m.Thresholds, path+".thresholds"
	d.int(thresholds+".serviceCpuPercent", &t.ServiceCPUPercent, DefaultServiceCPUPercent)
	d.int(thresholds+".serviceMemoryPercent", &t.ServiceMemoryPercent, DefaultServiceMemoryPercent)
	d.int(thresholds+".http5xxPercent", &t.HTTP5xxPercent, DefaultHTTP5xxPercent)
	d.int(thresholds+".p99LatencyMs", &t.P99LatencyMs, DefaultP99LatencyMs)
	d.int(thresholds+".dbCpuPercent", &t.DBCPUPercent, DefaultDBCPUPercent)
	d.int(thresholds+".dbConnections", &t.DBConnections, DefaultDBConnections)
	d.int(thresholds+".dbFreeableMemoryMiB", &t.DBFreeableMemoryMiB, DefaultDBFreeableMemoryMiB)
	d.int(thresholds+".dbReplicationLagMs", &t.DBReplicationLagMs, DefaultDBReplicationLagMs)
	d.int(thresholds+".tableReplicationLatencyMs", &t.TableReplicationLatencyMs, DefaultTableReplicationLatencyMs)
	d.int(thresholds+".tableThrottles", &t.TableThrottles, DefaultTableThrottles)
	d.int(thresholds+".workQueueAgeSeconds", &t.WorkQueueAgeSeconds, DefaultWorkQueueAgeSeconds)
	d.int(thresholds+".streamIteratorAgeSeconds", &t.StreamIteratorAgeSeconds, DefaultStreamIteratorAgeSeconds)
	d.int(thresholds+".outboxLagSeconds", &t.OutboxLagSeconds, DefaultOutboxLagSeconds)
	d.int(thresholds+".canaryFailedRuns", &t.CanaryFailedRuns, DefaultCanaryFailedRuns)
	d.int(path+".canaryIntervalMinutes", &m.CanaryIntervalMinutes, DefaultCanaryIntervalMinutes)
	d.int(path+".canaryRetentionDays", &m.CanaryRetentionDays, DefaultCanaryRetentionDays)
}

func validateMonitoring(path string, m Monitoring, found *problems) {
	if !slices.Contains(LogRetentionPeriods, m.LogRetentionDays) {
		periods := make([]string, len(LogRetentionPeriods))
		for i, p := range LogRetentionPeriods {
			periods[i] = fmt.Sprint(p)
		}
		found.addf(path+".logRetentionDays", "%s is not a retention period CloudWatch Logs accepts; use one of %s",
			found.value(path+".logRetentionDays", m.LogRetentionDays), strings.Join(periods, ", "))
	}
	t, thresholds := m.Thresholds, path+".thresholds"
	for _, percent := range []struct {
		field string
		value int
	}{
		{"serviceCpuPercent", t.ServiceCPUPercent}, {"serviceMemoryPercent", t.ServiceMemoryPercent},
		{"http5xxPercent", t.HTTP5xxPercent}, {"dbCpuPercent", t.DBCPUPercent},
	} {
		if percent.value < 1 || percent.value > 100 {
			found.addf(thresholds+"."+percent.field, "%s: give a percentage from 1 to 100", found.value(thresholds+"."+percent.field, percent.value))
		}
	}
	for _, positive := range []struct {
		field string
		value int
	}{
		{"p99LatencyMs", t.P99LatencyMs}, {"dbConnections", t.DBConnections}, {"dbFreeableMemoryMiB", t.DBFreeableMemoryMiB},
		{"dbReplicationLagMs", t.DBReplicationLagMs}, {"tableReplicationLatencyMs", t.TableReplicationLatencyMs}, {"tableThrottles", t.TableThrottles},
		{"workQueueAgeSeconds", t.WorkQueueAgeSeconds}, {"streamIteratorAgeSeconds", t.StreamIteratorAgeSeconds},
		{"outboxLagSeconds", t.OutboxLagSeconds},
	} {
		if positive.value < 1 {
			found.addf(thresholds+"."+positive.field, "%s: give a number above 0", found.value(thresholds+"."+positive.field, positive.value))
		}
	}
	for _, bounded := range []struct {
		field     string
		value, to int
		what      string
	}{
		{".canaryIntervalMinutes", m.CanaryIntervalMinutes, maxCanaryIntervalMinutes, "minutes between a canary's runs"},
		{".canaryRetentionDays", m.CanaryRetentionDays, maxCanaryRetentionDays, "days Synthetics keeps a canary's runs (its range)"},
		{".thresholds.canaryFailedRuns", t.CanaryFailedRuns, maxCanaryFailedRuns, "failed runs in a row before a canary's alarm fires"},
	} {
		if bounded.value < 1 || bounded.value > bounded.to {
			found.addf(path+bounded.field, "%s: give 1 to %d %s", found.value(path+bounded.field, bounded.value), bounded.to, bounded.what)
		}
	}
}

// validateLogSearch checks what the OpenSearch switch needs: someone to read the logs, in the
// environment's account, and a collection name OpenSearch Serverless accepts.
func validateLogSearch(path, platform string, env Environment, found *problems) {
	m := env.Monitoring
	for i, reader := range m.LogReaders {
		field := fmt.Sprintf("%s.logReaders[%d]", path, i)
		match := logReaderPattern.FindStringSubmatch(reader)
		switch {
		case match == nil:
			found.addf(field, "%q is not valid; want the ARN of an IAM role of the environment's account, such as arn:aws:iam::%s:role/OnCall", reader, env.Account)
		case match[1] != env.Account && accountPattern.MatchString(env.Account):
			found.addf(field, "%s is not in the environment's account %s: OpenSearch Serverless data access policies name principals of their own account only", reader, env.Account)
		}
	}
	if !m.OpenSearchOn() {
		return
	}
	if len(m.LogReaders) == 0 {
		found.addf(path+".logReaders", "required when openSearch is on: name the IAM roles of account %s that may search the logs, such as arn:aws:iam::%s:role/OnCall", env.Account, env.Account)
	}
	if name := platform + "-" + env.Name; len(name) > MaxLogSearchNameLength {
		found.addf(path+".openSearch", "the log search collection would be named %q (%d characters); OpenSearch Serverless takes at most %d: shorten the platform or environment name, or leave openSearch off",
			name, len(name), MaxLogSearchNameLength)
	}
}

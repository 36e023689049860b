package monitoring

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	elbv2 "github.com/aws/aws-cdk-go/awscdk/v2/awselasticloadbalancingv2"
	"github.com/aws/jsii-runtime-go"

	"github.com/example/platform/lib/events"
	"github.com/example/platform/lib/service"
)

// Thresholds are when each signal alarms. Every field is required: lib/config owns the defaults.
type Thresholds struct {
	// CPUPercent and MemoryPercent of the service's tasks, on average.
	CPUPercent, MemoryPercent float64
	// MinRunningTasks is the fewest tasks the service should run (autoscaling's minimum).
	MinRunningTasks float64
	// HTTP5xxPercent of the requests a load balancer answers.
	HTTP5xxPercent float64
	// P99LatencySeconds of the tasks' answers, through either load balancer.
	P99LatencySeconds float64
	// DBCPUPercent, DBConnections and DBFreeableMemoryMiB of the region's Aurora cluster.
	DBCPUPercent, DBConnections, DBFreeableMemoryMiB float64
	// DBReplicationLagMs of a secondary cluster behind the writer.
	DBReplicationLagMs float64
	// TableReplicationLatencyMs from this region's table replica to another region's.
	TableReplicationLatencyMs float64
	// TableThrottles are throttled reads and writes per minute.
	TableThrottles float64
	// WorkQueueAgeSeconds of the oldest message waiting in the work queue.
	WorkQueueAgeSeconds float64
	// StreamIteratorAgeSeconds: how far the stream's reader (the delivery to the lake) is behind.
	StreamIteratorAgeSeconds float64
	// OutboxLagSeconds: the oldest event the service's tasks have not yet published to the bus.
	OutboxLagSeconds float64
	// CanaryIntervalMinutes is how often the canaries run: their alarms read one run per period.
	CanaryIntervalMinutes float64
	// CanaryFailedRuns is how many runs in a row a canary fails before its alarm fires.
	CanaryFailedRuns float64
}

func metric(namespace, name, statistic string, dimensions map[string]*string) awscloudwatch.Metric {
	return awscloudwatch.NewMetric(&awscloudwatch.MetricProps{
		Namespace: jsii.String(namespace), MetricName: jsii.String(name), DimensionsMap: &dimensions,
		Statistic: jsii.String(statistic), Period: period(),
	})
}

// ServiceSignals watch the service's tasks and both of its load balancers.
func ServiceSignals(svc *service.Service, t Thresholds) []Signal {
	return measured(serviceSignals(t), serviceMetrics(svc))
}

// loadBalancers are the service's two ingresses, by the name their signals start with.
var loadBalancers = []string{"public", "internal"}

// serviceSignals are what ServiceSignals watch, without their metrics.
func serviceSignals(t Thresholds) []Signal {
	signals := []Signal{
		{ID: "service-cpu", Title: "Service CPU (%)", Threshold: t.CPUPercent, Above: true,
			Meaning: "The service's tasks use most of their CPU.",
			Action:  "Check that autoscaling is adding tasks (it tracks 70 %); if it is at maxCapacity, raise maxCapacity or taskCpu."},
		{ID: "service-memory", Title: "Service memory (%)", Threshold: t.MemoryPercent, Above: true,
			Meaning: "The service's tasks use most of their memory.",
			Action:  "Look for a leak in the newest release (roll back if it started with it); else raise taskMemoryMiB."},
		// Five minutes: ECS replacing a failed or retired task runs one short for a minute or two,
		// which is not the region failing.
		{ID: "running-tasks", Title: "Running tasks", RegionHealth: true, Threshold: t.MinRunningTasks, Periods: 5,
			Meaning: "The service runs fewer tasks than its minimum: tasks are failing to start or stay up.",
			Action:  "Read the service's events and the stopped tasks' reasons (ECS console, or aws ecs describe-services); roll back a release that causes it."},
		{ID: "outbox-lag", Title: "Service outbox: oldest unpublished event (s)", Above: true, Threshold: t.OutboxLagSeconds,
			Meaning: "Events the service committed with its writes wait in its outbox: the bus or stream refuses them, or no task publishes (the writer is unreachable).",
			Action:  "Read the service's logs for \"outbox:\" warnings (throttling, access denied, a read-only writer); nothing is lost, the events go out once the cause is fixed."},
	}
	for _, name := range loadBalancers {
		signals = append(signals,
			Signal{ID: name + "-5xx-rate", Title: fmt.Sprintf("%s load balancer: 5xx from tasks (%% of requests)", name), RegionHealth: true, Above: true,
				Threshold: t.HTTP5xxPercent,
				Meaning:   fmt.Sprintf("The tasks answer too many requests through the %s load balancer with server errors.", name),
				Action:    "Read the service's logs for the errors; if a release started them, roll it back; if the database is failing, see its alarms."},
			Signal{ID: name + "-p99-latency", Title: fmt.Sprintf("%s load balancer: p99 response time (s)", name), Above: true,
				Threshold: t.P99LatencySeconds,
				Meaning:   fmt.Sprintf("The slowest 1 %% of requests through the %s load balancer take too long.", name),
				Action:    "Check the database alarms and the service's CPU; writes from a secondary region cross to the writer's region and take longer."},
		)
	}
	return signals
}

// serviceMetrics are the metrics of serviceSignals, by signal ID.
func serviceMetrics(svc *service.Service) map[string]awscloudwatch.IMetric {
	minute := &awscloudwatch.MetricOptions{Period: period()}
	metrics := map[string]awscloudwatch.IMetric{
		"service-cpu":    svc.Service.MetricCpuUtilization(minute),
		"service-memory": svc.Service.MetricMemoryUtilization(minute),
		"running-tasks": metric("ECS/ContainerInsights", "RunningTaskCount", "Minimum", map[string]*string{
			"ClusterName": svc.Cluster.ClusterName(), "ServiceName": svc.Service.ServiceName(),
		}),
		"outbox-lag": svc.OutboxLag,
	}
	for i, ingress := range []service.Ingress{svc.Public, svc.Internal} {
		lb := ingress.LoadBalancer.Metrics()
		requests := lb.RequestCount(&awscloudwatch.MetricOptions{Period: period(), Statistic: jsii.String("Sum")})
		errors := lb.HttpCodeTarget(elbv2.HttpCodeTarget_TARGET_5XX_COUNT, &awscloudwatch.MetricOptions{Period: period(), Statistic: jsii.String("Sum")})
		metrics[loadBalancers[i]+"-5xx-rate"] = awscloudwatch.NewMathExpression(&awscloudwatch.MathExpressionProps{
			Expression:   jsii.String("IF(requests > 0, 100 * errors / requests, 0)"),
			UsingMetrics: &map[string]awscloudwatch.IMetric{"requests": requests, "errors": errors},
			Period:       period(), Label: jsii.String("5xx %"),
		})
		metrics[loadBalancers[i]+"-p99-latency"] = lb.TargetResponseTime(&awscloudwatch.MetricOptions{Period: period(), Statistic: jsii.String("p99")})
	}
	return metrics
}

// measured are signals with their metrics, by signal ID; a signal without one stays without
// (Props.check names it).
func measured(signals []Signal, metrics map[string]awscloudwatch.IMetric) []Signal {
	for i := range signals {
		signals[i].Metric = metrics[signals[i].ID]
	}
	return signals
}

// DatabaseSignals watch the region's Aurora cluster and, when it is a member of a global
// database (global), how far it lags behind the global writer (only a secondary cluster reports
// the lag). A regional cluster has no lag to watch: no alarm on it.
func DatabaseSignals(clusterIdentifier string, global bool, t Thresholds) []Signal {
	cluster := map[string]*string{"DBClusterIdentifier": jsii.String(clusterIdentifier)}
	signals := []Signal{
		{ID: "db-cpu", Title: "Database CPU (%)", Metric: metric("AWS/RDS", "CPUUtilization", "Maximum", cluster), Threshold: t.DBCPUPercent, Above: true,
			Meaning: "An instance of the region's Aurora cluster uses most of its CPU.",
			Action:  "Find the expensive queries (Performance Insights); add readers or a larger dbInstanceClass."},
		{ID: "db-connections", Title: "Database connections", Metric: metric("AWS/RDS", "DatabaseConnections", "Maximum", cluster), Threshold: t.DBConnections, Above: true,
			Meaning: "An instance holds too many connections: new ones will soon be refused.",
			Action:  "Check for a connection leak in the newest release and the number of tasks; each task keeps pools to the writer and the reader."},
		{ID: "db-freeable-memory", Title: "Database freeable memory (bytes)", Metric: metric("AWS/RDS", "FreeableMemory", "Minimum", cluster),
			Threshold: t.DBFreeableMemoryMiB * 1024 * 1024,
			Meaning:   "An instance is running out of memory.",
			Action:    "Look at connections and the largest queries; move to a larger dbInstanceClass."},
	}
	if !global {
		return signals
	}
	return append(signals, Signal{ID: "db-replication-lag", Title: "Aurora global replication lag (ms)", Above: true,
		Metric: metric("AWS/RDS", "AuroraGlobalDBReplicationLag", "Maximum", cluster), Threshold: t.DBReplicationLagMs,
		Meaning: "This region's copy of the database is behind the writer: a failover now would lose the writes of that lag.",
		Action:  "Check the writer's load and the network between the regions; do not fail over to this region until it catches up."})
}

// TableSignals watch the region's replica of the global table: how far behind it sends changes
// to each other region, and throttling.
func TableSignals(tableName string, otherRegions []string, t Thresholds) []Signal {
	table := map[string]*string{"TableName": jsii.String(tableName)}
	throttles := awscloudwatch.NewMathExpression(&awscloudwatch.MathExpressionProps{
		Expression: jsii.String("reads + writes"),
		UsingMetrics: &map[string]awscloudwatch.IMetric{
			"reads": metric("AWS/DynamoDB", "ReadThrottleEvents", "Sum", table), "writes": metric("AWS/DynamoDB", "WriteThrottleEvents", "Sum", table),
		},
		Period: period(), Label: jsii.String("throttled requests"),
	})
	signals := []Signal{{ID: "table-throttles", Title: "Table throttled requests", Metric: throttles, Threshold: t.TableThrottles, Above: true,
		Meaning: "Requests to the table are throttled (on-demand tables throttle when traffic doubles faster than they adapt, or on a hot key).",
		Action:  "Look for a hot partition key in the newest release's access pattern (CloudWatch Contributor Insights is on for the table)."}}
	if len(otherRegions) > 0 {
		latencies := map[string]awscloudwatch.IMetric{}
		for i, r := range otherRegions {
			latencies[fmt.Sprintf("to%d", i)] = metric("AWS/DynamoDB", "ReplicationLatency", "Maximum",
				map[string]*string{"TableName": jsii.String(tableName), "ReceivingRegion": jsii.String(r)})
		}
		signals = append(signals, Signal{ID: "table-replication-latency", Title: "Table replication latency (ms)", Above: true,
			Threshold: t.TableReplicationLatencyMs,
			Metric: awscloudwatch.NewMathExpression(&awscloudwatch.MathExpressionProps{
				Expression: jsii.String("MAX(METRICS())"), UsingMetrics: &latencies, Period: period(), Label: jsii.String("slowest replica"),
			}),
			Meaning: "Changes written in this region reach another region's replica late: a failover now would lose them.",
			Action:  "Check the table's throttling and the receiving region's health (AWS Health Dashboard)."})
	}
	return signals
}

// EventSignals watch the region's event tier: work waiting too long, dead letters, events the
// bus could not deliver, and the stream's reader falling behind.
func EventSignals(e *events.Events, t Thresholds) []Signal {
	maximum := func() *awscloudwatch.MetricOptions {
		return &awscloudwatch.MetricOptions{Period: period(), Statistic: jsii.String("Maximum")}
	}
	return measured(eventSignals(t), map[string]awscloudwatch.IMetric{
		"work-queue-age":      e.WorkQueue.MetricApproximateAgeOfOldestMessage(maximum()),
		"dead-letters":        e.DeadLetterQueue.MetricApproximateNumberOfMessagesVisible(maximum()),
		"undelivered-events":  e.Undelivered.MetricApproximateNumberOfMessagesVisible(maximum()),
		"stream-iterator-age": e.Stream.MetricGetRecordsIteratorAgeMilliseconds(maximum()),
	})
}

// eventSignals are what EventSignals watch, without their metrics.
func eventSignals(t Thresholds) []Signal {
	return []Signal{
		{ID: "work-queue-age", Title: "Work queue: oldest message (s)", Above: true, Threshold: t.WorkQueueAgeSeconds,
			Meaning: "Work waits in the queue longer than it should: the service is not consuming it, or fails on it and retries.",
			Action:  "Check the service's logs for the consumer's errors and its task count; a message that keeps failing moves to the dead-letter queue after maxReceiveCount receives."},
		{ID: "dead-letters", Title: "Dead-letter queue: messages", Above: true, Threshold: 1, Periods: 1,
			Meaning: "A work item failed maxReceiveCount times and waits in the dead-letter queue: it will not be done by itself.",
			Action:  "Read the message and the service's logs for why it failed; fix the cause, then redrive it (aws sqs start-message-move-task) or delete it."},
		{ID: "undelivered-events", Title: "Undelivered events: messages", Above: true, Threshold: 1, Periods: 1,
			Meaning: "EventBridge could not deliver events to the work queue or the stream (after its retries), or could not use the key.",
			Action:  "The messages' attributes say why (ERROR_CODE, RULE_ARN); fix the target or the key policy, then replay from the archive."},
		{ID: "stream-iterator-age", Title: "Event stream: reader behind (ms)", Above: true, Threshold: t.StreamIteratorAgeSeconds * 1000,
			Meaning: "The delivery to the lake reads the event stream late: records may expire from the stream before they reach the lake.",
			Action:  "Check the lake stack's delivery (Firehose) errors in its log group and the lake bucket's key; the stream keeps records streamRetentionHours."},
	}
}

// canarySuccess is a canary's SuccessPercent (CloudWatchSynthetics metrics: dimension
// CanaryName; 100 for a run that passed, 0 for one that failed), the Maximum of one interval:
// 100 when any attempt in it passed, whether Synthetics reports each automatic retry
// (lib/probes.MaxRetries) as a point of its own or only the last, so that a period breaches
// canaryPassed only when the run and every retry of it failed.
func canarySuccess(canaryName string, t Thresholds) awscloudwatch.IMetric {
	return awscloudwatch.NewMetric(&awscloudwatch.MetricProps{
		Namespace: jsii.String("CloudWatchSynthetics"), MetricName: jsii.String("SuccessPercent"),
		DimensionsMap: &map[string]*string{"CanaryName": jsii.String(canaryName)},
		Statistic:     jsii.String("Maximum"), Period: awscdk.Duration_Minutes(jsii.Number(t.CanaryIntervalMinutes)),
	})
}

// canaryPassed is the least SuccessPercent of a period in which the canary passed. A region that
// loses one zone of three (or the az-network drill) must stay OK while a failing region alarms:
// an attempt fails when its function runs in the lost zone's subnet (1/3), at worst also when it
// connects to the load balancer's node there (1 - (2/3)^2 = 5/9); with its two retries a run
// fails 3.7 % of the time, at worst 17 %, and the alarm (CanaryFailedRuns, 2, failed runs in a
// row) 0.14 % per pair of runs, at worst 2.9 % (31 % without retries); a failing region fails
// every attempt, so every period is 0 and the alarm fires after CanaryFailedRuns runs
// (TestRule_ACanaryAlarmRidesOutOneLostZone).
const canaryPassed = 100

// CanarySignal watches the canary that runs in the region (lib/probes): the service through the
// region's internal load balancer, called from inside the region's VPC, so that it sees the
// region alone (not the edge, the accelerator or another region). It counts toward the region's
// health. A canary that stops running (or the region's Synthetics or Lambda failing) leaves its
// alarm without data: INSUFFICIENT_DATA, which tells the topic but does not call the region
// unhealthy; a canary must not go blind quietly, nor page for its own silence.
func CanarySignal(canaryName string, t Thresholds) Signal {
	return Signal{ID: "canary", Title: "Canary: successful runs (%)", RegionHealth: true, SilenceNotifies: true,
		Metric: canarySuccess(canaryName, t), Threshold: canaryPassed, Periods: t.CanaryFailedRuns,
		Meaning: fmt.Sprintf("ALARM: the canary %s failed, with its retries: from inside the region, the service does not answer its health path through the region's internal load balancer. INSUFFICIENT_DATA: the canary has stopped running.", canaryName),
		Action: "Its last failed run names the URL and the answer (CloudWatch Synthetics console, or aws synthetics get-canary-runs --name " + canaryName + "); no recent run: start it (aws synthetics start-canary --name " + canaryName + ") and read why it stopped. " +
			"Compare with the region's observer-health alarm: both firing, the region is failing its users."}
}

// ObserverCanarySignal watches the canary of the observer region, which runs none of the
// environment's workload: the site, the API and every region's health route, called from
// outside; it fires when any of them, or the canary itself, fails (ObserverHealthSignal says
// which region), and so does a check whose address parameter is gone (the canary deploys after
// the stacks that write them). A region's composite alarm cannot hear it (composite alarms
// combine alarms of their own account and region), so it tells people through the observer's
// own topic. A canary that stops running leaves it without data: INSUFFICIENT_DATA, which tells
// the topic too.
func ObserverCanarySignal(canaryName string, t Thresholds) Signal {
	return Signal{ID: "observer-canary", Title: "Observer canary: successful runs (%)", SilenceNotifies: true,
		Metric: canarySuccess(canaryName, t), Threshold: canaryPassed, Periods: t.CanaryFailedRuns,
		Meaning: fmt.Sprintf("ALARM: the observer canary %s failed, with its retries: seen from a region that runs none of the environment's workload, the site, the API or a region's health route through the edge does not answer, or an address parameter is missing. INSUFFICIENT_DATA: the canary has stopped running.", canaryName),
		Action: "Its last failed run names the URL or the missing parameter (aws synthetics get-canary-runs --name " + canaryName + " in the observer region); no recent run: start it (aws synthetics start-canary). " +
			"A region's health route failing: that region's observer-health alarm fires too. The site or the API alone failing: the edge or the accelerator is."}
}

// ObserverHealthSignal watches, in the observer's canary, the step that calls region's health
// route through the edge (its step metric: SuccessPercent with dimensions CanaryName and
// StepName, which Synthetics publishes for each step a run executes). Its alarm, named for the
// region (alarmName), is the outside view of that region: it fires when the region fails its
// users as seen from a region that runs none of the workload, even when the region can no
// longer raise its own alarms. A step the canary does not run (its address parameter missing,
// or the canary stopped) publishes nothing, which does not fire it: ObserverCanarySignal does.
// Its action names runbook, the path of the platform's runbook.
func ObserverHealthSignal(canaryName, step, region, alarmName, runbook string, t Thresholds) Signal {
	return Signal{ID: "observer-health-" + region, AlarmName: alarmName,
		Title: fmt.Sprintf("Observer: %s's health route through the edge (%% successful)", region),
		Metric: awscloudwatch.NewMetric(&awscloudwatch.MetricProps{
			Namespace: jsii.String("CloudWatchSynthetics"), MetricName: jsii.String("SuccessPercent"),
			DimensionsMap: &map[string]*string{"CanaryName": jsii.String(canaryName), "StepName": jsii.String(step)},
			Statistic:     jsii.String("Maximum"), Period: awscdk.Duration_Minutes(jsii.Number(t.CanaryIntervalMinutes)),
		}),
		Threshold: canaryPassed, Periods: t.CanaryFailedRuns,
		Meaning: fmt.Sprintf("Seen from the observer region (canary %s), %s's health route through the edge does not answer: the region is failing its users.", canaryName, region),
		Action: fmt.Sprintf("Compare with %s's own region-unhealthy alarm: both firing, or this one alone while the region's alarms are silent (a lost region raises none), means the region is failing; "+
			"if it does not recover, move traffic away as %s says. Every region's observer-health firing at once: the edge is failing, not the regions.", region, runbook)}
}

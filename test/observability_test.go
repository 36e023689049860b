package test

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/example/platform/internal/assembly"
	"github.com/example/platform/lib/config"
	"github.com/example/platform/lib/monitoring"
	"github.com/example/platform/lib/probes"
	"github.com/example/platform/stacks"
	"github.com/example/platform/test/constructkit"
	"github.com/example/platform/test/testkit"
)

// Every alarm tells someone: an alarm without actions changes colour on a console nobody
// watches. Each alarm and composite alarm, in every stack, notifies an SNS topic of its own
// stack both when it fires and when it recovers.
func TestObservability_EveryAlarmTellsTheTopicWhenItFiresAndRecovers(t *testing.T) {
	eachAssembly(t, func(t *testing.T, a *deployed) {
		alarms := 0
		for _, s := range a.stacks {
			topics := resourcesOf(s, "AWS::SNS::Topic")
			for _, kind := range []string{"AWS::CloudWatch::Alarm", "AWS::CloudWatch::CompositeAlarm"} {
				for id, alarm := range resourcesOf(s, kind) {
					alarms++
					for _, actions := range []string{"AlarmActions", "OKActions"} {
						list := asList(propertiesOf(alarm)[actions])
						if len(list) == 0 {
							t.Errorf("%s/%s has no %s: nobody hears it", s.Name, id, actions)
						}
						for _, action := range list {
							if _, isTopic := topics[refTo(action)]; !isTopic {
								t.Errorf("%s/%s: %s goes to %s, not to an alert topic of the stack", s.Name, id, actions, jsonOf(action))
							}
						}
					}
				}
			}
		}
		constructkit.CheckedSomething(t, alarms, "alarms")
	})
}

// One topic construct: every topic is lib/alerts' (encrypted, TLS only), and no other Go file
// creates one.
func TestObservability_EveryTopicIsAnAlertTopic(t *testing.T) {
	eachAssembly(t, func(t *testing.T, a *deployed) {
		topics := 0
		for _, s := range a.stacks {
			for id, topic := range resourcesOf(s, "AWS::SNS::Topic") {
				topics++
				if propertiesOf(topic)["KmsMasterKeyId"] == nil {
					t.Errorf("%s/%s is not encrypted: make it with lib/alerts", s.Name, id)
				}
			}
		}
		constructkit.CheckedSomething(t, topics, "topics")
	})
	root := constructkit.RepoRoot(t)
	creates := regexp.MustCompile(`awssns\.New(Cfn)?Topic\(`)
	err := filepath.WalkDir(root, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() && (d.Name() == "node_modules" || d.Name() == "cdk.out" || strings.HasPrefix(d.Name(), ".")) {
			return filepath.SkipDir
		}
		if d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") {
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		if rel, _ := filepath.Rel(root, path); creates.Match(data) && filepath.Dir(rel) != filepath.Join("lib", "alerts") {
			t.Errorf("%s creates an SNS topic: use lib/alerts, the platform's one topic construct", rel)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
}

// Each region has one "region unhealthy" composite alarm, named for the runbook, that fires on
// any of the region's health alarms: its canary, tasks below their minimum, 5xx through either
// load balancer, and the deployment rollback alarms.
func TestObservability_EachRegionHasACompositeAlarmOverItsHealthAlarms(t *testing.T) {
	healthSignals := []string{"canary", "running-tasks", "public-5xx-rate", "internal-5xx-rate", "rollback-5xx", "rollback-unhealthy-tasks"}
	eachRegion(t, func(t *testing.T, p *testkit.Platform, env config.Environment, region config.Region) {
		name := stacks.MonitoringName(p.Config.Name, env.Name, region.Region)
		app := templateResources(t, p, stacks.StackName(p.Config.Name, env.Name, region.Region, stacks.TierApp))
		idOf := map[string]string{} // alarm name -> logical ID
		for id, alarm := range app.ofType("AWS::CloudWatch::Alarm") {
			if n, ok := alarm["AlarmName"].(string); ok {
				idOf[n] = id
			}
		}
		var composites []map[string]any
		for _, c := range app.ofType("AWS::CloudWatch::CompositeAlarm") {
			if c["AlarmName"] == monitoring.UnhealthyAlarmName(name) {
				composites = append(composites, c)
			}
		}
		if len(composites) != 1 {
			t.Fatalf("%d composite alarms named %s, want 1", len(composites), monitoring.UnhealthyAlarmName(name))
		}
		rule := jsonOf(composites[0]["AlarmRule"])
		for _, signal := range healthSignals {
			id, ok := idOf[name+"-"+signal]
			if !ok {
				t.Errorf("no alarm %s-%s", name, signal)
				continue
			}
			if !strings.Contains(rule, `"`+id+`"`) {
				t.Errorf("%s does not fire on %s-%s", monitoring.UnhealthyAlarmName(name), name, signal)
			}
		}
	})
}

// The alarms' thresholds are the config's: the three-region config sets them away from the
// defaults, so a threshold the stacks ignore shows here.
func TestObservability_AlarmThresholdsComeFromTheConfig(t *testing.T) {
	checked := 0
	eachRegion(t, func(t *testing.T, p *testkit.Platform, env config.Environment, region config.Region) {
		th := env.Monitoring.Thresholds
		want := map[string]float64{
			"service-cpu": float64(th.ServiceCPUPercent), "service-memory": float64(th.ServiceMemoryPercent),
			"running-tasks": float64(env.Sizing.MinCapacity), "public-5xx-rate": float64(th.HTTP5xxPercent),
			"internal-p99-latency": float64(th.P99LatencyMs) / 1000, "db-cpu": float64(th.DBCPUPercent),
			"db-connections": float64(th.DBConnections), "db-freeable-memory": float64(th.DBFreeableMemoryMiB) * 1024 * 1024,
			"db-replication-lag": float64(th.DBReplicationLagMs), "table-throttles": float64(th.TableThrottles),
			"table-replication-latency": float64(th.TableReplicationLatencyMs),
		}
		name := stacks.MonitoringName(p.Config.Name, env.Name, region.Region)
		app := templateResources(t, p, stacks.StackName(p.Config.Name, env.Name, region.Region, stacks.TierApp))
		for _, props := range app.ofType("AWS::CloudWatch::Alarm") {
			signal, _ := strings.CutPrefix(fmt.Sprint(props["AlarmName"]), name+"-")
			if threshold, ok := want[signal]; ok {
				checked++
				if props["Threshold"] != threshold {
					t.Errorf("%s-%s alarms at %v, want the config's %v", name, signal, props["Threshold"], threshold)
				}
			}
		}
	})
	constructkit.CheckedSomething(t, checked, "thresholds")
}

// Every log group of an environment keeps its events as long as the environment's
// monitoring.logRetentionDays says.
func TestObservability_LogGroupsKeepEventsForTheConfiguredRetention(t *testing.T) {
	eachAssembly(t, func(t *testing.T, a *deployed) {
		groups := 0
		for _, s := range a.stacks {
			if s.Stage == "" || s.Stage == config.ToolingName || s.Stage == config.BaselineName {
				continue // the pipeline's and the baseline's logs are not an environment's (baseline.retentionDays)
			}
			env := environmentOf(a.platform, s.Name)
			for id, group := range resourcesOf(s, "AWS::Logs::LogGroup") {
				groups++
				if got := propertiesOf(group)["RetentionInDays"]; got != float64(env.Monitoring.LogRetentionDays) {
					t.Errorf("%s/%s keeps events %v days, want monitoring.logRetentionDays (%d)", s.Name, id, got, env.Monitoring.LogRetentionDays)
				}
			}
		}
		constructkit.CheckedSomething(t, groups, "environment log groups")
	})
}

// dashboardWidget is one widget of a dashboard body, with the tokens the body joined in
// replaced by placeholders (see dashboardsOf).
type dashboardWidget struct {
	Properties struct {
		Title   string   `json:"title"`
		Region  string   `json:"region"`
		Metrics [][]any  `json:"metrics"`
		Alarms  []string `json:"alarms"`
	} `json:"properties"`
}

// dashboardsOf are the widgets of s's dashboards, and the tokens in them by placeholder.
func dashboardsOf(t *testing.T, s *assembly.Stack) ([]dashboardWidget, map[string]any) {
	t.Helper()
	var widgets []dashboardWidget
	tokens := map[string]any{}
	for id, dashboard := range resourcesOf(s, "AWS::CloudWatch::Dashboard") {
		var body strings.Builder
		switch b := propertiesOf(dashboard)["DashboardBody"].(type) {
		case string:
			body.WriteString(b)
		case map[string]any:
			parts := b["Fn::Join"].([]any)[1].([]any)
			for _, part := range parts {
				if text, ok := part.(string); ok {
					body.WriteString(text)
					continue
				}
				placeholder := fmt.Sprintf("TOKEN%d", len(tokens))
				tokens[placeholder] = part
				body.WriteString(placeholder)
			}
		}
		var parsed struct {
			Widgets []dashboardWidget `json:"widgets"`
		}
		if err := json.Unmarshal([]byte(body.String()), &parsed); err != nil {
			t.Fatalf("%s/%s: the dashboard body is not JSON: %v", s.Name, id, err)
		}
		widgets = append(widgets, parsed.Widgets...)
	}
	return widgets, tokens
}

// Every metric on a dashboard names something that exists: a resource of the stack, an output
// of the stack it reads, or by name the environment's clusters and table in the metric's
// region. A dashboard graphing a metric nothing emits looks healthy forever.
func TestObservability_EveryDashboardMetricNamesAResourceThatExists(t *testing.T) {
	eachAssembly(t, func(t *testing.T, a *deployed) {
		metrics := 0
		for _, s := range a.stacks {
			widgets, tokens := dashboardsOf(t, s)
			own := resources(s.Template.Resources)
			for _, w := range widgets {
				region := w.Properties.Region
				if _, isToken := tokens[region]; isToken || region == "" {
					region = s.Region // {"Ref": "AWS::Region"}: the stack's own
				}
				for _, line := range w.Properties.Metrics {
					if len(line) < 2 {
						continue
					}
					if _, isExpression := line[0].(map[string]any); isExpression {
						continue
					}
					metrics++
					for i := 2; i+1 < len(line); i += 2 {
						dimension, _ := line[i].(string)
						value, _ := line[i+1].(string)
						if token, ok := tokens[value]; ok {
							checkToken(t, a, s, own, w.Properties.Title, token)
							continue
						}
						checkNamedDimension(t, a, s, w.Properties.Title, region, dimension, value)
					}
				}
				for _, alarm := range w.Properties.Alarms {
					if token, ok := tokens[alarm]; ok {
						checkToken(t, a, s, own, w.Properties.Title, token)
					}
				}
			}
		}
		constructkit.CheckedSomething(t, metrics, "dashboard metrics")
	})
}

// checkToken: a reference in a dashboard is to a resource of the stack or an output of another.
func checkToken(t *testing.T, a *deployed, s *assembly.Stack, own resources, widget string, token any) {
	t.Helper()
	if id := refTo(token); id != "" {
		if _, ok := own[id]; !ok {
			t.Errorf("%s: widget %q refers to %s, which the stack does not have", s.Name, widget, id)
		}
		return
	}
	for _, ref := range weakReferences(token) {
		producer, output := fmt.Sprint(ref["StackName"]), fmt.Sprint(ref["OutputName"])
		stack, ok := a.byName[producer]
		if !ok {
			t.Errorf("%s: widget %q reads %s, which is no stack of the assembly", s.Name, widget, producer)
			continue
		}
		if _, ok := stack.Template.Outputs[output]; !ok {
			t.Errorf("%s: widget %q reads output %s of %s, which has no such output", s.Name, widget, output, producer)
		}
	}
}

// checkNamedDimension: a dimension given by name names one of the environment's resources in
// the metric's region.
func checkNamedDimension(t *testing.T, a *deployed, s *assembly.Stack, widget, region, dimension, value string) {
	t.Helper()
	if region == "" {
		region = s.Region
	}
	names := map[string]map[string]bool{} // dimension -> names that exist in region
	add := func(dimension, name string) {
		if names[dimension] == nil {
			names[dimension] = map[string]bool{}
		}
		names[dimension][name] = true
	}
	env := environmentOf(a.platform, s.Name)
	for _, other := range a.stacks {
		if other.Account == s.Account && other.Region == region {
			for _, canary := range resourcesOf(other, "AWS::Synthetics::Canary") {
				props := propertiesOf(canary)
				add("CanaryName", fmt.Sprint(props["Name"]))
				// A canary's steps are its checks (lib/probes: one step per check).
				run, _ := props["RunConfig"].(map[string]any)
				variables, _ := run["EnvironmentVariables"].(map[string]any)
				var checks []struct{ Name string }
				_ = json.Unmarshal([]byte(fmt.Sprint(variables[probes.ChecksVariable])), &checks)
				for _, c := range checks {
					add("StepName", c.Name)
				}
			}
		}
	}
	for _, r := range env.Regions {
		if r.Region == region {
			data := a.byName[stacks.StackName(a.platform.Config.Name, env.Name, region, stacks.TierData)]
			for _, cluster := range resourcesOf(data, "AWS::RDS::DBCluster") {
				add("DBClusterIdentifier", fmt.Sprint(propertiesOf(cluster)["DBClusterIdentifier"]))
			}
		}
		add("ReceivingRegion", r.Region)
	}
	primaryData := a.byName[stacks.StackName(a.platform.Config.Name, env.Name, env.Primary().Region, stacks.TierData)]
	for _, table := range resourcesOf(primaryData, "AWS::DynamoDB::GlobalTable") {
		if slices.ContainsFunc(asList(propertiesOf(table)["Replicas"]), func(r any) bool { return r.(map[string]any)["Region"] == region }) {
			add("TableName", fmt.Sprint(propertiesOf(table)["TableName"]))
		}
	}
	known, checked := names[dimension]
	if !checked {
		t.Errorf("%s: widget %q names %s %q: this test does not know what that dimension names; teach it", s.Name, widget, dimension, value)
		return
	}
	if !known[value] {
		t.Errorf("%s: widget %q graphs %s %q in %s, which does not exist there", s.Name, widget, dimension, value, region)
	}
}

// The dashboards are built from the alarms' own definitions: every metric an alarm watches is
// on a dashboard of its stack (each region's app stack, the observer's stack).
func TestObservability_EveryAlarmedMetricIsOnADashboard(t *testing.T) {
	eachAssembly(t, func(t *testing.T, a *deployed) {
		alarms := 0
		for _, s := range a.stacks {
			if tierOf(s.Name) != stacks.TierApp && tierOf(s.Name) != stacks.TierDR {
				continue
			}
			widgets, _ := dashboardsOf(t, s)
			graphed := map[string]bool{}
			for _, w := range widgets {
				for _, line := range w.Properties.Metrics {
					if len(line) > 1 {
						if name, ok := line[1].(string); ok {
							graphed[name] = true
						}
					}
				}
			}
			for id, alarm := range resourcesOf(s, "AWS::CloudWatch::Alarm") {
				if strings.Contains(fmt.Sprint(propertiesOf(alarm)["AlarmName"]), "-rollback-") {
					continue // the rollback alarms are on the dashboard as alarms (its status row)
				}
				alarms++
				for _, name := range alarmMetricNames(alarm) {
					if !graphed[name] {
						t.Errorf("%s/%s watches %s, which no dashboard of the stack graphs", s.Name, id, name)
					}
				}
			}
		}
		constructkit.CheckedSomething(t, alarms, "alarms")
	})
}

func alarmMetricNames(alarm map[string]any) []string {
	props := propertiesOf(alarm)
	if name, ok := props["MetricName"].(string); ok {
		return []string{name}
	}
	var names []string
	for _, m := range asList(props["Metrics"]) {
		if stat, ok := m.(map[string]any)["MetricStat"].(map[string]any); ok {
			names = append(names, fmt.Sprint(stat["Metric"].(map[string]any)["MetricName"]))
		}
	}
	return names
}

// docs/operations.md's alarm tables list every alarm the platform makes, by the part of its name after
// the region: what it means and what to do is what the person paged reads first.
func TestObservability_AlarmTablesListEveryAlarm(t *testing.T) {
	section := docSection(t, "docs/operations.md", "### Alarms")
	row := regexp.MustCompile("(?m)^\\| `([a-z0-9-]+)`")
	documented := map[string]bool{}
	for _, m := range row.FindAllStringSubmatch(section, -1) {
		documented[m[1]] = true
	}
	made := map[string]string{}
	for _, file := range configs {
		p := testkit.Synth(t, file)
		for _, env := range p.Config.Environments {
			// The regions' alarms are in their app stacks and the edge's; the observer region's
			// in its DR stack.
			// (whose alarms on each region's health route are named for that region).
			observer := stacks.StackName(p.Config.Name, env.Name, env.ObserverRegion, stacks.TierDR)
			stacksOf := map[string][]string{env.ObserverRegion: {observer}}
			for _, r := range env.Regions {
				stacksOf[r.Region] = []string{stacks.StackName(p.Config.Name, env.Name, r.Region, stacks.TierApp),
					stacks.StackName(p.Config.Name, env.Name, stacks.EdgeRegion, stacks.TierEdge), observer}
			}
			for region, names := range stacksOf {
				prefix := stacks.MonitoringName(p.Config.Name, env.Name, region) + "-"
				for _, stackName := range names {
					for id, alarm := range templateResources(t, p, stackName) {
						if alarm["Type"] != "AWS::CloudWatch::Alarm" && alarm["Type"] != "AWS::CloudWatch::CompositeAlarm" {
							continue
						}
						name, _ := propertiesOf(alarm)["AlarmName"].(string)
						if signal, ok := strings.CutPrefix(name, prefix); ok {
							made[signal] = id
						}
					}
				}
			}
		}
	}
	constructkit.CheckedSomething(t, len(made), "alarms")
	for signal, id := range made {
		if !documented[signal] {
			t.Errorf("alarm %s (…-%s) has no row in docs/operations.md's Alarms tables", id, signal)
		}
	}
	for signal := range documented {
		if _, ok := made[signal]; !ok {
			t.Errorf("docs/operations.md's Alarms tables list %s, which no stack makes", signal)
		}
	}
}

// An alarm reaches its topic only if the topic lets CloudWatch publish and its key lets
// CloudWatch use it: a topic policy replaces SNS's default one (which admitted the account's
// alarms), and an encrypted topic needs the publisher in the key policy. The same holds for an
// EventBridge rule whose target is a topic, and an AWS Budgets budget that notifies one. A
// missing grant fails silently at the first alarm.
func TestObservability_TopicsAdmitTheServicesThatPublishToThem(t *testing.T) {
	eachAssembly(t, func(t *testing.T, a *deployed) {
		checked := 0
		for _, s := range a.stacks {
			publishers := map[string]map[string]bool{} // topic -> services that publish to it
			add := func(topic any, service string) {
				if id := refTo(topic); id != "" {
					if publishers[id] == nil {
						publishers[id] = map[string]bool{}
					}
					publishers[id][service] = true
				}
			}
			for _, kind := range []string{"AWS::CloudWatch::Alarm", "AWS::CloudWatch::CompositeAlarm"} {
				for _, alarm := range resourcesOf(s, kind) {
					for _, actions := range []string{"AlarmActions", "OKActions"} {
						for _, action := range asList(propertiesOf(alarm)[actions]) {
							add(action, "cloudwatch.amazonaws.com")
						}
					}
				}
			}
			for _, rule := range resourcesOf(s, "AWS::Events::Rule") {
				for _, target := range asList(propertiesOf(rule)["Targets"]) {
					if topic := refTo(target.(map[string]any)["Arn"]); resources(s.Template.Resources)[topic]["Type"] == "AWS::SNS::Topic" {
						add(target.(map[string]any)["Arn"], "events.amazonaws.com")
					}
				}
			}
			for _, b := range resourcesOf(s, "AWS::Budgets::Budget") {
				for _, n := range asList(propertiesOf(b)["NotificationsWithSubscribers"]) {
					for _, sub := range asList(n.(map[string]any)["Subscribers"]) {
						if sub.(map[string]any)["SubscriptionType"] == "SNS" {
							add(sub.(map[string]any)["Address"], "budgets.amazonaws.com")
						}
					}
				}
			}
			for topic, services := range publishers {
				var topicPolicy []map[string]any
				for _, policy := range resourcesOf(s, "AWS::SNS::TopicPolicy") {
					if slices.ContainsFunc(asList(propertiesOf(policy)["Topics"]), func(t any) bool { return refTo(t) == topic }) {
						topicPolicy = append(topicPolicy, statementsOf(map[string]any{"PolicyDocument": propertiesOf(policy)["PolicyDocument"]})...)
					}
				}
				key := resources(s.Template.Resources)[refTo(propertiesOf(resources(s.Template.Resources)[topic])["KmsMasterKeyId"])]
				keyPolicy := statementsOf(map[string]any{"PolicyDocument": propertiesOf(key)["KeyPolicy"]})
				for service := range services {
					checked++
					if len(topicPolicy) > 0 && !allowsService(topicPolicy, service, "sns:Publish") {
						t.Errorf("%s/%s: %s publishes to it, but its topic policy (which replaces SNS's default) does not admit it", s.Name, topic, service)
					}
					if key != nil && !allowsService(keyPolicy, service, "kms:GenerateDataKey*") {
						t.Errorf("%s/%s: %s publishes to it, but the topic's key does not let it use the key (kms:GenerateDataKey*, kms:Decrypt)", s.Name, topic, service)
					}
				}
			}
		}
		constructkit.CheckedSomething(t, checked, "publishers of topics")
	})
}

// allowsService reports whether an Allow statement lets service do action, without a
// kms:ViaService condition (which a service principal's call through SNS is not documented to
// carry).
func allowsService(statements []map[string]any, service, action string) bool {
	for _, s := range statements {
		principal, _ := s["Principal"].(map[string]any)
		if s["Effect"] != "Allow" || !slices.Contains(stringsOf(principal["Service"]), service) || !slices.Contains(stringsOf(s["Action"]), action) {
			continue
		}
		if strings.Contains(jsonOf(s["Condition"]), "kms:ViaService") {
			continue
		}
		return true
	}
	return false
}

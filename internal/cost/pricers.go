package cost

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"
)

// charge is a quantity of a price table item a resource incurs a month.
type charge struct {
	Item     string
	Quantity float64
}

// resource is one resource of a template with what a pricer may look at.
type resource struct {
	ID    string
	Type  string
	Props map[string]any
	// Template holds the other resources of its stack (a service's task definition, its
	// scaling target).
	Template map[string]map[string]any
	Hours    float64
	Usage    *Usage
}

type pricer func(r resource) ([]charge, error)

// pricers give the fixed monthly charges of each priced type from its template properties.
var pricers = map[string]pricer{
	"AWS::EC2::NatGateway": hourly("nat-gateway-hour"),
	"AWS::EC2::EIP":        hourly("public-ipv4-hour"),
	"AWS::EC2::VPCEndpoint": func(r resource) ([]charge, error) {
		if str(r.Props["VpcEndpointType"]) != "Interface" {
			return nil, nil // gateway endpoints (S3, DynamoDB) have no charge
		}
		return []charge{{"interface-endpoint-az-hour", r.Hours * float64(listLen(r.Props["SubnetIds"], 1))}}, nil
	},
	"AWS::ElasticLoadBalancingV2::LoadBalancer": loadBalancer,
	"AWS::RDS::DBInstance":                      databaseInstance,
	"AWS::KMS::Key":                             monthly("kms-key-month"),
	"AWS::KMS::ReplicaKey":                      monthly("kms-key-month"),
	"AWS::GlobalAccelerator::Accelerator":       hourly("global-accelerator-hour"),
	"AWS::Route53::HealthCheck":                 healthCheck,
	"AWS::WAFv2::WebACL": func(r resource) ([]charge, error) {
		return []charge{{"waf-web-acl-month", 1}, {"waf-rule-month", float64(listLen(r.Props["Rules"], 0))}}, nil
	},
	"AWS::Synthetics::Canary": canary,
	"AWS::Config::ConfigRule": func(r resource) ([]charge, error) {
		return []charge{{"config-rule-evaluation", r.Usage.ConfigEvaluationsPerRule}}, nil
	},
	"AWS::Kinesis::Stream": func(r resource) ([]charge, error) {
		mode, _ := r.Props["StreamModeDetails"].(map[string]any)
		if mode == nil || str(mode["StreamMode"]) != "ON_DEMAND" {
			return []charge{{"kinesis-shard-hour", r.Hours * number(r.Props["ShardCount"], 1)}}, nil
		}
		return []charge{{"kinesis-on-demand-stream-hour", r.Hours}}, nil
	},
	"AWS::ECS::Service":               fargateService,
	"AWS::CloudWatch::Dashboard":      monthly("cloudwatch-dashboard-month"),
	"AWS::Logs::MetricFilter":         monthly("cloudwatch-custom-metric-month"),
	"AWS::CloudWatch::Alarm":          alarm,
	"AWS::CloudWatch::CompositeAlarm": monthly("cloudwatch-composite-alarm-month"),
	"AWS::SecretsManager::Secret": func(r resource) ([]charge, error) {
		return []charge{{"secret-month", float64(1 + listLen(r.Props["ReplicaRegions"], 0))}}, nil
	},
	"AWS::OpenSearchServerless::Collection": searchCollection,
	"AWS::ResilienceHub::App":               monthly("resilience-hub-app-month"),
	"AWS::ARCRegionSwitch::Plan":            monthly("arc-region-switch-plan-month"),
}

func hourly(item string) pricer {
	return func(r resource) ([]charge, error) { return []charge{{item, r.Hours}}, nil }
}

func monthly(item string) pricer {
	return func(resource) ([]charge, error) { return []charge{{item, 1}}, nil }
}

// loadBalancer is the balancer's hours and, when internet-facing, a public address per subnet.
func loadBalancer(r resource) ([]charge, error) {
	item := "alb-hour"
	if t := str(r.Props["Type"]); t == "network" {
		item = "nlb-hour"
	} else if t != "" && t != "application" {
		return nil, fmt.Errorf("load balancer type %q has no price; add it to internal/cost", t)
	}
	charges := []charge{{item, r.Hours}}
	if str(r.Props["Scheme"]) == "internet-facing" {
		charges = append(charges, charge{"public-ipv4-hour", r.Hours * float64(listLen(r.Props["Subnets"], 2))})
	}
	return charges, nil
}

func databaseInstance(r resource) ([]charge, error) {
	class, engine := str(r.Props["DBInstanceClass"]), str(r.Props["Engine"])
	if engine != "" && engine != "aurora-postgresql" {
		return nil, fmt.Errorf("engine %q has no price; add its instance prices to internal/cost/prices.json", engine)
	}
	if class == "db.serverless" {
		cluster := r.Template[refName(r.Props["DBClusterIdentifier"])]
		props, _ := cluster["Properties"].(map[string]any)
		scaling, _ := props["ServerlessV2ScalingConfiguration"].(map[string]any)
		return []charge{{"aurora-serverless-acu-hour", r.Hours * number(scaling["MinCapacity"], 0.5)}}, nil
	}
	if class == "" {
		return nil, fmt.Errorf("DBInstanceClass is not a literal; the estimate needs it")
	}
	return []charge{{"aurora-postgresql-" + class + "-hour", r.Hours}}, nil
}

// healthCheck is the check and each optional feature it uses (HTTPS, string matching, the fast
// interval, latency measurement).
func healthCheck(r resource) ([]charge, error) {
	config, _ := r.Props["HealthCheckConfig"].(map[string]any)
	kind := str(config["Type"])
	features := 0
	if strings.HasPrefix(kind, "HTTPS") {
		features++
	}
	if strings.HasSuffix(kind, "STR_MATCH") {
		features++
	}
	if number(config["RequestInterval"], 30) == 10 {
		features++
	}
	if b, _ := config["MeasureLatency"].(bool); b {
		features++
	}
	charges := []charge{{"route53-health-check-month", 1}}
	if features > 0 {
		charges = append(charges, charge{"route53-health-check-feature-month", float64(features)})
	}
	return charges, nil
}

var ratePattern = regexp.MustCompile(`^rate\((\d+) (minute|minutes|hour|hours|day|days)\)$`)

// canary is its runs a month from its schedule's rate (rate(0 minutes): once).
func canary(r resource) ([]charge, error) {
	schedule, _ := r.Props["Schedule"].(map[string]any)
	expr := str(schedule["Expression"])
	m := ratePattern.FindStringSubmatch(expr)
	if m == nil {
		return nil, fmt.Errorf("schedule %q: the estimate reads rate(N minutes|hours|days) only", expr)
	}
	n, _ := strconv.Atoi(m[1])
	if n == 0 {
		return []charge{{"synthetics-canary-run", 1}}, nil
	}
	minutes := map[string]float64{"minute": 1, "minutes": 1, "hour": 60, "hours": 60, "day": 1440, "days": 1440}[m[2]] * float64(n)
	return []charge{{"synthetics-canary-run", r.Hours * 60 / minutes}}, nil
}

// alarm is a metric per metric the alarm reads (math expressions are free), at its resolution.
func alarm(r resource) ([]charge, error) {
	item := "cloudwatch-alarm-metric-month"
	if number(r.Props["Period"], 60) < 60 {
		item = "cloudwatch-alarm-metric-high-res-month"
	}
	metrics, ok := r.Props["Metrics"].([]any)
	if !ok {
		return []charge{{item, 1}}, nil
	}
	n := 0
	for _, m := range metrics {
		if stat, _ := m.(map[string]any)["MetricStat"].(map[string]any); stat != nil {
			n++
			if number(stat["Period"], 60) < 60 {
				item = "cloudwatch-alarm-metric-high-res-month"
			}
		}
	}
	return []charge{{item, float64(n)}}, nil
}

// searchCollection is the minimum capacity a collection keeps: 2 OCUs (indexing and search,
// each with a standby), 1 without standby replicas. Collections of one account that share a
// key share these; the estimate counts each collection's.
func searchCollection(r resource) ([]charge, error) {
	ocus := 2.0
	if str(r.Props["StandbyReplicas"]) == "DISABLED" {
		ocus = 1
	}
	return []charge{{"opensearch-serverless-ocu-hour", r.Hours * ocus}}, nil
}

// IsPriced reports whether the estimate prices typ's fixed charges.
func IsPriced(typ string) bool {
	_, ok := pricers[typ]
	return ok
}

package stacks

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/jsii-runtime-go"

	"github.com/example/platform/lib/alerts"
	"github.com/example/platform/lib/config"
	"github.com/example/platform/lib/keys"
	"github.com/example/platform/lib/monitoring"
	"github.com/example/platform/lib/probes"
)

// The canaries (README: Canaries). Every region's app stack has one, and so does the observer
// stack (the DR tier in the observer region). They read where to call at run time, from the
// parameters the edge and the accelerator write: those stacks deploy after every region's app
// stack, and without a domain their names are generated. Reading at run time costs no pipeline
// action, where a stack per region after the edge would cost one per region (the seventh
// region of a gated, protected environment).

// siteAddress and apiAddress are where a canary finds the site and the API; with a domain the
// canary also knows them, for when SSM cannot be read.
func siteAddress(place placement) probes.Address {
	p, env := place.platform, place.env
	a := probes.Address{Parameter: SiteAddressParameter(p.Name, env.Name), Region: EdgeRegion}
	if env.DNS != nil {
		a.Known = "https://" + env.DNS.DomainName
	}
	return a
}

func apiAddress(place placement) probes.Address {
	p, env := place.platform, place.env
	a := probes.Address{Parameter: APIAddressParameter(p.Name, env.Name), Region: AcceleratorRegion}
	if env.DNS != nil {
		a.Known = "https://" + APIName(env.DNS.DomainName)
	}
	return a
}

// probeChecks are what a canary calls: the site's root through CloudFront, the API's health path
// through Global Accelerator, and the health route through the edge of each of regions.
func probeChecks(place placement, regions []string) []probes.Check {
	checks := []probes.Check{
		{Name: "site", Address: siteAddress(place), Path: "/"},
		{Name: "api", Address: apiAddress(place), Path: place.platform.Service.HealthCheckPath},
	}
	for _, region := range regions {
		checks = append(checks, probes.Check{Name: healthStep(region), Address: siteAddress(place), Path: config.HealthPathPrefix + region})
	}
	return checks
}

// healthStep names the check (the step of a run, and its metrics' StepName) that calls region's
// health route.
func healthStep(region string) string { return "health-" + region }

// newProbe is the canary of place's region, calling regions' health routes.
func newProbe(stack awscdk.Stack, place placement, key awskms.IKey, regions []string) *probes.Probe {
	p, env := place.platform, place.env
	return probes.New(stack, "Canary", probes.Props{
		Name:          CanaryName(p.Name, env.Name, place.region.Region),
		Checks:        probeChecks(place, regions),
		Key:           key,
		Every:         awscdk.Duration_Minutes(jsii.Number(float64(env.Monitoring.CanaryIntervalMinutes))),
		RetentionDays: float64(env.Monitoring.CanaryRetentionDays),
	})
}

// newRegionProbe is a region's canary, in its app stack: it calls the site, the API and its own
// region's health route, from inside the region, and its alarm counts toward the region's health
// (regionSignals). Its artifacts are encrypted with the region's key.
func newRegionProbe(stack awscdk.Stack, place placement, key awskms.IKey) *probes.Probe {
	return newProbe(stack, place, key, []string{place.region.Region})
}

// ObserverStack is the DR tier's stack in the environment's observer region: a canary calling
// the site, the API and every region's health route from a region that runs none of the
// workload, its alarms (one for the canary, one per region named for that region), the alert
// topic they tell (a composite alarm hears only alarms of its own account and region: "Creating
// a composite alarm", CloudWatch user guide), and a dashboard. Stateless.
type ObserverStack struct {
	awscdk.Stack
	Probe      *probes.Probe
	Monitoring *monitoring.Monitoring
}

// NewObserverStack builds the observer's stack. It depends on no other stack: its canary reads
// where to call at run time, and skips what does not exist yet.
func NewObserverStack(stage awscdk.Stage, place placement, regions []*RegionStacks) *ObserverStack {
	p, env, observer := place.platform, place.env, place.region.Region
	stack := newStack(stage, place, TierDR,
		fmt.Sprintf("%s %s disaster recovery, observer region %s: a canary watching every region from outside", p.Name, env.Name, observer), false)
	var names []string
	for _, r := range regions {
		names = append(names, r.Region.Region)
	}
	key := keys.NewStackKey(stack, "CanaryKey", fmt.Sprintf("Encrypts the artifacts of %s %s's observer canary", p.Name, env.Name))
	probe := newProbe(stack, place, key, names)
	topic := alerts.New(stack, "Alerts", alerts.Props{
		DisplayName: fmt.Sprintf("%s %s observer (%s) alarms", p.Name, env.Name, observer),
		Emails:      p.AlertEmails,
		Publishers:  []string{alerts.CloudWatch},
	}).Topic
	// One alarm for the canary (any check, or the canary itself, failing), and one per region on
	// the step that calls its health route: the outside view of each region, named for it.
	t := thresholds(env)
	signals := []monitoring.Signal{monitoring.ObserverCanarySignal(probe.Name, t)}
	for _, region := range names {
		signals = append(signals, monitoring.ObserverHealthSignal(probe.Name, healthStep(region), region,
			ObserverHealthAlarmName(p.Name, env.Name, region), t))
	}
	m := monitoring.New(stack, "Monitoring", monitoring.Props{
		Name:    MonitoringName(p.Name, env.Name, observer),
		Topic:   topic,
		Signals: signals,
	})
	return &ObserverStack{Stack: stack, Probe: probe, Monitoring: m}
}

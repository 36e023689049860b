package stacks

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/jsii-runtime-go"

	"github.com/example/platform/lib/alerts"
	"github.com/example/platform/lib/config"
	"github.com/example/platform/lib/keys"
	"github.com/example/platform/lib/monitoring"
	"github.com/example/platform/lib/probes"
	"github.com/example/platform/lib/service"
)

// The canaries (docs/operations.md, "Canaries"). Every region's app stack has one, and so does the observer
// stack (the DR tier in the observer region). A region's canary calls the region's own internal
// load balancer from inside its VPC, at an address of its own stack: its alarm feeds the region's
// health, which must not depend on the edge, the accelerator or another region. The observer's
// calls the site, the API and every region's health route the way users do, reading where from
// the parameters the edge and the accelerator write (without a domain their names are
// generated, in other regions); its stack deploys after theirs, so a parameter it cannot find is
// a failure.

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

// probeChecks are what the observer's canary calls: the site's root through CloudFront, the
// API's health path through Global Accelerator, and the health route through the edge of each
// of regions.
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

// RegionCanaryStep and RegionDependenciesStep name the checks of a region's canary (its steps,
// and the StepName of their metrics) through the region's internal load balancer: the service's
// health path, and, with service.regionCheckPath, the route that checks the region's own
// dependencies.
const (
	RegionCanaryStep       = "health"
	RegionDependenciesStep = "region-dependencies"
)

// healthStep names the check (the step of a run, and its metrics' StepName) that calls region's
// health route.
func healthStep(region string) string { return "health-" + region }

// newRegionProbe is a region's canary, in its app stack: from the region's private subnets it
// calls the service's health path on the region's internal load balancer (the public one
// answers only CloudFront's origin header), so its alarm, which counts toward the region's
// health (regionSignals), sees the region alone. It calls nothing else but the route that checks
// the region's own dependencies, when the config names one (service.regionCheckPath): the site's
// root, or a readiness route such as /ready, may reach the database writer, which lives in the
// primary region, and would make a secondary's health the primary's. With a domain the
// listener speaks HTTPS with a certificate for the API's name, which the canary presents. Its
// artifacts are encrypted with the region's key; it starts once the service is up.
func newRegionProbe(stack awscdk.Stack, place placement, key awskms.IKey, vpc awsec2.IVpc, svc *service.Service) *probes.Probe {
	p, env := place.platform, place.env
	lb := svc.Internal.LoadBalancer
	scheme, port, host := "http://", 80.0, ""
	if env.DNS != nil {
		scheme, port, host = "https://", 443, APIName(env.DNS.DomainName)
	}
	base := awscdk.Fn_Join(jsii.String(""), &[]*string{jsii.String(scheme), lb.LoadBalancerDnsName()})
	address := probes.Address{URL: base, HostName: host}
	checks := []probes.Check{{Name: RegionCanaryStep, Address: address, Path: p.Service.HealthCheckPath}}
	if p.Service.RegionCheckPath != "" {
		checks = append(checks, probes.Check{Name: RegionDependenciesStep, Address: address, Path: p.Service.RegionCheckPath})
	}
	probe := probes.New(stack, "Canary", probes.Props{
		Name:          CanaryName(p.Name, env.Name, place.region.Region),
		Checks:        checks,
		Key:           key,
		Every:         awscdk.Duration_Minutes(jsii.Number(float64(env.Monitoring.CanaryIntervalMinutes))),
		RetentionDays: float64(env.Monitoring.CanaryRetentionDays),
		Vpc:           vpc,
	})
	// The canary's group may reach the load balancer's production listener, and the load
	// balancer admits the canary's group there (not only through its any-address rule for the
	// accelerator's clients).
	probe.SecurityGroup.Connections().AllowTo(lb, awsec2.Port_Tcp(jsii.Number(port)), jsii.String("The region's canary calls its internal load balancer"))
	probe.Canary.Node().AddDependency(svc.Service)
	return probe
}

// newObserverProbe is the observer's canary, calling the site, the API and every region's
// health route from outside.
func newObserverProbe(stack awscdk.Stack, place placement, key awskms.IKey, regions []string) *probes.Probe {
	p, env := place.platform, place.env
	return probes.New(stack, "Canary", probes.Props{
		Name:          CanaryName(p.Name, env.Name, place.region.Region),
		Checks:        probeChecks(place, regions),
		Key:           key,
		Every:         awscdk.Duration_Minutes(jsii.Number(float64(env.Monitoring.CanaryIntervalMinutes))),
		RetentionDays: float64(env.Monitoring.CanaryRetentionDays),
	})
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

// NewObserverStack builds the observer's stack. It deploys after the edge and the accelerator (lib/plan),
// which write the parameters its canary reads (by name, at run time: they are in other
// regions), so that from its first run a parameter it cannot find fails the canary.
func NewObserverStack(stage awscdk.Stage, place placement, regions []*RegionStacks) *ObserverStack {
	p, env, observer := place.platform, place.env, place.region.Region
	stack := newStack(stage, place, TierDR,
		fmt.Sprintf("%s %s disaster recovery, observer region %s: a canary watching every region from outside", p.Name, env.Name, observer))
	var names []string
	for _, r := range regions {
		names = append(names, r.Region.Region)
	}
	key := keys.NewStackKey(stack, "CanaryKey", fmt.Sprintf("Encrypts the artifacts of %s %s's observer canary", p.Name, env.Name))
	probe := newObserverProbe(stack, place, key, names)
	topic := alerts.New(stack, "Alerts", alerts.Props{
		DisplayName: fmt.Sprintf("%s %s observer (%s) alarms", p.Name, env.Name, observer),
		Emails:      p.AlertEmails,
		Publishers:  []string{alerts.CloudWatch},
	}).Topic
	// One alarm for the canary (any check, or the canary itself, failing), and one per region on
	// the step that calls its health route: the outside view of each region, named for it.
	t := Thresholds(env)
	signals := []monitoring.Signal{monitoring.ObserverCanarySignal(probe.Name, t)}
	for _, region := range names {
		signals = append(signals, monitoring.ObserverHealthSignal(probe.Name, healthStep(region), region,
			ObserverHealthAlarmName(p.Name, env.Name, region), place.runbook, t))
	}
	m := monitoring.New(stack, "Monitoring", monitoring.Props{
		Name:    MonitoringName(p.Name, env.Name, observer),
		Topic:   topic,
		Signals: signals,
		Runbook: place.runbook,
	})
	return &ObserverStack{Stack: stack, Probe: probe, Monitoring: m}
}

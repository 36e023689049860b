// Package accelerator builds Global Accelerator in front of the regional load balancers: two
// static anycast IP addresses for the API, an endpoint group per region, client addresses
// preserved, and, with a domain, the API's name aliased to it. Global Accelerator's API is
// served only in us-west-2, so the construct must be in a stack there.
package accelerator

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	elbv2 "github.com/aws/aws-cdk-go/awscdk/v2/awselasticloadbalancingv2"
	ga "github.com/aws/aws-cdk-go/awscdk/v2/awsglobalaccelerator"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsglobalacceleratorendpoints"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsroute53"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsroute53targets"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// Region is one endpoint group.
type Region struct {
	Name string
	// LoadBalancer is the region's load balancer for accelerated traffic.
	LoadBalancer elbv2.IApplicationLoadBalancer
	// TrafficDialPercent is the share of the traffic Global Accelerator routes to this region
	// that it lets through (the rest goes to the next-nearest region), 0 to 100: 0 drains the
	// region. Required, so that a forgotten dial never drains one (lib/config defaults it to 100).
	TrafficDialPercent *float64
}

// Props configures an Accelerator. Every field is required except HTTPS, Zone and APIName. The
// platform's values come from lib/config, which owns their defaults (environments[].edge.accelerator).
type Props struct {
	// Name of the accelerator (at most 64 characters).
	Name    string
	Regions []Region
	// HTTPS says the load balancers listen on 443 with a certificate; else on 80.
	HTTPS bool
	// HealthCheckPath, HealthCheckInterval (10 or 30 s) and HealthCheckThreshold (1 to 10)
	// configure the endpoint groups' checks.
	HealthCheckPath      string
	HealthCheckInterval  awscdk.Duration
	HealthCheckThreshold float64
	// Zone and APIName, when set together, alias APIName to the accelerator.
	Zone    awsroute53.IHostedZone
	APIName string
}

// Accelerator is the accelerator and its address.
type Accelerator struct {
	constructs.Construct
	Accelerator ga.Accelerator
	// URL is how clients reach the API: https://<APIName>, or http://<accelerator DNS name>.
	URL *string
}

// New builds the accelerator.
func New(scope constructs.Construct, id string, props Props) *Accelerator {
	props.check(scope, id)
	c := constructs.NewConstruct(scope, jsii.String(id))
	accelerator := ga.NewAccelerator(c, jsii.String("Accelerator"), &ga.AcceleratorProps{
		AcceleratorName: jsii.String(props.Name),
	})
	port, protocol := 80.0, ga.HealthCheckProtocol_HTTP
	if props.HTTPS {
		port, protocol = 443, ga.HealthCheckProtocol_HTTPS
	}
	listener := accelerator.AddListener(jsii.String("Listener"), &ga.ListenerOptions{
		PortRanges: &[]*ga.PortRange{{FromPort: jsii.Number(port)}},
		Protocol:   ga.ConnectionProtocol_TCP,
		// Requests are independent; the service keeps no per-connection state.
		ClientAffinity: ga.ClientAffinity_NONE,
	})
	for _, r := range props.Regions {
		listener.AddEndpointGroup(jsii.String(r.Name), &ga.EndpointGroupOptions{
			Region: jsii.String(r.Name),
			Endpoints: &[]ga.IEndpoint{awsglobalacceleratorendpoints.NewApplicationLoadBalancerEndpoint(r.LoadBalancer,
				&awsglobalacceleratorendpoints.ApplicationLoadBalancerEndpointOptions{PreserveClientIp: jsii.Bool(true)})},
			TrafficDialPercentage: r.TrafficDialPercent,
			// For load balancer endpoints Global Accelerator judges health by the load
			// balancer's own target health checks and ignores these settings; they are set so
			// that the group checks the right path should it ever hold other endpoints.
			HealthCheckPath:      jsii.String(props.HealthCheckPath),
			HealthCheckPort:      jsii.Number(port),
			HealthCheckProtocol:  protocol,
			HealthCheckInterval:  props.HealthCheckInterval,
			HealthCheckThreshold: jsii.Number(props.HealthCheckThreshold),
		})
	}
	a := &Accelerator{Construct: c, Accelerator: accelerator, URL: jsii.String("http://" + *accelerator.DnsName())}
	if props.Zone != nil {
		awsroute53.NewARecord(c, jsii.String("ApiRecord"), &awsroute53.ARecordProps{
			Zone: props.Zone, RecordName: jsii.String(props.APIName),
			Target: awsroute53.RecordTarget_FromAlias(awsroute53targets.NewGlobalAcceleratorTarget(accelerator, nil)),
		})
		a.URL = jsii.String("https://" + props.APIName)
	}
	return a
}

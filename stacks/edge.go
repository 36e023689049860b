package stacks

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudfront"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/jsii-runtime-go"

	"github.com/example/platform/lib/accelerator"
	"github.com/example/platform/lib/alerts"
	"github.com/example/platform/lib/config"
	"github.com/example/platform/lib/edge"
	"github.com/example/platform/lib/monitoring"
	"github.com/example/platform/lib/probes"
)

// EdgeStack is an environment's CloudFront distribution, web ACL, health checks and DNS, in
// us-east-1. It is stateless apart from its log bucket (retained).
type EdgeStack struct {
	awscdk.Stack
	Edge *edge.Edge
	// URL is the output holding the site's address.
	URL awscdk.CfnOutput
	// Grafana is the environment's Managed Grafana workspace; nil unless monitoring.grafana.
	Grafana *monitoring.Grafana
}

// AcceleratorStack is an environment's Global Accelerator, in us-west-2.
type AcceleratorStack struct {
	awscdk.Stack
	Accelerator *accelerator.Accelerator
	// URL is the output holding the API's address through the accelerator.
	URL awscdk.CfnOutput
}

var priceClasses = map[string]awscloudfront.PriceClass{
	config.PriceClass100: awscloudfront.PriceClass_PRICE_CLASS_100,
	config.PriceClass200: awscloudfront.PriceClass_PRICE_CLASS_200,
	config.PriceClassAll: awscloudfront.PriceClass_PRICE_CLASS_ALL,
}

// NewEdgeStack builds the edge in front of every region's public load balancer. The load
// balancers' names reach it as weak references (Fn::GetStackOutput), and the origin secret by
// its name.
func NewEdgeStack(stage awscdk.Stage, place placement, regions []*RegionStacks) *EdgeStack {
	platform, env := place.platform, place.env
	stack := newStack(stage, place, TierEdge,
		fmt.Sprintf("%s %s edge: CloudFront with origin failover, WAF, health checks and DNS", platform.Name, env.Name))
	var origins []edge.Region
	for _, r := range regions {
		origin := edge.Region{Name: r.Region.Region, LoadBalancer: r.App.Service.Public.LoadBalancer}
		if env.DNS != nil {
			origin.OriginName = RegionalOriginName(env.DNS.DomainName, r.Region.Region)
		}
		origins = append(origins, origin)
	}
	props := edge.Props{
		Regions:           origins,
		OriginHeaderName:  OriginHeaderName,
		OriginHeaderValue: edge.OriginSecretValue(OriginSecretName(platform.Name, env.Name)),
		HealthCheckPath:   platform.Service.HealthCheckPath,
		HealthPathPrefix:  config.HealthPathPrefix,
		PriceClass:        priceClasses[env.Edge.PriceClass],
		RateLimit:         float64(env.Edge.RateLimit),
		StaticPaths:       env.Edge.StaticPaths,
		AlarmTopic:        alarmTopic(stack, platform),
		LogRetention:      logRetention(env),
		AlarmPrefix:       EnvironmentDashboardName(platform.Name, env.Name),
	}
	if env.DNS != nil {
		d := env.DNS.DomainName
		props.Domain = &edge.Domain{Name: d, Zone: hostedZone(stack, env.DNS), OriginName: OriginName(d), SecondaryOriginName: SecondaryOriginName(d)}
		if len(regions) > 1 {
			// The site's writes follow the database writer: while the primary's cluster is a
			// secondary (a Region switch plan moved the writer, or it rejoined after a
			// failover), origin.<domain> answers with the secondaries (see the primary app
			// stack's writer gate).
			primary := regions[0].Region.Region
			props.Domain.PrimaryGate = &edge.Gate{AlarmName: WriterGateAlarmName(platform.Name, env.Name, primary), AlarmRegion: primary}
		}
	}
	e := edge.New(stack, "Edge", props)
	newEnvironmentDashboard(stack, place, regions, e)
	var grafana *monitoring.Grafana
	if env.Monitoring.GrafanaOn() {
		grafana = newGrafana(stack, place, regions)
	}
	url := awscdk.NewCfnOutput(stack, jsii.String("SiteUrl"), &awscdk.CfnOutputProps{
		Value: e.URL, Description: jsii.String("The site and API through CloudFront"),
	})
	awscdk.NewCfnOutput(stack, jsii.String("DistributionDomainName"), &awscdk.CfnOutputProps{Value: e.Distribution.DistributionDomainName()})
	// Where the canaries call the site and every region's health route (stacks/probes.go).
	probes.PublishAddress(stack, "SiteAddress", SiteAddressParameter(platform.Name, env.Name), e.URL)
	return &EdgeStack{Stack: stack, Edge: e, URL: url, Grafana: grafana}
}

// alarmTopic sends the edge's alarms to the platform's alert addresses.
func alarmTopic(stack awscdk.Stack, platform *config.Platform) awssns.ITopic {
	return alerts.New(stack, "Alarms", alerts.Props{
		DisplayName: fmt.Sprintf("%s edge alarms", platform.Name),
		Emails:      platform.AlertEmails,
		Publishers:  []string{alerts.CloudWatch},
	}).Topic
}

// NewAcceleratorStack builds Global Accelerator in front of every region's internal load
// balancer.
func NewAcceleratorStack(stage awscdk.Stage, place placement, regions []*RegionStacks) *AcceleratorStack {
	platform, env := place.platform, place.env
	stack := newStack(stage, place, TierAccelerator,
		fmt.Sprintf("%s %s Global Accelerator: static addresses for the API in every region", platform.Name, env.Name))
	props := accelerator.Props{
		Name:                 AcceleratorName(platform.Name, env.Name),
		HTTPS:                env.DNS != nil,
		HealthCheckPath:      platform.Service.HealthCheckPath,
		HealthCheckInterval:  awscdk.Duration_Seconds(jsii.Number(float64(env.Edge.Accelerator.HealthCheckIntervalSeconds))),
		HealthCheckThreshold: float64(env.Edge.Accelerator.HealthCheckThreshold),
	}
	for _, r := range regions {
		props.Regions = append(props.Regions, accelerator.Region{
			Name: r.Region.Region, LoadBalancer: r.App.Service.Internal.LoadBalancer,
			TrafficDialPercent: jsii.Number(float64(*r.Region.TrafficDialPercent)),
		})
	}
	if env.DNS != nil {
		props.Zone, props.APIName = hostedZone(stack, env.DNS), APIName(env.DNS.DomainName)
	}
	a := accelerator.New(stack, "Accelerator", props)
	url := awscdk.NewCfnOutput(stack, jsii.String("ApiUrl"), &awscdk.CfnOutputProps{
		Value: a.URL, Description: jsii.String("The API through Global Accelerator (static addresses, all methods fail over)"),
	})
	awscdk.NewCfnOutput(stack, jsii.String("AcceleratorDnsName"), &awscdk.CfnOutputProps{Value: a.Accelerator.DnsName()})
	// Where the canaries call the API (stacks/probes.go).
	probes.PublishAddress(stack, "ApiAddress", APIAddressParameter(platform.Name, env.Name), a.URL)
	return &AcceleratorStack{Stack: stack, Accelerator: a, URL: url}
}

// Package edge builds an environment's global front door in us-east-1: a CloudFront
// distribution over the regional load balancers with origin failover, a WAF web ACL, standard
// logging, a health check per region through the distribution, and, with a domain, the
// certificate and the Route 53 records that let DNS move every request to a healthy region.
package edge

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudfront"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudfrontorigins"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	elbv2 "github.com/aws/aws-cdk-go/awscdk/v2/awselasticloadbalancingv2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsroute53"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/example/platform/lib/certificate"
	"github.com/example/platform/lib/compliance"
	"github.com/example/platform/lib/logbucket"
)

// Region is one region the distribution sends to.
type Region struct {
	// Name is the region code, e.g. eu-west-1.
	Name string
	// LoadBalancer is the region's internet-facing load balancer.
	LoadBalancer elbv2.ILoadBalancerV2
	// OriginName always answers with this region's load balancer (with a Domain; its
	// certificate must cover it).
	OriginName string
}

// Domain is where the distribution and its origins are named. Every name must be in Zone.
type Domain struct {
	// Name is the hosted zone's name; the distribution serves it.
	Name string
	Zone awsroute53.IHostedZone
	// OriginName is what CloudFront's primary origin connects to: Route 53 answers it with the
	// primary region while that is healthy, else with a healthy secondary (every load
	// balancer's certificate must cover it).
	OriginName string
	// SecondaryOriginName answers with the nearest healthy secondary region.
	SecondaryOriginName string
	// PrimaryGate, when set, is a CloudWatch alarm that takes the primary region out of
	// OriginName while it is in ALARM, however healthy the region is: the primary's failover
	// record answers only while both its health check and the alarm are fine. The platform's
	// gate fires while the primary region's database is not the writer (lib/recovery's
	// WriterGate), so the site's writes follow the writer. Default: none.
	PrimaryGate *Gate
}

// Gate is a CloudWatch alarm a Route 53 health check follows: healthy while the alarm is OK or
// has no data yet, unhealthy while it is in ALARM.
type Gate struct {
	AlarmName   string
	AlarmRegion string
}

// Props configures an Edge. Every field is required except Domain and StaticPaths. The
// platform's values come from lib/config, which owns their defaults (environments[].edge).
type Props struct {
	// Regions in order of preference: the first is the primary, the second the origin group's
	// failover.
	Regions []Region
	// Domain, when set, names the distribution and its origins, gives the load balancers'
	// names failover records, and makes CloudFront reach them over HTTPS. Without it CloudFront
	// reaches the load balancers by their own names over HTTP (they can have no certificate).
	Domain *Domain
	// OriginHeaderName and OriginHeaderValue are added to every request CloudFront sends to an
	// origin; the load balancers forward only requests that carry them.
	OriginHeaderName, OriginHeaderValue string
	// HealthCheckPath is the service's health path; each region's is reachable through the
	// distribution at HealthPathPrefix + region.
	HealthCheckPath  string
	HealthPathPrefix string
	// PriceClass of the distribution.
	PriceClass awscloudfront.PriceClass
	// RateLimit is how many requests one client IP may send in 5 minutes before WAF blocks it,
	// 10 to 2000000000.
	RateLimit float64
	// StaticPaths are path patterns served from cache. Empty: nothing is cached.
	StaticPaths []string
	// AlarmTopic receives the health checks' alarms.
	AlarmTopic awssns.ITopic
	// LogRetention of the web ACL's log group.
	LogRetention awslogs.RetentionDays
	// AlarmPrefix starts the health alarms' names (HealthAlarmName), such as acme-prod.
	AlarmPrefix string
}

// Edge is the distribution and what callers need of it.
type Edge struct {
	constructs.Construct
	Distribution awscloudfront.Distribution
	WebACLArn    *string
	// HealthChecks are keyed by region.
	HealthChecks map[string]awsroute53.HealthCheck
	// HealthAlarms fire, by region name, when the region fails its health check.
	HealthAlarms map[string]awscloudwatch.Alarm
	// URL is the address people and the smoke test use: https://<domain> or the
	// distribution's own name.
	URL *string
}

// New builds the edge.
func New(scope constructs.Construct, id string, props Props) *Edge {
	props.check(scope, id)
	c := constructs.NewConstruct(scope, jsii.String(id))
	e := &Edge{Construct: c, HealthChecks: map[string]awsroute53.HealthCheck{}, HealthAlarms: map[string]awscloudwatch.Alarm{}}
	e.WebACLArn = newWebACL(c, props.RateLimit, props.LogRetention)

	origins, application := newOrigins(props)
	behaviors := newBehaviors(c, props, origins, application)

	logs := logbucket.NewWithACLs(c, "Logs", 90)
	distribution := &awscloudfront.DistributionProps{
		Comment: jsii.String(fmt.Sprintf("%s: the service in %d regions", *awscdk.Stack_Of(c).StackName(), len(props.Regions))),
		DefaultBehavior: &awscloudfront.BehaviorOptions{
			Origin:               application,
			ViewerProtocolPolicy: awscloudfront.ViewerProtocolPolicy_REDIRECT_TO_HTTPS,
			AllowedMethods:       awscloudfront.AllowedMethods_ALLOW_ALL(),
			// An API: nothing cached, and everything the viewer sends forwarded except Host,
			// which must be the origin's name for its certificate.
			CachePolicy:           awscloudfront.CachePolicy_CACHING_DISABLED(),
			OriginRequestPolicy:   awscloudfront.OriginRequestPolicy_ALL_VIEWER_EXCEPT_HOST_HEADER(),
			ResponseHeadersPolicy: awscloudfront.ResponseHeadersPolicy_SECURITY_HEADERS(),
			Compress:              jsii.Bool(true),
		},
		AdditionalBehaviors: &behaviors,
		HttpVersion:         awscloudfront.HttpVersion_HTTP2_AND_3,
		PriceClass:          props.PriceClass,
		WebAclId:            e.WebACLArn,
		EnableIpv6:          jsii.Bool(true),
		EnableLogging:       jsii.Bool(true),
		LogBucket:           logs,
		LogFilePrefix:       jsii.String("cloudfront/"),
	}
	if props.Domain != nil {
		distribution.DomainNames = jsii.Strings(props.Domain.Name)
		distribution.MinimumProtocolVersion = awscloudfront.SecurityPolicyProtocol_TLS_V1_2_2021
		distribution.Certificate = certificate.New(c, "Certificate", certificate.Props{Names: []string{props.Domain.Name}, Zone: props.Domain.Zone})
	}
	e.Distribution = awscloudfront.NewDistribution(c, jsii.String("Distribution"), distribution)
	compliance.Accept(e.Distribution, compliance.Accepted{Rule: "AwsSolutions-CFR1",
		Reason: "The service is offered worldwide; a platform that must refuse countries adds a geo match rule to its web ACL."})
	if props.Domain == nil {
		compliance.Accept(e.Distribution, compliance.Accepted{Rule: "AwsSolutions-CFR4",
			Reason: "Without a domain the distribution serves CloudFront's default certificate, whose TLS policy CloudFront fixes; configure dns for TLS 1.2_2021."})
		compliance.Accept(e.Distribution, compliance.Accepted{Rule: "AwsSolutions-CFR5",
			Reason: "Without a domain the load balancers cannot hold a certificate for their names, so CloudFront reaches them over HTTP; configure dns for HTTPS to the origins."})
	}

	e.URL = jsii.String("https://" + *e.Distribution.DistributionDomainName())
	healthHost := e.Distribution.DistributionDomainName()
	if props.Domain != nil {
		e.URL = jsii.String("https://" + props.Domain.Name)
		healthHost = jsii.String(props.Domain.Name)
	}
	for _, r := range props.Regions {
		e.HealthChecks[r.Name], e.HealthAlarms[r.Name] = newHealthCheck(c, r.Name, healthHost, props.HealthPathPrefix+r.Name, props.AlarmTopic,
			HealthAlarmName(props.AlarmPrefix, r.Name))
	}
	if props.Domain != nil {
		newRecords(c, props, e)
	}
	return e
}

// newOrigins are each region's own origin, by region name, and the application's: the primary
// (the domain's origin name, where there is a domain) failing over to the first secondary.
func newOrigins(props Props) (map[string]awscloudfront.IOrigin, awscloudfront.IOrigin) {
	origins := map[string]awscloudfront.IOrigin{}
	for _, r := range props.Regions {
		origins[r.Name] = newOrigin(props, regionalDomainName(props, r))
	}
	primary, secondaries := props.Regions[0], props.Regions[1:]
	var failoverPrimary awscloudfront.IOrigin = origins[primary.Name]
	if props.Domain != nil {
		failoverPrimary = newOrigin(props, jsii.String(props.Domain.OriginName))
	}
	var application awscloudfront.IOrigin = failoverPrimary
	if len(secondaries) > 0 {
		application = awscloudfrontorigins.NewOriginGroup(&awscloudfrontorigins.OriginGroupProps{
			PrimaryOrigin:  failoverPrimary,
			FallbackOrigin: origins[secondaries[0].Name],
			// Connection failures and timeouts fail over too.
			FallbackStatusCodes: &[]*float64{jsii.Number(500), jsii.Number(502), jsii.Number(503), jsii.Number(504)},
		})
	}
	return origins, application
}

// newBehaviors are the static paths' cached behaviors and each region's uncached health path.
func newBehaviors(c constructs.Construct, props Props, origins map[string]awscloudfront.IOrigin, application awscloudfront.IOrigin) map[string]*awscloudfront.BehaviorOptions {
	behaviors := map[string]*awscloudfront.BehaviorOptions{}
	for _, path := range props.StaticPaths {
		behaviors[path] = &awscloudfront.BehaviorOptions{
			Origin:                application,
			ViewerProtocolPolicy:  awscloudfront.ViewerProtocolPolicy_REDIRECT_TO_HTTPS,
			AllowedMethods:        awscloudfront.AllowedMethods_ALLOW_GET_HEAD_OPTIONS(),
			CachePolicy:           awscloudfront.CachePolicy_CACHING_OPTIMIZED(),
			ResponseHeadersPolicy: awscloudfront.ResponseHeadersPolicy_SECURITY_HEADERS(),
			Compress:              jsii.Bool(true),
		}
	}
	rewrite := newHealthRewrite(c, props.HealthCheckPath)
	for _, r := range props.Regions {
		behaviors[props.HealthPathPrefix+r.Name] = &awscloudfront.BehaviorOptions{
			Origin:               origins[r.Name],
			ViewerProtocolPolicy: awscloudfront.ViewerProtocolPolicy_HTTPS_ONLY,
			AllowedMethods:       awscloudfront.AllowedMethods_ALLOW_GET_HEAD(),
			CachePolicy:          awscloudfront.CachePolicy_CACHING_DISABLED(),
			FunctionAssociations: &[]*awscloudfront.FunctionAssociation{{
				Function: rewrite, EventType: awscloudfront.FunctionEventType_VIEWER_REQUEST,
			}},
		}
	}
	return behaviors
}

// regionalDomainName is the name CloudFront connects to for region alone.
func regionalDomainName(props Props, r Region) *string {
	if props.Domain == nil {
		return r.LoadBalancer.LoadBalancerDnsName()
	}
	return jsii.String(r.OriginName)
}

func newOrigin(props Props, domainName *string) awscloudfront.IOrigin {
	options := &awscloudfrontorigins.HttpOriginProps{
		CustomHeaders: &map[string]*string{props.OriginHeaderName: jsii.String(props.OriginHeaderValue)},
		ReadTimeout:   awscdk.Duration_Seconds(jsii.Number(30)),
	}
	if props.Domain != nil {
		options.ProtocolPolicy = awscloudfront.OriginProtocolPolicy_HTTPS_ONLY
		options.OriginSslProtocols = &[]awscloudfront.OriginSslPolicy{awscloudfront.OriginSslPolicy_TLS_V1_2}
	} else {
		options.ProtocolPolicy = awscloudfront.OriginProtocolPolicy_HTTP_ONLY
	}
	return awscloudfrontorigins.NewHttpOrigin(domainName, options)
}

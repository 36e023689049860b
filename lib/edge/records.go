package edge

import (
	"github.com/aws/aws-cdk-go/awscdk/v2/awsroute53"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsroute53targets"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// newRecords names the distribution and the origins in the zone:
//
//   - <domain> (A and AAAA): the distribution.
//   - <region>.origin.<domain>: that region's load balancer, always.
//   - origin.<domain>: failover. PRIMARY is the primary region while its health check passes;
//     SECONDARY is secondary.origin.<domain>, a latency record per secondary region, each with
//     its own health check, so with three or more regions the nearest healthy one answers.
//
// CloudFront's primary origin is origin.<domain>, so every request, writes included, follows
// DNS to a healthy region within the health checks' and DNS's time.
func newRecords(scope constructs.Construct, props Props, e *Edge) {
	zone, domain := props.Domain.Zone, props.Domain.Name
	distribution := awsroute53.RecordTarget_FromAlias(awsroute53targets.NewCloudFrontTarget(e.Distribution))
	awsroute53.NewARecord(scope, jsii.String("SiteA"), &awsroute53.ARecordProps{Zone: zone, RecordName: jsii.String(domain), Target: distribution})
	awsroute53.NewAaaaRecord(scope, jsii.String("SiteAAAA"), &awsroute53.AaaaRecordProps{Zone: zone, RecordName: jsii.String(domain), Target: distribution})

	loadBalancer := func(r Region) awsroute53.RecordTarget {
		return awsroute53.RecordTarget_FromAlias(&healthAwareAlias{
			dnsName: r.LoadBalancer.LoadBalancerDnsName(), zoneID: r.LoadBalancer.LoadBalancerCanonicalHostedZoneId(),
		})
	}
	for _, r := range props.Regions {
		awsroute53.NewARecord(scope, jsii.String("Origin-"+r.Name), &awsroute53.ARecordProps{
			Zone: zone, RecordName: jsii.String(r.OriginName), Target: loadBalancer(r),
		})
	}

	primary, secondaries := props.Regions[0], props.Regions[1:]
	if len(secondaries) == 0 {
		awsroute53.NewARecord(scope, jsii.String("OriginPrimary"), &awsroute53.ARecordProps{
			Zone: zone, RecordName: jsii.String(props.Domain.OriginName), Target: loadBalancer(primary),
		})
		return
	}
	awsroute53.NewARecord(scope, jsii.String("OriginPrimary"), &awsroute53.ARecordProps{
		Zone: zone, RecordName: jsii.String(props.Domain.OriginName), Target: loadBalancer(primary),
		Failover: awsroute53.Failover_PRIMARY, SetIdentifier: jsii.String("primary-" + primary.Name),
		HealthCheck: primaryHealth(scope, props.Domain.PrimaryGate, e.HealthChecks[primary.Name]),
	})
	var latency []constructs.IDependable
	for _, r := range secondaries {
		latency = append(latency, awsroute53.NewARecord(scope, jsii.String("OriginSecondary-"+r.Name), &awsroute53.ARecordProps{
			Zone: zone, RecordName: jsii.String(props.Domain.SecondaryOriginName), Target: loadBalancer(r),
			Region: jsii.String(r.Name), SetIdentifier: jsii.String(r.Name),
			HealthCheck: e.HealthChecks[r.Name],
		}))
	}
	secondary := awsroute53.NewARecord(scope, jsii.String("OriginSecondary"), &awsroute53.ARecordProps{
		Zone: zone, RecordName: jsii.String(props.Domain.OriginName),
		Target: awsroute53.RecordTarget_FromAlias(&healthAwareAlias{
			dnsName: jsii.String(props.Domain.SecondaryOriginName), zoneID: zone.HostedZoneId(),
		}),
		Failover: awsroute53.Failover_SECONDARY, SetIdentifier: jsii.String("secondary"),
	})
	// Route 53 refuses an alias to a name in the same zone that has no records yet, and the
	// target is named by a string, which carries no dependency of its own.
	secondary.Node().AddDependency(latency...)
}

// healthAwareAlias is an alias target whose answer Route 53 withholds while the target is
// unhealthy: a load balancer with no healthy targets, or a record set whose members all fail
// their health checks. Failover records require it; CDK's own targets do not all offer it.
type healthAwareAlias struct {
	dnsName, zoneID *string
}

func (a *healthAwareAlias) Bind(awsroute53.IRecordSet, awsroute53.IHostedZone) *awsroute53.AliasRecordTargetConfig {
	return &awsroute53.AliasRecordTargetConfig{DnsName: a.dnsName, HostedZoneId: a.zoneID, EvaluateTargetHealth: jsii.Bool(true)}
}

// primaryHealth is what the primary's failover record answers on: the primary's health check,
// and with a gate, that check and the gate's alarm both healthy (a calculated health check).
// A calculated check counts its children on Route 53's data plane, as the endpoint check does.
func primaryHealth(scope constructs.Construct, gate *Gate, health awsroute53.IHealthCheck) awsroute53.IHealthCheck {
	if gate == nil {
		return health
	}
	alarm := awsroute53.NewHealthCheck(scope, jsii.String("PrimaryGate"), &awsroute53.HealthCheckProps{
		Type:            awsroute53.HealthCheckType_CLOUDWATCH_METRIC,
		AlarmIdentifier: &awsroute53.AlarmIdentifier{Name: jsii.String(gate.AlarmName), Region: jsii.String(gate.AlarmRegion)},
		// The alarm has no data until its metric reports, which is the writer's normal state.
		InsufficientDataHealthStatus: awsroute53.InsufficientDataHealthStatusEnum_HEALTHY,
	})
	return awsroute53.NewHealthCheck(scope, jsii.String("PrimaryAndGate"), &awsroute53.HealthCheckProps{
		Type:              awsroute53.HealthCheckType_CALCULATED,
		ChildHealthChecks: &[]awsroute53.IHealthCheck{health, alarm},
		HealthThreshold:   jsii.Number(2),
	})
}

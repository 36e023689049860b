package constructs_test

import (
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudfront"
	elbv2 "github.com/aws/aws-cdk-go/awscdk/v2/awselasticloadbalancingv2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsroute53"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/jsii-runtime-go"

	"github.com/example/platform/lib/edge"
	"github.com/example/platform/test/constructkit"
)

// edgeSynth builds an edge over regions in a bare us-east-1 stack, with example.com when withDomain.
func edgeSynth(t *testing.T, withDomain bool, regions ...string) assertions.Template {
	t.Helper()
	return synthGated(t, withDomain, nil, regions...)
}

// synthGated is edgeSynth with gate as the domain's PrimaryGate.
func synthGated(t *testing.T, withDomain bool, gate *edge.Gate, regions ...string) assertions.Template {
	t.Helper()
	stack := constructkit.Stack(t, "us-east-1")
	props := edge.Props{
		OriginHeaderName: "X-Origin-Verify", OriginHeaderValue: "{{resolve:secretsmanager:acme/prod/origin-verify:SecretString:::}}",
		HealthCheckPath: "/health", HealthPathPrefix: "/.platform/health/",
		RateLimit: 750, StaticPaths: []string{"/static/*"}, PriceClass: awscloudfront.PriceClass_PRICE_CLASS_100,
		AlarmTopic: awssns.NewTopic(stack, jsii.String("Alarms"), nil), LogRetention: awslogs.RetentionDays_THREE_MONTHS, AlarmPrefix: "acme-prod",
	}
	for _, region := range regions {
		props.Regions = append(props.Regions, edge.Region{Name: region,
			LoadBalancer: elbv2.ApplicationLoadBalancer_FromApplicationLoadBalancerAttributes(stack, jsii.String("Alb-"+region), &elbv2.ApplicationLoadBalancerAttributes{
				LoadBalancerArn:                   jsii.String("arn:aws:elasticloadbalancing:" + region + ":111111111111:loadbalancer/app/api/1234567890abcdef"),
				SecurityGroupId:                   jsii.String("sg-12345678"),
				LoadBalancerDnsName:               jsii.String("api-123." + region + ".elb.amazonaws.com"),
				LoadBalancerCanonicalHostedZoneId: jsii.String("Z0ALB" + region),
			}),
			OriginName: region + ".origin.example.com",
		})
	}
	if withDomain {
		props.Domain = &edge.Domain{Name: "example.com", Zone: awsroute53.HostedZone_FromHostedZoneAttributes(stack, jsii.String("Zone"),
			&awsroute53.HostedZoneAttributes{HostedZoneId: jsii.String("Z0123456789EXAMPLE"), ZoneName: jsii.String("example.com")}),
			OriginName: "origin.example.com", SecondaryOriginName: "secondary.origin.example.com", PrimaryGate: gate}
	}
	edge.New(stack, "Edge", props)
	return constructkit.TemplateOf(t, stack)
}

func distributionConfig(pattern map[string]any) map[string]any {
	return map[string]any{"DistributionConfig": assertions.Match_ObjectLike(&pattern)}
}

func TestEdge_OriginGroupFailsOverFromThePrimaryToTheSecondaryRegion(t *testing.T) {
	template := edgeSynth(t, false, "us-east-1", "eu-west-1", "ap-southeast-2")
	constructkit.Assert(t, func() {
		template.HasResourceProperties(jsii.String("AWS::CloudFront::Distribution"), distributionConfig(map[string]any{
			"OriginGroups": map[string]any{"Quantity": 1, "Items": []any{assertions.Match_ObjectLike(&map[string]any{
				"FailoverCriteria": map[string]any{"StatusCodes": map[string]any{"Quantity": 4, "Items": []any{500, 502, 503, 504}}},
				"Members":          map[string]any{"Quantity": 2, "Items": assertions.Match_AnyValue()},
			})}},
			"DefaultCacheBehavior": assertions.Match_ObjectLike(&map[string]any{
				"TargetOriginId":       assertions.Match_StringLikeRegexp(jsii.String("OriginGroup")),
				"ViewerProtocolPolicy": "redirect-to-https",
				"AllowedMethods":       []any{"GET", "HEAD", "OPTIONS", "PUT", "PATCH", "POST", "DELETE"},
			}),
			"HttpVersion": "http2and3",
		}))
		// Without a domain CloudFront reaches each load balancer by its own name, over HTTP,
		// and adds the origin header to every request.
		for _, region := range []string{"us-east-1", "eu-west-1", "ap-southeast-2"} {
			template.HasResourceProperties(jsii.String("AWS::CloudFront::Distribution"), distributionConfig(map[string]any{
				"Origins": assertions.Match_ArrayWith(&[]any{assertions.Match_ObjectLike(&map[string]any{
					"DomainName":         "api-123." + region + ".elb.amazonaws.com",
					"CustomOriginConfig": assertions.Match_ObjectLike(&map[string]any{"OriginProtocolPolicy": "http-only"}),
					"OriginCustomHeaders": []any{map[string]any{
						"HeaderName": "X-Origin-Verify", "HeaderValue": "{{resolve:secretsmanager:acme/prod/origin-verify:SecretString:::}}",
					}},
				})}),
			}))
		}
	})
	group := originGroupMembers(t, template)
	if len(group) != 2 || group[0] != "api-123.us-east-1.elb.amazonaws.com" || group[1] != "api-123.eu-west-1.elb.amazonaws.com" {
		t.Errorf("origin group members = %v, want the primary (us-east-1) then the first secondary (eu-west-1)", group)
	}
}

// originGroupMembers are the domain names of the origin group's members, in order.
func originGroupMembers(t *testing.T, template assertions.Template) []string {
	t.Helper()
	var found *map[string]*map[string]any
	constructkit.Assert(t, func() { found = template.FindResources(jsii.String("AWS::CloudFront::Distribution"), nil) })
	for _, resource := range *found {
		config := (*resource)["Properties"].(map[string]any)["DistributionConfig"].(map[string]any)
		domains := map[string]string{}
		for _, o := range config["Origins"].([]any) {
			origin := o.(map[string]any)
			if name, ok := origin["DomainName"].(string); ok {
				domains[origin["Id"].(string)] = name
			}
		}
		var members []string
		groups := config["OriginGroups"].(map[string]any)["Items"].([]any)
		for _, m := range groups[0].(map[string]any)["Members"].(map[string]any)["Items"].([]any) {
			members = append(members, domains[m.(map[string]any)["OriginId"].(string)])
		}
		return members
	}
	t.Fatal("no distribution")
	return nil
}

// Static paths are cached and fail over like the rest; everything else is never cached.
func TestEdge_CachesOnlyTheStaticPaths(t *testing.T) {
	template := edgeSynth(t, false, "us-east-1", "eu-west-1")
	constructkit.Assert(t, func() {
		template.HasResourceProperties(jsii.String("AWS::CloudFront::Distribution"), distributionConfig(map[string]any{
			"CacheBehaviors": assertions.Match_ArrayWith(&[]any{assertions.Match_ObjectLike(&map[string]any{
				"PathPattern":    "/static/*",
				"TargetOriginId": assertions.Match_StringLikeRegexp(jsii.String("OriginGroup")),
				"CachePolicyId":  "658327ea-f89d-4fab-a63d-7e88639e58f6", // CachingOptimized
				"AllowedMethods": []any{"GET", "HEAD", "OPTIONS"},
			})}),
			"DefaultCacheBehavior": assertions.Match_ObjectLike(&map[string]any{
				"CachePolicyId":         "4135ea2d-6df8-44a3-9df3-4b5a84be39ad", // CachingDisabled
				"OriginRequestPolicyId": "b689b0a8-53d0-40ab-baf2-68738e2966ac", // AllViewerExceptHostHeader
			}),
		}))
	})
}

func TestEdge_WebACLIsCloudFrontScopedWithManagedRulesAndTheRateLimitAndLogs(t *testing.T) {
	template := edgeSynth(t, false, "us-east-1", "eu-west-1")
	managed := func(name string) any {
		return assertions.Match_ObjectLike(&map[string]any{"Statement": map[string]any{
			"ManagedRuleGroupStatement": map[string]any{"VendorName": "AWS", "Name": name},
		}})
	}
	constructkit.Assert(t, func() {
		template.HasResourceProperties(jsii.String("AWS::WAFv2::WebACL"), map[string]any{
			"Scope": "CLOUDFRONT", "DefaultAction": map[string]any{"Allow": map[string]any{}},
			"Rules": []any{
				managed("AWSManagedRulesAmazonIpReputationList"),
				assertions.Match_ObjectLike(&map[string]any{
					"Action":    map[string]any{"Block": map[string]any{}},
					"Statement": map[string]any{"RateBasedStatement": map[string]any{"Limit": 750, "AggregateKeyType": "IP", "EvaluationWindowSec": 300}},
				}),
				managed("AWSManagedRulesCommonRuleSet"), managed("AWSManagedRulesKnownBadInputsRuleSet"), managed("AWSManagedRulesSQLiRuleSet"),
			},
		})
		template.HasResourceProperties(jsii.String("AWS::CloudFront::Distribution"), distributionConfig(map[string]any{
			"WebACLId": map[string]any{"Fn::GetAtt": []any{assertions.Match_StringLikeRegexp(jsii.String("^EdgeWebAcl")), "Arn"}},
			"Logging":  assertions.Match_ObjectLike(&map[string]any{"Bucket": assertions.Match_AnyValue()}),
		}))
		template.HasResourceProperties(jsii.String("AWS::WAFv2::LoggingConfiguration"), map[string]any{
			"LogDestinationConfigs": []any{"arn:aws:logs:us-east-1:111111111111:log-group:aws-waf-logs-Test"},
		})
		// WAF needs the fixed name, so the group goes with the stack (a kept one would fail the
		// next create), encrypted with a key of its own.
		template.HasResource(jsii.String("AWS::Logs::LogGroup"), map[string]any{
			"Properties": map[string]any{
				"LogGroupName": "aws-waf-logs-Test", "RetentionInDays": 90,
				"KmsKeyId": map[string]any{"Fn::GetAtt": []any{assertions.Match_StringLikeRegexp(jsii.String("^EdgeWebAclLogsKey")), "Arn"}},
			},
			"DeletionPolicy": "Delete",
		})
		template.HasResourceProperties(jsii.String("AWS::WAFv2::LoggingConfiguration"), map[string]any{
			"RedactedFields": []any{map[string]any{"SingleHeader": map[string]any{"Name": "authorization"}}, map[string]any{"SingleHeader": map[string]any{"Name": "cookie"}}},
		})
		template.HasResourceProperties(jsii.String("AWS::S3::Bucket"), map[string]any{
			"OwnershipControls": map[string]any{"Rules": []any{map[string]any{"ObjectOwnership": "BucketOwnerPreferred"}}},
			"BucketEncryption":  assertions.Match_AnyValue(),
		})
	})
}

func TestEdge_ChecksEveryRegionThroughTheDistributionAndAlarms(t *testing.T) {
	template := edgeSynth(t, false, "us-east-1", "eu-west-1", "ap-southeast-2")
	constructkit.Assert(t, func() {
		template.ResourceCountIs(jsii.String("AWS::Route53::HealthCheck"), jsii.Number(3))
		template.ResourceCountIs(jsii.String("AWS::CloudWatch::Alarm"), jsii.Number(3))
		template.ResourceCountIs(jsii.String("AWS::Route53::RecordSet"), jsii.Number(0))
		for _, region := range []string{"us-east-1", "eu-west-1", "ap-southeast-2"} {
			template.HasResourceProperties(jsii.String("AWS::Route53::HealthCheck"), map[string]any{
				"HealthCheckConfig": assertions.Match_ObjectLike(&map[string]any{
					"Type": "HTTPS", "ResourcePath": "/.platform/health/" + region,
					"FullyQualifiedDomainName": map[string]any{"Fn::GetAtt": []any{assertions.Match_StringLikeRegexp(jsii.String("^EdgeDistribution")), "DomainName"}},
				}),
			})
			// The region's health route reaches that region alone, uncached.
			template.HasResourceProperties(jsii.String("AWS::CloudFront::Distribution"), distributionConfig(map[string]any{
				"CacheBehaviors": assertions.Match_ArrayWith(&[]any{assertions.Match_ObjectLike(&map[string]any{
					"PathPattern":          "/.platform/health/" + region,
					"TargetOriginId":       assertions.Match_StringLikeRegexp(jsii.String("Origin[0-9]")),
					"FunctionAssociations": assertions.Match_AnyValue(),
					"CachePolicyId":        "4135ea2d-6df8-44a3-9df3-4b5a84be39ad", // CachingDisabled
				})}),
			}))
		}
		// Each check's alarm tells the alert topic when it fails and when it recovers.
		// A check with no data yet (a first deployment) is not an outage: no page for it.
		template.ResourcePropertiesCountIs(jsii.String("AWS::CloudWatch::Alarm"), map[string]any{
			"Namespace": "AWS/Route53", "MetricName": "HealthCheckStatus", "TreatMissingData": "missing",
			"AlarmActions": []any{map[string]any{"Ref": assertions.Match_StringLikeRegexp(jsii.String("^Alarms"))}},
			"OKActions":    []any{map[string]any{"Ref": assertions.Match_StringLikeRegexp(jsii.String("^Alarms"))}},
		}, jsii.Number(3))
		template.HasResourceProperties(jsii.String("AWS::CloudFront::Function"), map[string]any{
			"FunctionCode": assertions.Match_StringLikeRegexp(jsii.String(`request.uri = "/health"`)),
		})
	})
}

func TestEdge_WithADomainServesItOverTLS12AndFailsOverOriginsByDNS(t *testing.T) {
	template := edgeSynth(t, true, "us-east-1", "eu-west-1", "ap-southeast-2")
	constructkit.Assert(t, func() {
		template.HasResourceProperties(jsii.String("AWS::CertificateManager::Certificate"), map[string]any{
			"DomainName": "example.com", "ValidationMethod": "DNS",
		})
		template.HasResourceProperties(jsii.String("AWS::CloudFront::Distribution"), distributionConfig(map[string]any{
			"Aliases":           []any{"example.com"},
			"ViewerCertificate": assertions.Match_ObjectLike(&map[string]any{"MinimumProtocolVersion": "TLSv1.2_2021"}),
		}))
		// Failover: the primary while its check passes, else the nearest healthy secondary.
		template.HasResourceProperties(jsii.String("AWS::Route53::RecordSet"), map[string]any{
			"Name": "origin.example.com.", "Failover": "PRIMARY", "HealthCheckId": assertions.Match_AnyValue(),
			"AliasTarget": map[string]any{"DNSName": "api-123.us-east-1.elb.amazonaws.com", "HostedZoneId": "Z0ALBus-east-1", "EvaluateTargetHealth": true},
		})
		// Route 53 refuses an alias to a same-zone name with no records yet: the SECONDARY
		// record waits for every latency record that creates secondary.origin.
		template.HasResource(jsii.String("AWS::Route53::RecordSet"), map[string]any{
			"Properties": map[string]any{
				"Name": "origin.example.com.", "Failover": "SECONDARY", "Type": "A", "SetIdentifier": "secondary",
				"HostedZoneId": "Z0123456789EXAMPLE",
				"AliasTarget":  map[string]any{"DNSName": "secondary.origin.example.com", "HostedZoneId": "Z0123456789EXAMPLE", "EvaluateTargetHealth": true},
			},
			"DependsOn": []any{ // sorted by CDK
				assertions.Match_StringLikeRegexp(jsii.String("^EdgeOriginSecondaryapsoutheast2")),
				assertions.Match_StringLikeRegexp(jsii.String("^EdgeOriginSecondaryeuwest1")),
			},
		})
		for _, region := range []string{"eu-west-1", "ap-southeast-2"} {
			template.HasResourceProperties(jsii.String("AWS::Route53::RecordSet"), map[string]any{
				"Name": "secondary.origin.example.com.", "Region": region, "HealthCheckId": assertions.Match_AnyValue(),
			})
		}
		for _, region := range []string{"us-east-1", "eu-west-1", "ap-southeast-2"} {
			template.HasResourceProperties(jsii.String("AWS::Route53::RecordSet"), map[string]any{"Name": region + ".origin.example.com."})
			template.HasResourceProperties(jsii.String("AWS::Route53::HealthCheck"), map[string]any{
				"HealthCheckConfig": assertions.Match_ObjectLike(&map[string]any{"FullyQualifiedDomainName": "example.com", "ResourcePath": "/.platform/health/" + region}),
			})
		}
		template.ResourcePropertiesCountIs(jsii.String("AWS::Route53::RecordSet"), map[string]any{"Name": "example.com."}, jsii.Number(2)) // A and AAAA
	})
	group := originGroupMembers(t, template)
	if len(group) != 2 || group[0] != "origin.example.com" || group[1] != "eu-west-1.origin.example.com" {
		t.Errorf("origin group members = %v, want the failover name, then the first secondary's own name", group)
	}
}

func TestEdge_OneRegionNeedsNoOriginGroupOrFailover(t *testing.T) {
	template := edgeSynth(t, true, "eu-west-1")
	constructkit.Assert(t, func() {
		template.HasResourceProperties(jsii.String("AWS::CloudFront::Distribution"), distributionConfig(map[string]any{
			"OriginGroups": assertions.Match_Absent(),
		}))
		template.ResourcePropertiesCountIs(jsii.String("AWS::Route53::RecordSet"), map[string]any{"Failover": assertions.Match_AnyValue()}, jsii.Number(0))
		template.HasResourceProperties(jsii.String("AWS::Route53::RecordSet"), map[string]any{"Name": "origin.example.com."})
	})
}

// With a gate, the primary answers origin.<domain> only while its health check passes and the
// gate's alarm is not in ALARM (a calculated check needing both); the secondaries answer as
// before.
func TestEdge_AGatedPrimaryAnswersOnlyWhileItsCheckAndTheGateAreHealthy(t *testing.T) {
	template := synthGated(t, true, &edge.Gate{AlarmName: "acme-prod-us-east-1-writer-elsewhere", AlarmRegion: "us-east-1"}, "us-east-1", "eu-west-1")
	constructkit.Assert(t, func() {
		template.HasResourceProperties(jsii.String("AWS::Route53::HealthCheck"), map[string]any{
			"HealthCheckConfig": map[string]any{
				"Type":                         "CLOUDWATCH_METRIC",
				"AlarmIdentifier":              map[string]any{"Name": "acme-prod-us-east-1-writer-elsewhere", "Region": "us-east-1"},
				"InsufficientDataHealthStatus": "Healthy",
			},
		})
		template.HasResourceProperties(jsii.String("AWS::Route53::HealthCheck"), map[string]any{
			"HealthCheckConfig": map[string]any{
				"Type": "CALCULATED", "HealthThreshold": 2,
				"ChildHealthChecks": []any{
					map[string]any{"Ref": assertions.Match_StringLikeRegexp(jsii.String("^EdgeHealthuseast1"))},
					map[string]any{"Ref": assertions.Match_StringLikeRegexp(jsii.String("^EdgePrimaryGate"))},
				},
			},
		})
		template.HasResourceProperties(jsii.String("AWS::Route53::RecordSet"), map[string]any{
			"Name": "origin.example.com.", "Failover": "PRIMARY",
			"HealthCheckId": map[string]any{"Ref": assertions.Match_StringLikeRegexp(jsii.String("^EdgePrimaryAndGate"))},
		})
		template.HasResourceProperties(jsii.String("AWS::Route53::RecordSet"), map[string]any{
			"Name": "secondary.origin.example.com.", "Region": "eu-west-1",
			"HealthCheckId": map[string]any{"Ref": assertions.Match_StringLikeRegexp(jsii.String("^EdgeHealtheuwest1"))},
		})
	})
	// Without a gate the primary's record follows its own health check alone.
	plain := edgeSynth(t, true, "us-east-1", "eu-west-1")
	constructkit.Assert(t, func() {
		plain.ResourcePropertiesCountIs(jsii.String("AWS::Route53::HealthCheck"), map[string]any{
			"HealthCheckConfig": assertions.Match_ObjectLike(&map[string]any{"Type": "CALCULATED"}),
		}, jsii.Number(0))
		plain.HasResourceProperties(jsii.String("AWS::Route53::RecordSet"), map[string]any{
			"Name": "origin.example.com.", "Failover": "PRIMARY",
			"HealthCheckId": map[string]any{"Ref": assertions.Match_StringLikeRegexp(jsii.String("^EdgeHealthuseast1"))},
		})
	})
}

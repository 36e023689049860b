package constructs_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscertificatemanager"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsecs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/jsii-runtime-go"

	"github.com/example/platform/lib/service"
	"github.com/example/platform/test/constructkit"
)

// serviceSynth builds the service in a bare stack; adjust edits the props first.
func serviceSynth(t *testing.T, adjust func(*service.Props)) assertions.Template {
	t.Helper()
	stack := constructkit.Stack(t, "eu-west-1")
	vpc := awsec2.NewVpc(stack, jsii.String("Vpc"), &awsec2.VpcProps{IpAddresses: awsec2.IpAddresses_Cidr(jsii.String("10.9.0.0/16"))})
	props := service.Props{
		Vpc: vpc, VpcCidr: "10.9.0.0/16", Name: "api",
		Image:         awsecs.ContainerImage_FromRegistry(jsii.String("public.ecr.aws/nginx/nginx:stable-alpine"), nil),
		Key:           awskms.NewKey(stack, jsii.String("Key"), nil),
		NamespaceName: "test.internal",
		MinCapacity:   3, MaxCapacity: 9,
		// Required (lib/config owns their defaults): the values the construct used to default to.
		ContainerPort: 80, HealthCheckPath: "/", CPU: 512, MemoryMiB: 1024,
		Deployment: service.Deployment{Strategy: service.BlueGreen, BakeTime: awscdk.Duration_Minutes(jsii.Number(10)),
			StepPercent: 10, StepTime: awscdk.Duration_Minutes(jsii.Number(5))},
		LogRetention: awslogs.RetentionDays_THREE_MONTHS, AlarmPrefix: "acme-prod-eu-west-1",
	}
	if adjust != nil {
		adjust(&props)
	}
	service.New(stack, "Service", props)
	return constructkit.TemplateOf(t, stack)
}

func TestService_DeploysBlueGreenWithAlternateTargetGroupRulesAndRole(t *testing.T) {
	template := serviceSynth(t, nil)
	role := map[string]any{"Fn::GetAtt": []any{assertions.Match_StringLikeRegexp(jsii.String("^ServiceLoadBalancerRole")), "Arn"}}
	ref := func(prefix string) map[string]any {
		return map[string]any{"Ref": assertions.Match_StringLikeRegexp(jsii.String("^" + prefix))}
	}
	constructkit.Assert(t, func() {
		// ECS moves both load balancers' production rules together, with one role; the test
		// rule is on the internal one, which the VPC can reach.
		template.HasResourceProperties(jsii.String("AWS::ECS::Service"), map[string]any{
			"DeploymentConfiguration": assertions.Match_ObjectLike(&map[string]any{
				"Strategy":          "BLUE_GREEN",
				"BakeTimeInMinutes": 10,
			}),
			"LoadBalancers": []any{
				assertions.Match_ObjectLike(&map[string]any{
					"ContainerName": "api", "ContainerPort": 80, "TargetGroupArn": ref("ServiceBlue"),
					"AdvancedConfiguration": map[string]any{
						"AlternateTargetGroupArn": ref("ServiceGreen"), "ProductionListenerRule": ref("ServiceProductionRule"), "RoleArn": role,
					},
				}),
				assertions.Match_ObjectLike(&map[string]any{
					"ContainerName": "api", "ContainerPort": 80, "TargetGroupArn": ref("ServiceAcceleratorBlue"),
					"AdvancedConfiguration": map[string]any{
						"AlternateTargetGroupArn": ref("ServiceAcceleratorGreen"), "ProductionListenerRule": ref("ServiceAcceleratorProductionRule"),
						"TestListenerRule": ref("ServiceTestRule"), "RoleArn": role,
					},
				}),
			},
		})
		template.ResourceCountIs(jsii.String("AWS::ElasticLoadBalancingV2::TargetGroup"), jsii.Number(4))
	})
}

// ECS rolls the first deployment back unless both groups of a load balancer are in its
// production or test rule; it moves traffic by changing the weights.
func TestService_EveryRuleForwardsToBlueAndGreenOfItsLoadBalancer(t *testing.T) {
	template := serviceSynth(t, nil)
	weighted := func(blue, green string) map[string]any {
		group := func(prefix string, weight int) any {
			return map[string]any{"TargetGroupArn": map[string]any{"Ref": assertions.Match_StringLikeRegexp(jsii.String("^" + prefix))}, "Weight": weight}
		}
		return map[string]any{"Actions": []any{assertions.Match_ObjectLike(&map[string]any{
			"Type": "forward", "ForwardConfig": assertions.Match_ObjectLike(&map[string]any{"TargetGroups": []any{group(blue, 100), group(green, 0)}}),
		})}}
	}
	constructkit.Assert(t, func() {
		template.ResourcePropertiesCountIs(jsii.String("AWS::ElasticLoadBalancingV2::ListenerRule"), weighted("ServiceBlue", "ServiceGreen"), jsii.Number(1))
		// The internal load balancer's production and test rules.
		template.ResourcePropertiesCountIs(jsii.String("AWS::ElasticLoadBalancingV2::ListenerRule"), weighted("ServiceAcceleratorBlue", "ServiceAcceleratorGreen"), jsii.Number(2))
	})
}

// Tasks call AWS APIs over HTTPS and the database on its port (opened by the caller with
// Connections), nothing else: no rule lets them send any protocol anywhere.
func TestService_TasksSendOnlyHTTPSAndWhatCallersAllow(t *testing.T) {
	template := serviceSynth(t, nil)
	constructkit.Assert(t, func() {
		template.HasResourceProperties(jsii.String("AWS::EC2::SecurityGroup"), map[string]any{
			"GroupDescription": assertions.Match_StringLikeRegexp(jsii.String("^Service tasks")),
			"SecurityGroupEgress": []any{map[string]any{
				"CidrIp": "0.0.0.0/0", "IpProtocol": "tcp", "FromPort": 443, "ToPort": 443, "Description": assertions.Match_AnyValue(),
			}},
		})
	})
}

func TestService_RollsBackOnAlarmsAndCircuitBreaker(t *testing.T) {
	template := serviceSynth(t, nil)
	constructkit.Assert(t, func() {
		template.HasResourceProperties(jsii.String("AWS::ECS::Service"), map[string]any{
			"DeploymentConfiguration": assertions.Match_ObjectLike(&map[string]any{
				"DeploymentCircuitBreaker": map[string]any{"Enable": true, "Rollback": true},
				"Alarms": map[string]any{
					"Enable": true, "Rollback": true,
					"AlarmNames": []any{
						map[string]any{"Ref": assertions.Match_StringLikeRegexp(jsii.String("^ServiceTarget5xxAlarm"))},
						map[string]any{"Ref": assertions.Match_StringLikeRegexp(jsii.String("^ServiceUnhealthyTargetsAlarm"))},
					},
				},
			}),
		})
		template.HasResourceProperties(jsii.String("AWS::CloudWatch::Alarm"), map[string]any{
			"Metrics": assertions.Match_ArrayWith(&[]any{
				assertions.Match_ObjectLike(&map[string]any{"Expression": `SUM(METRICS("errors"))`}),
				metricNamed("errors0", "HTTPCode_Target_5XX_Count"),
			}),
		})
		// Unhealthy tasks in either target group: the new version may be in either.
		template.HasResourceProperties(jsii.String("AWS::CloudWatch::Alarm"), map[string]any{
			"Metrics": assertions.Match_ArrayWith(&[]any{
				assertions.Match_ObjectLike(&map[string]any{"Expression": "MAX(METRICS())"}),
				metricNamed("blue0", "UnHealthyHostCount"), metricNamed("green0", "UnHealthyHostCount"),
			}),
		})
	})
}

func metricNamed(id, name string) any {
	return assertions.Match_ObjectLike(&map[string]any{
		"Id": id, "MetricStat": assertions.Match_ObjectLike(&map[string]any{"Metric": assertions.Match_ObjectLike(&map[string]any{"MetricName": name})}),
	})
}

func TestService_LinearAndCanaryShiftTrafficInSteps(t *testing.T) {
	for _, c := range []struct {
		strategy service.Strategy
		key      string
		config   map[string]any
	}{
		{service.Linear, "LinearConfiguration", map[string]any{"StepPercent": 20, "StepBakeTimeInMinutes": 3}},
		{service.Canary, "CanaryConfiguration", map[string]any{"CanaryPercent": 20, "CanaryBakeTimeInMinutes": 3}},
	} {
		t.Run(string(c.strategy), func(t *testing.T) {
			template := serviceSynth(t, func(p *service.Props) {
				p.Deployment.Strategy, p.Deployment.StepPercent, p.Deployment.StepTime = c.strategy, 20, awscdk.Duration_Minutes(jsii.Number(3))
			})
			constructkit.Assert(t, func() {
				template.HasResourceProperties(jsii.String("AWS::ECS::Service"), map[string]any{
					"DeploymentConfiguration": assertions.Match_ObjectLike(&map[string]any{"Strategy": string(c.strategy), c.key: c.config}),
				})
			})
		})
	}
}

func TestService_AutoscalingOwnsTheTaskCount(t *testing.T) {
	template := serviceSynth(t, nil)
	constructkit.Assert(t, func() {
		template.HasResourceProperties(jsii.String("AWS::ECS::Service"), map[string]any{"DesiredCount": assertions.Match_Absent()})
		template.HasResourceProperties(jsii.String("AWS::ApplicationAutoScaling::ScalableTarget"), map[string]any{
			"MinCapacity": 3, "MaxCapacity": 9,
		})
		for metric, target := range map[string]float64{"ECSServiceAverageCPUUtilization": 70, "ECSServiceAverageMemoryUtilization": 75} {
			template.HasResourceProperties(jsii.String("AWS::ApplicationAutoScaling::ScalingPolicy"), map[string]any{
				"TargetTrackingScalingPolicyConfiguration": assertions.Match_ObjectLike(&map[string]any{
					"PredefinedMetricSpecification": map[string]any{"PredefinedMetricType": metric},
					"TargetValue":                   target,
					"ScaleOutCooldown":              60,
					"ScaleInCooldown":               300,
				}),
			})
		}
	})
}

func TestService_WithoutCertificateServesHTTPWithTestPortFromVPCOnly(t *testing.T) {
	template := serviceSynth(t, nil)
	constructkit.Assert(t, func() {
		// Production on each load balancer, and the test listener on the internal one.
		template.ResourceCountIs(jsii.String("AWS::ElasticLoadBalancingV2::Listener"), jsii.Number(3))
		template.ResourcePropertiesCountIs(jsii.String("AWS::ElasticLoadBalancingV2::Listener"), map[string]any{"Port": 80, "Protocol": "HTTP"}, jsii.Number(2))
		template.HasResourceProperties(jsii.String("AWS::ElasticLoadBalancingV2::Listener"), map[string]any{"Port": 8080, "Protocol": "HTTP"})
		template.HasResourceProperties(jsii.String("AWS::EC2::SecurityGroup"), map[string]any{
			"GroupDescription": assertions.Match_StringLikeRegexp(jsii.String("^Internal load balancer")),
			"SecurityGroupIngress": []any{
				map[string]any{"CidrIp": "0.0.0.0/0", "FromPort": 80, "ToPort": 80, "IpProtocol": "tcp", "Description": "Production traffic"},
				map[string]any{"CidrIp": "10.9.0.0/16", "FromPort": 8080, "ToPort": 8080, "IpProtocol": "tcp", "Description": "Test traffic to the new version, from inside the VPC"},
			},
		})
		template.HasResourceProperties(jsii.String("AWS::ElasticLoadBalancingV2::Listener"), map[string]any{
			"Port": 8080, "LoadBalancerArn": map[string]any{"Ref": assertions.Match_StringLikeRegexp(jsii.String("^ServiceAcceleratorLoadBalancer"))},
		})
	})
}

func TestService_WithCertificateRedirectsHTTPToHTTPS(t *testing.T) {
	template := serviceSynth(t, func(p *service.Props) {
		p.Certificate = awscertificatemanager.Certificate_FromCertificateArn(awscdk.Stack_Of(p.Vpc), jsii.String("Cert"),
			jsii.String("arn:aws:acm:eu-west-1:111111111111:certificate/11111111-2222-3333-4444-555555555555"))
	})
	constructkit.Assert(t, func() {
		template.HasResourceProperties(jsii.String("AWS::ElasticLoadBalancingV2::Listener"), map[string]any{"Port": 443, "Protocol": "HTTPS"})
		template.HasResourceProperties(jsii.String("AWS::ElasticLoadBalancingV2::Listener"), map[string]any{"Port": 8443, "Protocol": "HTTPS"})
		template.HasResourceProperties(jsii.String("AWS::ElasticLoadBalancingV2::Listener"), map[string]any{
			"Port": 80, "DefaultActions": []any{assertions.Match_ObjectLike(&map[string]any{
				"Type": "redirect", "RedirectConfig": map[string]any{"Port": "443", "Protocol": "HTTPS", "StatusCode": "HTTP_301"},
			})},
		})
	})
}

func TestService_PublicIngressSeamNarrowsTheProductionListener(t *testing.T) {
	template := serviceSynth(t, func(p *service.Props) {
		p.PublicIngress = []awsec2.IPeer{awsec2.Peer_PrefixList(jsii.String("pl-3b927c52"))}
	})
	constructkit.Assert(t, func() {
		template.HasResourceProperties(jsii.String("AWS::EC2::SecurityGroupIngress"), map[string]any{
			"SourcePrefixListId": "pl-3b927c52", "FromPort": 80, "ToPort": 80,
		})
	})
	var groups *map[string]*map[string]any
	constructkit.Assert(t, func() {
		groups = template.FindResources(jsii.String("AWS::EC2::SecurityGroup"), map[string]any{
			"Properties": map[string]any{"SecurityGroupIngress": assertions.Match_ArrayWith(&[]any{
				assertions.Match_ObjectLike(&map[string]any{"CidrIp": "0.0.0.0/0"}),
			})},
		})
	})
	constructkit.CheckedSomething(t, len(*groups), "security group admitting 0.0.0.0/0")
	for id := range *groups {
		if !strings.HasPrefix(id, "ServiceAccelerator") {
			t.Errorf("with PublicIngress set, only the internal load balancer's group may admit 0.0.0.0/0; %s does", id)
		}
	}
}

func TestService_BehindTheEdgeRejectsRequestsWithoutTheOriginHeader(t *testing.T) {
	template := serviceSynth(t, func(p *service.Props) {
		p.Certificate = awscertificatemanager.Certificate_FromCertificateArn(awscdk.Stack_Of(p.Vpc), jsii.String("Cert"),
			jsii.String("arn:aws:acm:eu-west-1:111111111111:certificate/11111111-2222-3333-4444-555555555555"))
		p.PublicIngress = []awsec2.IPeer{awsec2.Peer_PrefixList(jsii.String("pl-4fa04526"))}
		p.OriginHeader = &service.Header{Name: "X-Origin-Verify", Value: "{{resolve:secretsmanager:acme/prod/origin-verify}}"}
	})
	constructkit.Assert(t, func() {
		// The one rule that forwards demands the header; everything else gets the default 403.
		template.HasResourceProperties(jsii.String("AWS::ElasticLoadBalancingV2::ListenerRule"), map[string]any{
			"Conditions": assertions.Match_ArrayWith(&[]any{map[string]any{
				"Field": "http-header",
				"HttpHeaderConfig": map[string]any{
					"HttpHeaderName": "X-Origin-Verify", "Values": []any{"{{resolve:secretsmanager:acme/prod/origin-verify}}"},
				},
			}}),
			"Actions": []any{assertions.Match_ObjectLike(&map[string]any{"Type": "forward"})},
		})
		template.HasResourceProperties(jsii.String("AWS::ElasticLoadBalancingV2::Listener"), map[string]any{
			"Port": 443, "DefaultActions": []any{assertions.Match_ObjectLike(&map[string]any{
				"Type": "fixed-response", "FixedResponseConfig": assertions.Match_ObjectLike(&map[string]any{"StatusCode": "403"}),
			})},
		})
		// CloudFront speaks HTTPS only: no redirect listener, no port 80 in the security group.
		template.ResourceCountIs(jsii.String("AWS::ElasticLoadBalancingV2::Listener"), jsii.Number(3))
		template.ResourceCountIs(jsii.String("AWS::EC2::SecurityGroupIngress"), jsii.Number(3)) // prefix list 443, and tasks from each ALB
		template.HasResourceProperties(jsii.String("AWS::EC2::SecurityGroupIngress"), map[string]any{
			"SourcePrefixListId": "pl-4fa04526", "FromPort": 443, "ToPort": 443,
		})
	})
}

func TestService_HasAnInternetFacingAndAnInternalLoadBalancerWatchedByTheRollbackAlarms(t *testing.T) {
	template := serviceSynth(t, nil)
	constructkit.Assert(t, func() {
		template.HasResourceProperties(jsii.String("AWS::ElasticLoadBalancingV2::LoadBalancer"), map[string]any{"Scheme": "internal"})
		template.HasResourceProperties(jsii.String("AWS::ElasticLoadBalancingV2::LoadBalancer"), map[string]any{"Scheme": "internet-facing"})
		// A failing version behind the accelerator rolls the deployment back too.
		template.HasResourceProperties(jsii.String("AWS::CloudWatch::Alarm"), map[string]any{
			"Metrics": assertions.Match_ArrayWith(&[]any{metricNamed("errors1", "HTTPCode_Target_5XX_Count")}),
		})
		template.HasResourceProperties(jsii.String("AWS::CloudWatch::Alarm"), map[string]any{
			"Metrics": assertions.Match_ArrayWith(&[]any{metricNamed("blue1", "UnHealthyHostCount"), metricNamed("green1", "UnHealthyHostCount")}),
		})
	})
}

func TestService_LoadBalancerDropsInvalidHeadersLogsAccessAndProtectsOnRequest(t *testing.T) {
	template := serviceSynth(t, func(p *service.Props) { p.DeletionProtection = true })
	constructkit.Assert(t, func() {
		template.HasResourceProperties(jsii.String("AWS::ElasticLoadBalancingV2::LoadBalancer"), map[string]any{
			"Scheme": "internet-facing",
			"LoadBalancerAttributes": assertions.Match_ArrayWith(&[]any{
				map[string]any{"Key": "deletion_protection.enabled", "Value": "true"},
				map[string]any{"Key": "routing.http.drop_invalid_header_fields.enabled", "Value": "true"},
				map[string]any{"Key": "access_logs.s3.enabled", "Value": "true"},
			}),
		})
	})
}

func TestService_LogsForTheGivenRetentionEncryptedAndTracesFivePercent(t *testing.T) {
	template := serviceSynth(t, nil)
	constructkit.Assert(t, func() {
		template.HasResourceProperties(jsii.String("AWS::Logs::LogGroup"), map[string]any{
			"RetentionInDays": 90, "KmsKeyId": map[string]any{"Fn::GetAtt": []any{assertions.Match_StringLikeRegexp(jsii.String("^Key")), "Arn"}},
		})
		template.HasResourceProperties(jsii.String("AWS::ECS::TaskDefinition"), map[string]any{
			"ContainerDefinitions": assertions.Match_ArrayWith(&[]any{assertions.Match_ObjectLike(&map[string]any{
				"Name": "adot-collector", "Essential": false, "Command": []any{"--config=/etc/ecs/ecs-xray.yaml"},
			})}),
		})
		// The application cannot write its image's files; only a scratch /tmp of the task's own.
		template.HasResourceProperties(jsii.String("AWS::ECS::TaskDefinition"), map[string]any{
			"ContainerDefinitions": assertions.Match_ArrayWith(&[]any{assertions.Match_ObjectLike(&map[string]any{
				"Name": "api", "ReadonlyRootFilesystem": true,
				"MountPoints": []any{map[string]any{"SourceVolume": "tmp", "ContainerPath": "/tmp", "ReadOnly": false}},
			})}),
			"Volumes": []any{map[string]any{"Name": "tmp"}},
		})
		template.HasResourceProperties(jsii.String("AWS::XRay::SamplingRule"), map[string]any{
			"SamplingRule": assertions.Match_ObjectLike(&map[string]any{"FixedRate": 0.05, "ServiceName": "api"}),
		})
		template.HasResourceProperties(jsii.String("AWS::ECS::Cluster"), map[string]any{
			"ClusterSettings": []any{map[string]any{"Name": "containerInsights", "Value": "enhanced"}},
		})
		template.HasResourceProperties(jsii.String("AWS::ServiceDiscovery::HttpNamespace"), map[string]any{"Name": "test.internal"})
	})
}

// The production rule is what CloudFormation would reset after a blue/green deployment if its
// declared properties changed (aws-cdk issue 36649): routine changes must leave it untouched.
func TestService_RoutineChangesLeaveTheListenerRulesUntouched(t *testing.T) {
	behindEdge := func(p *service.Props) {
		p.OriginHeader = &service.Header{Name: "X-Origin-Verify", Value: "{{resolve:secretsmanager:acme/prod/origin-verify}}"}
	}
	before := rules(t, serviceSynth(t, behindEdge), 3)
	after := rules(t, serviceSynth(t, func(p *service.Props) {
		behindEdge(p)
		p.Image = awsecs.ContainerImage_FromRegistry(jsii.String("public.ecr.aws/nginx/nginx:1.29-alpine"), nil)
		p.CPU, p.MemoryMiB = 2048, 4096
		p.MinCapacity, p.MaxCapacity = 6, 30
		p.Deployment.Strategy, p.Deployment.BakeTime = service.Canary, awscdk.Duration_Minutes(jsii.Number(30))
	}), 3)
	if before != after {
		t.Errorf("listener rules changed with image, size, scaling and deployment settings:\nbefore %s\nafter  %s", before, after)
	}
}

func rules(t *testing.T, template assertions.Template, want int) string {
	t.Helper()
	var found *map[string]*map[string]any
	constructkit.Assert(t, func() { found = template.FindResources(jsii.String("AWS::ElasticLoadBalancingV2::ListenerRule"), nil) })
	if len(*found) != want {
		t.Fatalf("want %d listener rules (production on each load balancer, and test), found %d", want, len(*found))
	}
	data, _ := json.Marshal(found)
	return string(data)
}

// With a metrics store the collector sends the application's metrics to it with remote write,
// signed as the task role, which may write there and nowhere else; traces still go to X-Ray.
func TestService_CollectorWritesMetricsToTheStoreWhenOneIsGiven(t *testing.T) {
	template := serviceSynth(t, func(p *service.Props) {
		p.Metrics = &service.MetricsStore{
			Arn:            jsii.String("arn:aws:aps:eu-west-1:111111111111:workspace/ws-1234"),
			RemoteWriteURL: jsii.String("https://aps-workspaces.eu-west-1.amazonaws.com/workspaces/ws-1234/api/v1/remote_write"),
		}
	})
	var tasks *map[string]*map[string]any
	constructkit.Assert(t, func() { tasks = template.FindResources(jsii.String("AWS::ECS::TaskDefinition"), nil) })
	for _, task := range *tasks {
		data, _ := json.Marshal(task)
		body := string(data)
		for _, want := range []string{service.CollectorConfigVariable, "prometheusremotewrite", "ws-1234/api/v1/remote_write", "authenticator: sigv4auth", "exporters: [awsxray]"} {
			if !strings.Contains(body, want) {
				t.Errorf("the collector's configuration lacks %q", want)
			}
		}
		if strings.Contains(body, "ecs-xray.yaml") {
			t.Error("the collector still runs the image's X-Ray-only configuration")
		}
	}
	constructkit.Assert(t, func() {
		template.HasResourceProperties(jsii.String("AWS::IAM::Policy"), map[string]any{
			"PolicyDocument": map[string]any{"Statement": assertions.Match_ArrayWith(&[]any{map[string]any{
				"Action": "aps:RemoteWrite", "Effect": "Allow", "Resource": "arn:aws:aps:eu-west-1:111111111111:workspace/ws-1234",
			}})},
		})
	})
}

// The security baseline turns on GuardDuty Runtime Monitoring for Fargate, which adds its agent
// to each task, pulled with the execution role from GuardDuty's repository in the region.
func TestService_ExecutionRoleMayPullTheGuardDutyAgent(t *testing.T) {
	template := serviceSynth(t, nil)
	constructkit.Assert(t, func() {
		template.HasResourceProperties(jsii.String("AWS::IAM::Policy"), map[string]any{
			"PolicyDocument": map[string]any{"Statement": assertions.Match_ArrayWith(&[]any{map[string]any{
				"Action":   []any{"ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"},
				"Effect":   "Allow",
				"Resource": "arn:aws:ecr:eu-west-1:*:repository/" + service.GuardDutyAgentRepository,
			}})},
			"Roles": []any{map[string]any{"Ref": assertions.Match_StringLikeRegexp(jsii.String("^ServiceTaskExecutionRole"))}},
		})
	})
}

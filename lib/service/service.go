// Package service builds the platform's application in one region: an ECS cluster with
// Service Connect, a Fargate service in private subnets behind two ALBs (an internet-facing one
// for the edge, an internal one for Global Accelerator and test traffic), deployed with
// ECS-native blue/green (two target groups per load balancer, production and test listener
// rules, bake time, alarm-driven rollback), autoscaled on CPU and memory, traced through an
// ADOT sidecar.
package service

import (
	"fmt"
	"strconv"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsapplicationautoscaling"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscertificatemanager"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsecs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awselasticloadbalancingv2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsservicediscovery"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsxray"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/example/platform/lib/compliance"
	"github.com/example/platform/lib/logbucket"
)

// Strategy is how traffic moves to a new version once its tasks are healthy.
type Strategy string

// Strategies map to ECS-native deployment strategies; all three use the alternate target group.
const (
	BlueGreen Strategy = "BLUE_GREEN" // everything at once
	Linear    Strategy = "LINEAR"     // in steps of StepPercent
	Canary    Strategy = "CANARY"     // StepPercent first, then the rest
)

// Deployment configures blue/green deployments. lib/config owns every default here
// (environments[].deployment): the construct requires what it uses.
type Deployment struct {
	// Strategy: BlueGreen, Linear or Canary. Required.
	Strategy Strategy
	// BakeTime is how long the new version serves all traffic while the old one stays ready
	// for rollback, up to 1440 minutes. Required.
	BakeTime awscdk.Duration
	// StepPercent (above 0, below 100) and StepTime shape Linear and Canary shifts: required
	// with those strategies, unused with BlueGreen.
	StepPercent float64
	StepTime    awscdk.Duration
}

// Props configures a Service. Every field is required except Certificate, PublicIngress,
// OriginHeader, DeletionProtection, TraceSampleRate and Environment. The platform's values come
// from lib/config, which owns their defaults (service, sizing and deployment in the config
// file); the construct adds defaults only for what the config never sets.
type Props struct {
	Vpc awsec2.IVpc
	// VpcCidr is the VPC's range as a literal; only it may reach the test listener (on the
	// internal load balancer).
	VpcCidr string
	// Name of the service: the ECS service, its container and its Service Connect name.
	Name string
	// Image the application container runs.
	Image awsecs.ContainerImage
	// ContainerPort the application listens on, 1 to 65535.
	ContainerPort float64
	// HealthCheckPath the load balancers probe, such as /health.
	HealthCheckPath string
	// CPU (units) and MemoryMiB of a task: a pair Fargate accepts.
	CPU, MemoryMiB float64
	// MinCapacity (at least 1) and MaxCapacity (at least MinCapacity) bound autoscaling.
	MinCapacity, MaxCapacity float64
	Deployment               Deployment
	// Key encrypts the service's logs.
	Key awskms.IKey
	// NamespaceName is the Service Connect (Cloud Map) namespace of the cluster.
	NamespaceName string
	// Certificate, when set, serves production on HTTPS 443 (HTTP redirects to it) and the
	// test listener on 8443; without it they are HTTP 80 and 8080.
	Certificate awscertificatemanager.ICertificate
	// PublicIngress are the peers admitted to the internet-facing load balancer's production
	// listener. Default: any IPv4 address. The platform narrows this to CloudFront.
	PublicIngress []awsec2.IPeer
	// OriginHeader, when set, must be on every request to the internet-facing load balancer:
	// the edge adds it, and a request without it gets 403. Its Value should be a dynamic
	// reference to a secret, so that the production rule's template text never changes.
	OriginHeader *Header
	// DeletionProtection keeps both load balancers from being deleted (production).
	DeletionProtection bool
	// TraceSampleRate is the share of requests X-Ray samples, above 0 and at most 1.
	// Default: 0.05.
	TraceSampleRate float64
	// Environment is passed to the application container (never secrets: grant the task
	// role read access to a secret and let the application fetch it).
	Environment map[string]*string
	// LogRetention of the service's log group. Required.
	LogRetention awslogs.RetentionDays
	// AlarmPrefix starts the names of the rollback alarms (<AlarmPrefix>-rollback-5xx,
	// <AlarmPrefix>-rollback-unhealthy-tasks), so that a runbook and docs/operations.md can name them.
	// Required.
	AlarmPrefix string
	// Metrics, when set, is where the ADOT collector writes the application's OpenTelemetry
	// metrics (Prometheus remote write); traces go to X-Ray either way.
	Metrics *MetricsStore
}

// MetricsStore is an Amazon Managed Service for Prometheus workspace.
type MetricsStore struct {
	// Arn of the workspace; the task role may write to it.
	Arn *string
	// RemoteWriteURL is the workspace's remote write endpoint (…/api/v1/remote_write).
	RemoteWriteURL *string
}

// Header is an HTTP header name and the value it must have.
type Header struct {
	Name, Value string
}

// Service is the application in one region and the handles other tiers need.
type Service struct {
	constructs.Construct
	Cluster  awsecs.Cluster
	Service  awsecs.FargateService
	TaskRole awsiam.IRole
	// Public is the internet-facing load balancer, the edge's origin.
	Public Ingress
	// Internal is the internal load balancer: Global Accelerator's endpoint, and the home of
	// the test listener, which only the VPC reaches.
	Internal Ingress
	// TestListener (on Internal) routes to the new version before it takes production traffic.
	TestListener awselasticloadbalancingv2.ApplicationListener
	TestRule     awselasticloadbalancingv2.ApplicationListenerRule
	// RollbackAlarms roll a deployment back when they fire.
	RollbackAlarms []awscloudwatch.Alarm
	Logs           awslogs.LogGroup
	// OutboxLag is the age of the oldest event not yet published from the service's outbox,
	// as its tasks log it (outboxLagSeconds), in this region's namespace.
	OutboxLag awscloudwatch.Metric
}

// GuardDutyAgentRepository is the ECR repository GuardDuty pulls its Fargate agent from.
const GuardDutyAgentRepository = "aws-guardduty-agent-fargate"

const (
	adotImage       = "public.ecr.aws/aws-observability/aws-otel-collector:v0.41.1"
	portMappingName = "http"
	scratchVolume   = "tmp"
	rulePriority    = 100
)

// New builds the service.
func New(scope constructs.Construct, id string, props Props) *Service {
	props.check(scope, id)
	props = withDefaults(props)
	c := constructs.NewConstruct(scope, jsii.String(id))
	s := &Service{Construct: c}

	s.Cluster = awsecs.NewCluster(c, jsii.String("Cluster"), &awsecs.ClusterProps{
		Vpc:                 props.Vpc,
		ContainerInsightsV2: awsecs.ContainerInsights_ENHANCED,
		DefaultCloudMapNamespace: &awsecs.CloudMapNamespaceOptions{
			Name: jsii.String(props.NamespaceName), Type: awsservicediscovery.NamespaceType_HTTP, UseForServiceConnect: jsii.Bool(true),
		},
	})
	compliance.Accept(s.Cluster, compliance.Accepted{Rule: "AwsSolutions-ECS4",
		Reason: "Container Insights is on, with enhanced observability (containerInsights = enhanced); the rule recognises only the value enabled."})
	s.Logs = awslogs.NewLogGroup(c, jsii.String("Logs"), &awslogs.LogGroupProps{
		Retention: props.LogRetention, EncryptionKey: props.Key, RemovalPolicy: awscdk.RemovalPolicy_RETAIN,
	})
	s.OutboxLag = outboxLagMetric(s.Logs, props.AlarmPrefix)
	task := newTaskDefinition(c, props, s.Logs)
	s.TaskRole = task.TaskRole()
	// ALB log delivery supports only S3-managed encryption, not KMS.
	accessLogs := logbucket.New(c, "AccessLogs", 90)
	newPublicIngress(c, props, accessLogs, s)
	newInternalIngress(c, props, accessLogs, s)
	rollbackAlarms := newRollbackAlarms(c, props.AlarmPrefix, s)

	tasksGroup := newTasksSecurityGroup(c, props)
	s.Service = awsecs.NewFargateService(c, jsii.String("Service"), &awsecs.FargateServiceProps{
		Cluster:                s.Cluster,
		SecurityGroups:         &[]awsec2.ISecurityGroup{tasksGroup},
		TaskDefinition:         task,
		ServiceName:            jsii.String(props.Name),
		VpcSubnets:             &awsec2.SubnetSelection{SubnetType: awsec2.SubnetType_PRIVATE_WITH_EGRESS},
		MinHealthyPercent:      jsii.Number(100),
		MaxHealthyPercent:      jsii.Number(200),
		HealthCheckGracePeriod: awscdk.Duration_Seconds(jsii.Number(60)),
		CircuitBreaker:         &awsecs.DeploymentCircuitBreaker{Enable: jsii.Bool(true), Rollback: jsii.Bool(true)},
		DeploymentAlarms: &awsecs.DeploymentAlarmConfig{
			AlarmNames: &rollbackAlarms, Behavior: awsecs.AlarmBehavior_ROLLBACK_ON_ALARM,
		},
		PropagateTags: awsecs.PropagatedTagSource_SERVICE,
		ServiceConnectConfiguration: &awsecs.ServiceConnectProps{
			Services: &[]*awsecs.ServiceConnectService{{
				PortMappingName: jsii.String(portMappingName), DiscoveryName: jsii.String(props.Name), Port: jsii.Number(props.ContainerPort),
			}},
			LogDriver: awsecs.LogDriver_AwsLogs(&awsecs.AwsLogDriverProps{LogGroup: s.Logs, StreamPrefix: jsii.String("service-connect")}),
		},
		// No DesiredCount: the running task count is autoscaling's, and a count in the
		// template would reset it on every deployment (a new service starts with one task
		// and scales to MinCapacity).
		DeploymentStrategy:  awsecs.DeploymentStrategy(props.Deployment.Strategy),
		BakeTime:            props.Deployment.BakeTime,
		LinearConfiguration: trafficShift(props.Deployment, Linear),
		CanaryConfiguration: trafficShift(props.Deployment, Canary),
	})
	attachIngresses(c, props, s, tasksGroup)

	scaling := s.Service.AutoScaleTaskCount(&awsapplicationautoscaling.EnableScalingProps{
		MinCapacity: jsii.Number(props.MinCapacity), MaxCapacity: jsii.Number(props.MaxCapacity),
	})
	// Scale out fast and in slowly: a burst must not wait, and flapping costs more than a few
	// idle minutes of a task.
	scaling.ScaleOnCpuUtilization(jsii.String("Cpu"), &awsecs.CpuUtilizationScalingProps{
		TargetUtilizationPercent: jsii.Number(70),
		ScaleOutCooldown:         awscdk.Duration_Seconds(jsii.Number(60)),
		ScaleInCooldown:          awscdk.Duration_Seconds(jsii.Number(300)),
	})
	scaling.ScaleOnMemoryUtilization(jsii.String("Memory"), &awsecs.MemoryUtilizationScalingProps{
		TargetUtilizationPercent: jsii.Number(75),
		ScaleOutCooldown:         awscdk.Duration_Seconds(jsii.Number(60)),
		ScaleInCooldown:          awscdk.Duration_Seconds(jsii.Number(300)),
	})

	newSamplingRule(c, props)
	return s
}

// Ingresses are the service's load balancers: the public one first.
func (s *Service) Ingresses() []Ingress {
	return []Ingress{s.Public, s.Internal}
}

// newTasksSecurityGroup admits the load balancers (attachIngresses adds them) and lets the
// tasks call out only where they must: AWS APIs over HTTPS (through the VPC endpoints, or NAT
// for those without one) and whatever a caller opens with Connections (the database). Name
// resolution needs no rule: security groups do not filter traffic to the Amazon DNS server.
func newTasksSecurityGroup(scope constructs.Construct, props Props) awsec2.SecurityGroup {
	group := awsec2.NewSecurityGroup(scope, jsii.String("TasksSecurityGroup"), &awsec2.SecurityGroupProps{
		Vpc: props.Vpc, Description: jsii.String("Service tasks: from the load balancers; out to AWS APIs and what callers allow"),
		AllowAllOutbound: jsii.Bool(false),
	})
	group.AddEgressRule(awsec2.Peer_AnyIpv4(), awsec2.Port_Tcp(jsii.Number(443)),
		jsii.String("HTTPS to AWS APIs: ECR, Secrets Manager, DynamoDB, S3, CloudWatch Logs, X-Ray"), nil)
	return group
}

// attachIngresses registers the service with every load balancer's blue target group and
// hands ECS the green one and the rules to move. ECS-native blue/green shifts all of a
// service's load balancers together.
func attachIngresses(scope constructs.Construct, props Props, s *Service, tasks awsec2.SecurityGroup) {
	// One role lets ECS move every rule of the service.
	role := awsiam.NewRole(scope, jsii.String("LoadBalancerRole"), &awsiam.RoleProps{
		AssumedBy: awsiam.NewServicePrincipal(jsii.String("ecs.amazonaws.com"), nil),
		ManagedPolicies: &[]awsiam.IManagedPolicy{
			awsiam.ManagedPolicy_FromAwsManagedPolicyName(jsii.String("AmazonECSInfrastructureRolePolicyForLoadBalancers")),
		},
	})
	compliance.Accept(role, compliance.Accepted{Rule: "AwsSolutions-IAM4",
		AppliesTo: []string{"Policy::arn:<AWS::Partition>:iam::aws:policy/AmazonECSInfrastructureRolePolicyForLoadBalancers"},
		Reason:    "The role ECS assumes to move the listener rules during blue/green deployments uses the AWS policy made for it, which AWS keeps in step with what ECS needs."})
	for _, in := range s.Ingresses() {
		tasks.Connections().AllowFrom(in.LoadBalancer, awsec2.Port_Tcp(jsii.Number(props.ContainerPort)), jsii.String("Load balancer to tasks"))
		alternate := &awsecs.AlternateTargetProps{
			AlternateTargetGroup: in.Green,
			ProductionListener:   awsecs.ListenerRuleConfiguration_ApplicationListenerRule(in.ProductionRule),
			Role:                 role,
		}
		if in.TestRule != nil {
			alternate.TestListener = awsecs.ListenerRuleConfiguration_ApplicationListenerRule(in.TestRule)
		}
		target := s.Service.LoadBalancerTarget(&awsecs.LoadBalancerTargetOptions{
			ContainerName:   jsii.String(props.Name),
			ContainerPort:   jsii.Number(props.ContainerPort),
			AlternateTarget: awsecs.NewAlternateTarget(jsii.String(*in.Green.Node().Id()), alternate),
		})
		target.AttachToApplicationTargetGroup(in.Blue)
	}
}

func trafficShift(d Deployment, strategy Strategy) *awsecs.TrafficShiftConfig {
	if d.Strategy != strategy {
		return nil
	}
	return &awsecs.TrafficShiftConfig{StepPercent: jsii.Number(d.StepPercent), StepBakeTime: d.StepTime}
}

// newTaskDefinition declares the application container and the ADOT collector that forwards
// its traces to X-Ray. The task role gets only X-Ray's write actions here; callers grant it
// what the application needs (tables, secrets) with grant methods.
func newTaskDefinition(scope constructs.Construct, props Props, logs awslogs.ILogGroup) awsecs.FargateTaskDefinition {
	task := awsecs.NewFargateTaskDefinition(scope, jsii.String("Task"), &awsecs.FargateTaskDefinitionProps{
		Cpu:            jsii.Number(props.CPU),
		MemoryLimitMiB: jsii.Number(props.MemoryMiB),
		RuntimePlatform: &awsecs.RuntimePlatform{
			OperatingSystemFamily: awsecs.OperatingSystemFamily_LINUX(), CpuArchitecture: awsecs.CpuArchitecture_X86_64(),
		},
	})
	// The application's root filesystem is read-only: what it may write goes to a scratch volume
	// at /tmp, which lives and dies with the task.
	task.AddVolume(&awsecs.Volume{Name: jsii.String(scratchVolume)})
	app := task.AddContainer(jsii.String(props.Name), &awsecs.ContainerDefinitionOptions{
		Image:     props.Image,
		Essential: jsii.Bool(true),
		// Not root (Control Tower's CT.ECS.PR.3): the shipped image's own user (api/Dockerfile).
		User: jsii.String(AppUser),
		// A hard limit (CT.ECS.PR.7): the task's memory but what the collector may take.
		MemoryLimitMiB:         jsii.Number(props.MemoryMiB - collectorMemoryMiB),
		ReadonlyRootFilesystem: jsii.Bool(true),
		PortMappings: &[]*awsecs.PortMapping{{
			Name: jsii.String(portMappingName), ContainerPort: jsii.Number(props.ContainerPort), AppProtocol: awsecs.AppProtocol_Http(),
		}},
		Logging:     awsecs.LogDriver_AwsLogs(&awsecs.AwsLogDriverProps{LogGroup: logs, StreamPrefix: jsii.String(props.Name)}),
		Environment: containerEnvironment(props),
	})
	app.AddMountPoints(&awsecs.MountPoint{SourceVolume: jsii.String(scratchVolume), ContainerPath: jsii.String("/tmp"), ReadOnly: jsii.Bool(false)})
	addCollector(task, props, logs)
	task.AddToTaskRolePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions: jsii.Strings("xray:PutTraceSegments", "xray:PutTelemetryRecords", "xray:GetSamplingRules",
			"xray:GetSamplingTargets", "xray:GetSamplingStatisticSummaries"),
		Resources: jsii.Strings("*"),
	}))
	compliance.Accept(task.TaskRole(), compliance.Accepted{Rule: "AwsSolutions-IAM5", AppliesTo: []string{"Resource::*"},
		Reason: "X-Ray's trace-writing and sampling actions do not support resource-level permissions; these five actions are all the task role gets on *."})
	// GuardDuty Runtime Monitoring (the security baseline turns it on for Fargate) adds its
	// agent to every task as a sidecar pulled with the task execution role from an ECR
	// repository GuardDuty owns in each region ("Prerequisites for AWS Fargate (Amazon ECS only)
	// support", GuardDuty user guide); without these permissions tasks start without the agent.
	// The owning account differs by region, so the repository is named and the account is not.
	execution := task.ObtainExecutionRole()
	execution.AddToPrincipalPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions:   jsii.Strings("ecr:BatchCheckLayerAvailability", "ecr:GetDownloadUrlForLayer", "ecr:BatchGetImage"),
		Resources: jsii.Strings(fmt.Sprintf("arn:aws:ecr:%s:*:repository/%s", *awscdk.Stack_Of(task).Region(), GuardDutyAgentRepository)),
	}))
	execution.AddToPrincipalPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions: jsii.Strings("ecr:GetAuthorizationToken"), Resources: jsii.Strings("*"),
	}))
	// Pulling from ECR needs ecr:GetAuthorizationToken, which has no resource-level permissions;
	// CDK scopes the pull actions themselves to the repository.
	compliance.Accept(execution, compliance.Accepted{Rule: "AwsSolutions-IAM5",
		AppliesTo: []string{"Resource::*", "/^Resource::arn:aws:ecr:[a-z0-9-]+:\\*:repository\\/aws-guardduty-agent-fargate$/"},
		Reason:    "ecr:GetAuthorizationToken cannot be scoped to a resource; the GuardDuty agent's repository is owned by a different AWS account in each region, so it is named and the account is not. The application image's pull actions are scoped to its repository."})
	compliance.Accept(task, compliance.Accepted{Rule: "AwsSolutions-ECS2",
		Reason: "The environment carries endpoints and names (OpenTelemetry, database endpoints, secret and table names), never secret values; the application reads secrets from Secrets Manager with its task role."})
	return task
}

func containerEnvironment(props Props) *map[string]*string {
	env := map[string]*string{
		// The application's OpenTelemetry SDK sends to the sidecar, over OTLP/HTTP, and samples
		// traces at the sampling rule's rate (a parent's decision wins).
		"OTEL_EXPORTER_OTLP_ENDPOINT": jsii.String("http://localhost:4318"),
		"OTEL_EXPORTER_OTLP_PROTOCOL": jsii.String("http/protobuf"),
		"OTEL_TRACES_SAMPLER":         jsii.String("parentbased_traceidratio"),
		"OTEL_TRACES_SAMPLER_ARG":     jsii.String(strconv.FormatFloat(props.TraceSampleRate, 'f', -1, 64)),
		"OTEL_SERVICE_NAME":           jsii.String(props.Name),
	}
	if props.Metrics == nil {
		// Without a metrics store the collector has no metrics pipeline and refuses what the
		// service would export (OpenTelemetry's variable; api/internal/telemetry reads it).
		env["OTEL_METRICS_EXPORTER"] = jsii.String("none")
	}
	for k, v := range props.Environment {
		env[k] = v
	}
	return &env
}

// newSamplingRule samples TraceSampleRate of the service's requests (after one per second).
// CfnSamplingRule is used because X-Ray has no L2 construct.
func newSamplingRule(scope constructs.Construct, props Props) {
	awsxray.NewCfnSamplingRule(scope, jsii.String("Sampling"), &awsxray.CfnSamplingRuleProps{
		SamplingRule: &awsxray.CfnSamplingRule_SamplingRuleProperty{
			// Rule names are unique per account and region, at most 32 characters: derive one
			// from the construct path so environments sharing an account do not collide.
			RuleName:      awscdk.Names_UniqueResourceName(scope, &awscdk.UniqueResourceNameOptions{MaxLength: jsii.Number(32)}),
			Priority:      jsii.Number(100),
			FixedRate:     jsii.Number(props.TraceSampleRate),
			ReservoirSize: jsii.Number(1),
			ServiceName:   jsii.String(props.Name),
			ServiceType:   jsii.String("*"),
			Host:          jsii.String("*"),
			HttpMethod:    jsii.String("*"),
			UrlPath:       jsii.String("*"),
			ResourceArn:   jsii.String("*"),
			Version:       jsii.Number(1),
		},
	})
}

package constructs_test

import (
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsecs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/jsii-runtime-go"

	"github.com/example/platform/lib/props/propstest"
	"github.com/example/platform/lib/service"
)

// serviceValidProps are props the construct accepts, in a bare stack that is never synthesized.
func serviceValidProps() (awscdk.Stack, service.Props) {
	stack := awscdk.NewStack(awscdk.NewApp(nil), jsii.String("Test"), nil)
	return stack, service.Props{
		Vpc: awsec2.NewVpc(stack, jsii.String("Vpc"), nil), VpcCidr: "10.9.0.0/16", Name: "api",
		Image:         awsecs.ContainerImage_FromRegistry(jsii.String("public.ecr.aws/nginx/nginx:stable-alpine"), nil),
		Key:           awskms.NewKey(stack, jsii.String("Key"), nil),
		NamespaceName: "test.internal", ContainerPort: 8080, HealthCheckPath: "/", CPU: 512, MemoryMiB: 1024,
		MinCapacity: 2, MaxCapacity: 6,
		Deployment:   service.Deployment{Strategy: service.BlueGreen, BakeTime: awscdk.Duration_Minutes(jsii.Number(10))},
		LogRetention: awslogs.RetentionDays_THREE_MONTHS, AlarmPrefix: "acme-prod-eu-west-1",
	}
}

func TestService_ThrowsOnABadOrMissingRequiredProp(t *testing.T) {
	for _, c := range []struct {
		name   string
		adjust func(*service.Props)
		want   string
	}{
		{"no VPC", func(p *service.Props) { p.Vpc = nil }, "service.New(Test/Service): Props.Vpc is required"},
		{"no log retention", func(p *service.Props) { p.LogRetention = "" }, "Props.LogRetention is required"},
		{"no alarm prefix", func(p *service.Props) { p.AlarmPrefix = "" }, "Props.AlarmPrefix is required"},
		{"a metrics store without its endpoint", func(p *service.Props) { p.Metrics = &service.MetricsStore{Arn: jsii.String("arn")} }, "Props.Metrics needs the workspace's Arn and RemoteWriteURL"},
		{"VPC range that is no CIDR", func(p *service.Props) { p.VpcCidr = "10.9.0.0" }, `Props.VpcCidr "10.9.0.0" is not an IPv4 range`},
		{"no container port", func(p *service.Props) { p.ContainerPort = 0 }, "Props.ContainerPort is required; give the port the application listens on (lib/config's service.containerPort, 8080 by default)"},
		{"port out of range", func(p *service.Props) { p.ContainerPort = 70000 }, "Props.ContainerPort 70000: give a TCP port"},
		{"health path without a slash", func(p *service.Props) { p.HealthCheckPath = "health" }, `Props.HealthCheckPath "health": give a URL path starting with /`},
		{"no memory", func(p *service.Props) { p.MemoryMiB = 0 }, "Props.MemoryMiB is required"},
		{"memory Fargate does not pair with the CPU", func(p *service.Props) { p.CPU = 4096 },
			"Props.MemoryMiB 1024 does not go with Props.CPU 4096; Fargate accepts 8192 to 30720 in steps of 1024 MiB"},
		{"no CPU", func(p *service.Props) { p.CPU = 0 }, "Props.CPU is required; give the task's CPU units: 256, 512, 1024, 2048, 4096, 8192 or 16384"},
		// The construct used to set MaxCapacity to 6 whenever MinCapacity was 0.
		{"no minimum", func(p *service.Props) { p.MinCapacity = 0 }, "Props.MinCapacity is required"},
		{"maximum below minimum", func(p *service.Props) { p.MinCapacity, p.MaxCapacity = 4, 3 }, "Props.MaxCapacity 3 is below Props.MinCapacity 4"},
		{"no strategy", func(p *service.Props) { p.Deployment.Strategy = "" }, "Props.Deployment.Strategy is required; give BLUE_GREEN, LINEAR or CANARY"},
		{"no bake time", func(p *service.Props) { p.Deployment.BakeTime = nil }, "Props.Deployment.BakeTime is required"},
		{"bake time over a day", func(p *service.Props) { p.Deployment.BakeTime = awscdk.Duration_Hours(jsii.Number(25)) }, "Props.Deployment.BakeTime 1500 minutes"},
		{"linear without steps", func(p *service.Props) { p.Deployment.Strategy = service.Linear },
			"Props.Deployment.StepPercent is required; give the share of traffic each linear step moves"},
		{"no key", func(p *service.Props) { p.Key = nil }, "Props.Key is required"},
		{"origin header without a value", func(p *service.Props) { p.OriginHeader = &service.Header{Name: "X-Origin-Verify"} }, "Props.OriginHeader needs a Name and a Value"},
	} {
		t.Run(c.name, func(t *testing.T) {
			stack, p := serviceValidProps()
			c.adjust(&p)
			propstest.Panics(t, func() { service.New(stack, "Service", p) }, c.want)
		})
	}
}

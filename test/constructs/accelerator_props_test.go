package constructs_test

import (
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	elbv2 "github.com/aws/aws-cdk-go/awscdk/v2/awselasticloadbalancingv2"
	"github.com/aws/jsii-runtime-go"

	"github.com/example/platform/lib/accelerator"
	"github.com/example/platform/lib/props/propstest"
)

func acceleratorValidProps() (awscdk.Stack, accelerator.Props) {
	stack := awscdk.NewStack(awscdk.NewApp(nil), jsii.String("Test"), &awscdk.StackProps{
		Env: &awscdk.Environment{Account: jsii.String("111111111111"), Region: jsii.String("us-west-2")},
	})
	alb := elbv2.ApplicationLoadBalancer_FromApplicationLoadBalancerAttributes(stack, jsii.String("Alb"), &elbv2.ApplicationLoadBalancerAttributes{
		LoadBalancerArn: jsii.String("arn:aws:elasticloadbalancing:us-east-1:111111111111:loadbalancer/app/internal-api/1234567890abcdef"),
		SecurityGroupId: jsii.String("sg-12345678"),
	})
	return stack, accelerator.Props{
		Name: "acme-prod", HealthCheckPath: "/health",
		HealthCheckInterval: awscdk.Duration_Seconds(jsii.Number(30)), HealthCheckThreshold: 3,
		Regions: []accelerator.Region{{Name: "us-east-1", LoadBalancer: alb, TrafficDialPercent: jsii.Number(100)}},
	}
}

func TestAccelerator_ThrowsOnABadOrMissingRequiredProp(t *testing.T) {
	for _, c := range []struct {
		name   string
		adjust func(*accelerator.Props)
		want   string
	}{
		{"no region", func(p *accelerator.Props) { p.Regions = nil }, "accelerator.New(Test/Accelerator): Props.Regions is required"},
		// A dial left out used to be 0, which drains the region.
		{"no traffic dial", func(p *accelerator.Props) { p.Regions[0].TrafficDialPercent = nil },
			"Props.Regions[0].TrafficDialPercent is required; give 0 to 100: 100 takes all the traffic routed to the region, 0 drains it"},
		{"dial over 100", func(p *accelerator.Props) { p.Regions[0].TrafficDialPercent = jsii.Number(120) }, "Props.Regions[0].TrafficDialPercent 120: give 0 to 100"},
		{"no interval", func(p *accelerator.Props) { p.HealthCheckInterval = nil }, "Props.HealthCheckInterval is required"},
		{"interval Global Accelerator refuses", func(p *accelerator.Props) { p.HealthCheckInterval = awscdk.Duration_Seconds(jsii.Number(15)) },
			"Props.HealthCheckInterval 15 seconds: Global Accelerator checks every 10 or 30 seconds"},
		{"no threshold", func(p *accelerator.Props) { p.HealthCheckThreshold = 0 }, "Props.HealthCheckThreshold is required"},
		{"name too long", func(p *accelerator.Props) { p.Name = strings.Repeat("a", 65) }, "Global Accelerator takes at most 64"},
		{"API name without a zone", func(p *accelerator.Props) { p.APIName = "api.example.com" }, "Props.Zone and Props.APIName go together"},
	} {
		t.Run(c.name, func(t *testing.T) {
			stack, p := acceleratorValidProps()
			c.adjust(&p)
			propstest.Panics(t, func() { accelerator.New(stack, "Accelerator", p) }, c.want)
		})
	}
}

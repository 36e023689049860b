package constructs_test

import (
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudfront"
	elbv2 "github.com/aws/aws-cdk-go/awscdk/v2/awselasticloadbalancingv2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/jsii-runtime-go"

	"github.com/example/platform/lib/edge"
	"github.com/example/platform/lib/props/propstest"
)

func edgeValidProps() (awscdk.Stack, edge.Props) {
	stack := awscdk.NewStack(awscdk.NewApp(nil), jsii.String("Test"), &awscdk.StackProps{
		Env: &awscdk.Environment{Account: jsii.String("111111111111"), Region: jsii.String("us-east-1")},
	})
	alb := elbv2.ApplicationLoadBalancer_FromApplicationLoadBalancerAttributes(stack, jsii.String("Alb"), &elbv2.ApplicationLoadBalancerAttributes{
		LoadBalancerArn: jsii.String("arn:aws:elasticloadbalancing:us-east-1:111111111111:loadbalancer/app/api/1234567890abcdef"),
		SecurityGroupId: jsii.String("sg-12345678"), LoadBalancerDnsName: jsii.String("api-123.us-east-1.elb.amazonaws.com"),
	})
	return stack, edge.Props{
		Regions:          []edge.Region{{Name: "us-east-1", LoadBalancer: alb}},
		OriginHeaderName: "X-Origin-Verify", OriginHeaderValue: "{{resolve:secretsmanager:acme/prod/origin-verify:SecretString:::}}",
		HealthCheckPath: "/health", HealthPathPrefix: "/.platform/health/",
		PriceClass: awscloudfront.PriceClass_PRICE_CLASS_100, RateLimit: 2000,
		AlarmTopic: awssns.NewTopic(stack, jsii.String("Alarms"), nil), LogRetention: awslogs.RetentionDays_THREE_MONTHS, AlarmPrefix: "acme-prod",
	}
}

func TestEdge_ThrowsOnABadOrMissingRequiredProp(t *testing.T) {
	for _, c := range []struct {
		name   string
		adjust func(*edge.Props)
		want   string
	}{
		// Regions[0] used to be an index panic.
		{"no region", func(p *edge.Props) { p.Regions = nil }, "edge.New(Test/Edge): Props.Regions is required; list the regions' load balancers, the primary first"},
		{"region without a load balancer", func(p *edge.Props) { p.Regions = append(p.Regions, edge.Region{Name: "eu-west-1"}) },
			"Props.Regions[1].LoadBalancer is required"},
		{"no price class", func(p *edge.Props) { p.PriceClass = "" }, "Props.PriceClass is required"},
		{"no rate limit", func(p *edge.Props) { p.RateLimit = 0 }, "Props.RateLimit is required"},
		{"rate limit WAF refuses", func(p *edge.Props) { p.RateLimit = 5 }, "Props.RateLimit 5: WAF accepts 10 to 2000000000"},
		{"health path without a slash", func(p *edge.Props) { p.HealthCheckPath = "health" }, `Props.HealthCheckPath "health" does not start with /`},
		{"no origin header value", func(p *edge.Props) { p.OriginHeaderValue = "" }, "Props.OriginHeaderValue is required"},
		{"domain without a zone", func(p *edge.Props) { p.Domain = &edge.Domain{Name: "example.com"} }, "Props.Domain.Zone is required"},
		{"gate without its alarm's region", func(p *edge.Props) {
			p.Domain = &edge.Domain{Name: "example.com", PrimaryGate: &edge.Gate{AlarmName: "acme-prod-us-east-1-writer-elsewhere"}}
		}, "Props.Domain.PrimaryGate.AlarmRegion is required; give the region the gate's alarm is in"},
		{"caching everything", func(p *edge.Props) { p.StaticPaths = []string{"/*"} }, `Props.StaticPaths[0] "/*" is not a path pattern for cached content`},
		{"no alarm topic", func(p *edge.Props) { p.AlarmTopic = nil }, "Props.AlarmTopic is required"},
	} {
		t.Run(c.name, func(t *testing.T) {
			stack, p := edgeValidProps()
			c.adjust(&p)
			propstest.Panics(t, func() { edge.New(stack, "Edge", p) }, c.want)
		})
	}
}

func TestOriginSecret_RefusesPropsWithoutAName(t *testing.T) {
	stack, _ := edgeValidProps()
	propstest.Panics(t, func() { edge.NewOriginSecret(stack, "OriginSecret", edge.OriginSecretProps{}) },
		"edge.NewOriginSecret(Test/OriginSecret): Props.Name is required")
}

package edge

import (
	"fmt"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudfront"
	"github.com/aws/constructs-go/constructs/v10"

	"github.com/example/platform/lib/props"
)

// WAF's limits on a rate-based rule's requests per client IP in its window.
const minRateLimit, maxRateLimit = 10, 2000000000

// check fails with every problem of p, the way a construct fails: a panic naming its path.
func (p Props) check(scope constructs.Construct, id string) {
	c := props.Check(scope, id, "edge.New")
	c.Require("Props.Regions", len(p.Regions) > 0, "list the regions' load balancers, the primary first")
	seen := map[string]bool{}
	for i, r := range p.Regions {
		field := fmt.Sprintf("Props.Regions[%d]", i)
		c.RegionOnce(field+".Name", r.Name, "give the region code, such as us-east-1", "region", seen)
		c.Require(field+".LoadBalancer", r.LoadBalancer != nil, "give the region's internet-facing load balancer")
	}
	if d := p.Domain; d != nil {
		c.Require("Props.Domain.Name", d.Name != "", "give the hosted zone's name, such as example.com, or leave Domain nil")
		c.Require("Props.Domain.Zone", d.Zone != nil, "give the hosted zone the records go in")
		if g := d.PrimaryGate; g != nil {
			c.Require("Props.Domain.PrimaryGate.AlarmName", g.AlarmName != "", "name the alarm that takes the primary out of the origin name, or leave PrimaryGate nil")
			c.Require("Props.Domain.PrimaryGate.AlarmRegion", g.AlarmRegion != "", "give the region the gate's alarm is in")
		}
	}
	c.Require("Props.OriginHeaderName", p.OriginHeaderName != "", "name the header the load balancers require, such as X-Origin-Verify")
	c.Require("Props.OriginHeaderValue", p.OriginHeaderValue != "", "give the header's value: a dynamic reference to the origin secret")
	checkPath(c, "Props.HealthCheckPath", p.HealthCheckPath, "give the service's health path, such as /health")
	checkPath(c, "Props.HealthPathPrefix", p.HealthPathPrefix, "give the path the regions' health routes start with, such as /.platform/health/")
	switch p.PriceClass {
	case awscloudfront.PriceClass_PRICE_CLASS_100, awscloudfront.PriceClass_PRICE_CLASS_200, awscloudfront.PriceClass_PRICE_CLASS_ALL:
	case "":
		c.Require("Props.PriceClass", false, "give one of awscloudfront.PriceClass_PRICE_CLASS_100, _200 or _ALL (lib/config's edge.priceClass)")
	default:
		c.Failf("Props.PriceClass", "%q is not a price class; give PriceClass_100, PriceClass_200 or PriceClass_All", p.PriceClass)
	}
	c.Require("Props.AlarmPrefix", p.AlarmPrefix != "", "give the prefix of the health alarms' names, such as acme-prod")
	c.Require("Props.LogRetention", p.LogRetention != "", "give how long the web ACL's logs are kept, such as awslogs.RetentionDays_THREE_MONTHS")
	if c.Require("Props.RateLimit", p.RateLimit != 0, "give the requests per client IP in 5 minutes before WAF blocks it (lib/config's edge.rateLimit)") &&
		(p.RateLimit < minRateLimit || p.RateLimit > maxRateLimit) {
		c.Failf("Props.RateLimit", "%v: WAF accepts %d to %d requests per client IP in 5 minutes", p.RateLimit, minRateLimit, maxRateLimit)
	}
	for i, path := range p.StaticPaths {
		if !strings.HasPrefix(path, "/") || path == "/*" {
			c.Failf(fmt.Sprintf("Props.StaticPaths[%d]", i), "%q is not a path pattern for cached content; give one such as /static/*", path)
		}
	}
	c.Require("Props.AlarmTopic", p.AlarmTopic != nil, "give the topic the health checks' alarms go to (lib/alerts)")
	c.Done()
}

func checkPath(c *props.Checker, field, path, hint string) {
	if c.Require(field, path != "", hint) && !strings.HasPrefix(path, "/") {
		c.Failf(field, "%q does not start with /; %s", path, hint)
	}
}

package accelerator

import (
	"fmt"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/example/platform/lib/limits"
	"github.com/example/platform/lib/props"
)

// maxNameLength is the longest name Global Accelerator accepts.
const maxNameLength = limits.AcceleratorNameLength

// check fails with every problem of p, the way a construct fails: a panic naming its path.
func (p Props) check(scope constructs.Construct, id string) {
	c := props.Check(scope, id, "accelerator.New")
	if c.Require("Props.Name", p.Name != "", "name the accelerator, such as acme-prod") && len(p.Name) > maxNameLength {
		c.Failf("Props.Name", "%q is %d characters; Global Accelerator takes at most %d", p.Name, len(p.Name), maxNameLength)
	}
	c.Require("Props.Regions", len(p.Regions) > 0, "list the regions' internal load balancers")
	seen := map[string]bool{}
	for i, r := range p.Regions {
		field := fmt.Sprintf("Props.Regions[%d]", i)
		c.RegionOnce(field+".Name", r.Name, "give the region code, such as us-east-1", "region", seen)
		c.Require(field+".LoadBalancer", r.LoadBalancer != nil, "give the region's internal load balancer")
		if c.Require(field+".TrafficDialPercent", r.TrafficDialPercent != nil, "give 0 to 100: 100 takes all the traffic routed to the region, 0 drains it") &&
			(*r.TrafficDialPercent < 0 || *r.TrafficDialPercent > 100) {
			c.Failf(field+".TrafficDialPercent", "%v: give 0 to 100", *r.TrafficDialPercent)
		}
	}
	if c.Require("Props.HealthCheckPath", p.HealthCheckPath != "", "give the service's health path, such as /health") && !strings.HasPrefix(p.HealthCheckPath, "/") {
		c.Failf("Props.HealthCheckPath", "%q does not start with /; give a path such as /health", p.HealthCheckPath)
	}
	if c.Require("Props.HealthCheckInterval", p.HealthCheckInterval != nil, "give 10 or 30 seconds (lib/config's accelerator.healthCheckIntervalSeconds)") &&
		!*p.HealthCheckInterval.IsUnresolved() {
		if seconds := *p.HealthCheckInterval.ToSeconds(&awscdk.TimeConversionOptions{Integral: jsii.Bool(false)}); seconds != 10 && seconds != 30 {
			c.Failf("Props.HealthCheckInterval", "%v seconds: Global Accelerator checks every 10 or 30 seconds", seconds)
		}
	}
	if c.Require("Props.HealthCheckThreshold", p.HealthCheckThreshold != 0, "give how many checks in a row change a region's health, 1 to 10") &&
		(p.HealthCheckThreshold < 1 || p.HealthCheckThreshold > 10) {
		c.Failf("Props.HealthCheckThreshold", "%v: give 1 to 10", p.HealthCheckThreshold)
	}
	if (p.Zone == nil) != (p.APIName == "") {
		c.Failf("Props.Zone", "and Props.APIName go together: give both to name the API, or neither")
	}
	c.Done()
}

package service

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/example/platform/internal/fargate"
	"github.com/example/platform/lib/limits"
	"github.com/example/platform/lib/props"
)

// withDefaults fills the props the platform's config never sets. Everything the config file
// exposes (port, health path, task size, capacity, deployment) is lib/config's to default, and
// required here.
func withDefaults(p Props) Props {
	if len(p.PublicIngress) == 0 {
		p.PublicIngress = []awsec2.IPeer{awsec2.Peer_AnyIpv4()}
	}
	if p.TraceSampleRate == 0 {
		p.TraceSampleRate = 0.05
	}
	return p
}

var (
	// namePattern is what ECS accepts as a service and container name.
	namePattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_-]{0,254}$`)
	// maxBakeMinutes is the longest bake time ECS accepts.
	maxBakeMinutes = float64(limits.ECSMaxBakeMinutes)
)

// check fails with every problem of p, the way a construct fails: a panic naming its path.
func (p Props) check(scope constructs.Construct, id string) {
	c := props.Check(scope, id, "service.New")
	c.Require("Props.Vpc", p.Vpc != nil, "give the region's VPC (lib/network)")
	c.CIDR("Props.VpcCidr", p.VpcCidr, "give the VPC's range as a literal, such as 10.0.0.0/16: only it may reach the test listener")
	if c.Require("Props.Name", p.Name != "", "name the service, such as api") && !namePattern.MatchString(p.Name) {
		c.Failf("Props.Name", "%q: ECS names take letters, digits, hyphens and underscores, such as api", p.Name)
	}
	c.Require("Props.Image", p.Image != nil, "give the application's image, such as awsecs.ContainerImage_FromRegistry(...)")
	if c.Require("Props.ContainerPort", p.ContainerPort != 0, "give the port the application listens on (lib/config's service.containerPort, 8080 by default)") &&
		(p.ContainerPort < 1 || p.ContainerPort > 65535 || p.ContainerPort != float64(int(p.ContainerPort))) {
		c.Failf("Props.ContainerPort", "%v: give a TCP port, 1 to 65535", p.ContainerPort)
	}
	if c.Require("Props.HealthCheckPath", p.HealthCheckPath != "", "give the path that answers 200 when a task can take traffic, such as /health") &&
		!strings.HasPrefix(p.HealthCheckPath, "/") {
		c.Failf("Props.HealthCheckPath", "%q: give a URL path starting with /, such as /health", p.HealthCheckPath)
	}
	p.checkSize(c)
	if c.Require("Props.MinCapacity", p.MinCapacity != 0, "give the fewest tasks autoscaling keeps running, at least 1") && p.MinCapacity < 1 {
		c.Failf("Props.MinCapacity", "%v: give at least 1 (with no task the service is down)", p.MinCapacity)
	}
	if c.Require("Props.MaxCapacity", p.MaxCapacity != 0, "give the most tasks autoscaling may run") && p.MaxCapacity < p.MinCapacity {
		c.Failf("Props.MaxCapacity", "%v is below Props.MinCapacity %v; give at least as many", p.MaxCapacity, p.MinCapacity)
	}
	p.Deployment.check(c)
	c.Require("Props.Key", p.Key != nil, "give the region's KMS key, which encrypts the service's logs")
	c.Require("Props.NamespaceName", p.NamespaceName != "", "name the cluster's Service Connect namespace, such as prod.acme.internal")
	if h := p.OriginHeader; h != nil && (h.Name == "" || h.Value == "") {
		c.Failf("Props.OriginHeader", "needs a Name and a Value (the edge's header and a dynamic reference to its secret), or leave it nil")
	}
	c.Require("Props.LogRetention", p.LogRetention != "", "give how long the service's logs are kept, such as awslogs.RetentionDays_THREE_MONTHS")
	c.Require("Props.AlarmPrefix", p.AlarmPrefix != "", "give the prefix of the rollback alarms' names, such as acme-prod-us-east-1")
	if m := p.Metrics; m != nil && (m.Arn == nil || m.RemoteWriteURL == nil) {
		c.Failf("Props.Metrics", "needs the workspace's Arn and RemoteWriteURL, or leave it nil")
	}
	if p.TraceSampleRate < 0 || p.TraceSampleRate > 1 {
		c.Failf("Props.TraceSampleRate", "%v: give a share above 0 and at most 1, such as 0.05", p.TraceSampleRate)
	}
	c.Done()
}

// checkSize requires a task size Fargate runs.
func (p Props) checkSize(c *props.Checker) {
	cpuGiven := c.Require("Props.CPU", p.CPU != 0, "give the task's CPU units: "+fargate.DescribeCPUSizes())
	memoryGiven := c.Require("Props.MemoryMiB", p.MemoryMiB != 0, "give the task's memory in MiB, one Fargate pairs with Props.CPU")
	if !cpuGiven || !memoryGiven {
		return
	}
	memories, cpuOK := fargate.MemorySizes(int(p.CPU))
	switch {
	case !cpuOK || p.CPU != float64(int(p.CPU)):
		c.Failf("Props.CPU", "%v is not a Fargate CPU size; give %s", p.CPU, fargate.DescribeCPUSizes())
	case !fargate.Fits(int(p.CPU), int(p.MemoryMiB)) || p.MemoryMiB != float64(int(p.MemoryMiB)):
		c.Failf("Props.MemoryMiB", "%v does not go with Props.CPU %v; Fargate accepts %s MiB", p.MemoryMiB, p.CPU, fargate.Describe(memories))
	}
}

func (d Deployment) check(c *props.Checker) {
	switch d.Strategy {
	case BlueGreen, Linear, Canary:
	case "":
		c.Require("Props.Deployment.Strategy", false, fmt.Sprintf("give %s, %s or %s", BlueGreen, Linear, Canary))
	default:
		c.Failf("Props.Deployment.Strategy", "%q is not a strategy; give %s, %s or %s", d.Strategy, BlueGreen, Linear, Canary)
	}
	if c.Require("Props.Deployment.BakeTime", d.BakeTime != nil, "give how long the new version serves before the old one stops, such as 10 minutes") &&
		!*d.BakeTime.IsUnresolved() {
		if minutes := *d.BakeTime.ToMinutes(&awscdk.TimeConversionOptions{Integral: jsii.Bool(false)}); minutes > maxBakeMinutes {
			c.Failf("Props.Deployment.BakeTime", "%v minutes: ECS bakes for at most %v minutes", minutes, maxBakeMinutes)
		}
	}
	if d.Strategy != Linear && d.Strategy != Canary {
		return
	}
	if c.Require("Props.Deployment.StepPercent", d.StepPercent != 0, fmt.Sprintf("give the share of traffic each %s step moves, such as 10", strings.ToLower(string(d.Strategy)))) &&
		(d.StepPercent <= 0 || d.StepPercent >= 100) {
		c.Failf("Props.Deployment.StepPercent", "%v: give a share above 0 and below 100", d.StepPercent)
	}
	c.Require("Props.Deployment.StepTime", d.StepTime != nil, fmt.Sprintf("give the wait after each %s step, such as 5 minutes", strings.ToLower(string(d.Strategy))))
}

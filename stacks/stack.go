package stacks

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsroute53"
	"github.com/aws/jsii-runtime-go"

	"github.com/example/platform/lib/config"
)

// The helpers every stack file uses: where a stack goes, how it is named and tagged, and the
// environment's hosted zone. Stack files compose constructs from lib/ with them and build no
// resource themselves (stacks_test.go holds them to that).

// placement is where a stack goes: which platform, environment and region.
type placement struct {
	platform *config.Platform
	env      config.Environment
	// region is the environment's region; for the stacks an environment has once (the edge,
	// the accelerator) and the tooling account's, only its name is set.
	region config.Region
}

// at is place in another region of the same environment (the edge's, the accelerator's).
func (p placement) at(region string) placement {
	p.region = config.Region{Region: region}
	return p
}

// isPrimary reports whether place is its environment's primary region.
func (p placement) isPrimary() bool { return p.env.Primary().Region == p.region.Region }

// newStack creates an empty stack for tier at place with the platform's naming and tags.
// Construct IDs are "<region>-<tier>" inside the stage; never change them once deployed.
func newStack(stage awscdk.Stage, place placement, tier, description string, terminationProtection bool) awscdk.Stack {
	region := place.region.Region
	return awscdk.NewStack(stage, jsii.String(region+"-"+tier), &awscdk.StackProps{
		StackName:             jsii.String(StackName(place.platform.Name, place.env.Name, region, tier)),
		Env:                   &awscdk.Environment{Account: jsii.String(place.env.Account), Region: jsii.String(region)},
		Description:           jsii.String(description),
		TerminationProtection: jsii.Bool(terminationProtection),
		// With @aws-cdk/core:explicitStackTags, stack-level tags (which CloudFormation
		// propagates to every resource it can) must be given here.
		Tags: jsiiStringMap(platformTags(place.platform, place.env)),
	})
}

// platformTags are the tags every resource of an environment carries.
func platformTags(platform *config.Platform, env config.Environment) map[string]string {
	tags := map[string]string{
		"platform":    platform.Name,
		"environment": env.Name,
		"owner":       platform.Owner,
	}
	if platform.CostCentre != "" {
		tags["cost-centre"] = platform.CostCentre
	}
	return tags
}

func jsiiStringMap(m map[string]string) *map[string]*string {
	out := make(map[string]*string, len(m))
	for k, v := range m {
		out[k] = jsii.String(v)
	}
	return &out
}

// hostedZone is the environment's zone, named by config (no lookup).
func hostedZone(stack awscdk.Stack, dns *config.DNS) awsroute53.IHostedZone {
	return awsroute53.HostedZone_FromHostedZoneAttributes(stack, jsii.String("Zone"), &awsroute53.HostedZoneAttributes{
		HostedZoneId: jsii.String(dns.HostedZoneID), ZoneName: jsii.String(dns.DomainName),
	})
}

package stacks

import (
	"fmt"
	"slices"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsroute53"
	"github.com/aws/jsii-runtime-go"

	"github.com/example/platform/lib/config"
	"github.com/example/platform/lib/plan"
)

// The helpers every stack file uses: where a stack goes, how it is named and tagged, and the
// environment's hosted zone. Stack files compose constructs from lib/ with them and build no
// resource themselves (compose_test.go holds them to that).

// placement is where a stack goes: which platform, environment and region, and the stack the
// plan (lib/plan) has there.
type placement struct {
	platform *config.Platform
	env      config.Environment
	// region is the environment's region; for the stacks an environment has once (the edge,
	// the accelerator) and the tooling account's, only its name is set.
	region config.Region
	stack  plan.Stack
	// stage is the plan of the stack's stage.
	stage plan.Stage
	// runbook is the path of the platform's runbook, which its alarms name (internal/docspath).
	runbook string
}

// at is place in another region of the same environment, by name only (for names and signals
// read there, not for a stack).
func (p placement) at(region string) placement {
	p.region = config.Region{Region: region}
	return p
}

// of is place for the planned stack: in the environment's region for a regional tier; for the
// stacks an environment has once and the tooling account's, only the region's name is set.
func (p placement) of(stack plan.Stack) placement {
	p.stack, p.region = stack, config.Region{Region: stack.Region}
	if slices.Contains(plan.RegionalTiers(), stack.Tier) {
		for _, r := range p.env.Regions {
			if r.Region == stack.Region {
				p.region = r
			}
		}
	}
	return p
}

// isPrimary reports whether place is its environment's primary region.
func (p placement) isPrimary() bool { return p.env.Primary().Region == p.region.Region }

// newStack creates the empty stack the plan has at place, of tier, with its construct ID, name,
// account, region and termination protection, and the platform's tags.
func newStack(stage awscdk.Stage, place placement, tier, description string) awscdk.Stack {
	planned := place.stack
	if planned.Tier != tier {
		panic(fmt.Sprintf("stacks: a %s stack built where the plan has %q (%s)", tier, planned.Tier, planned.Name))
	}
	return awscdk.NewStack(stage, jsii.String(planned.ID), &awscdk.StackProps{
		StackName:             jsii.String(planned.Name),
		Env:                   &awscdk.Environment{Account: jsii.String(planned.Account), Region: jsii.String(planned.Region)},
		Description:           jsii.String(description),
		TerminationProtection: jsii.Bool(planned.TerminationProtection),
		// With @aws-cdk/core:explicitStackTags, stack-level tags (which CloudFormation
		// propagates to every resource it can) must be given here.
		Tags: jsiiStringMap(platformTags(place.platform, place.env)),
	})
}

// platformTags are the tags every resource of an environment carries, under the keys the
// config names (tags.keys).
func platformTags(platform *config.Platform, env config.Environment) map[string]string {
	return platform.TagsOf(env.Name)
}

func jsiiStringMap(m map[string]string) *map[string]*string {
	out := make(map[string]*string, len(m))
	for k, v := range m {
		out[k] = jsii.String(v)
	}
	return &out
}

// logRetention is the environment's log retention as CloudWatch Logs' period (lib/config
// accepts only these).
func logRetention(env config.Environment) awslogs.RetentionDays {
	period, ok := retentionPeriods[env.Monitoring.LogRetentionDays]
	if !ok {
		panic(fmt.Sprintf("stacks: monitoring.logRetentionDays %d has no CloudWatch Logs period; lib/config should have refused it", env.Monitoring.LogRetentionDays))
	}
	return period
}

var retentionPeriods = map[int]awslogs.RetentionDays{
	1: awslogs.RetentionDays_ONE_DAY, 3: awslogs.RetentionDays_THREE_DAYS, 5: awslogs.RetentionDays_FIVE_DAYS,
	7: awslogs.RetentionDays_ONE_WEEK, 14: awslogs.RetentionDays_TWO_WEEKS, 30: awslogs.RetentionDays_ONE_MONTH,
	60: awslogs.RetentionDays_TWO_MONTHS, 90: awslogs.RetentionDays_THREE_MONTHS, 120: awslogs.RetentionDays_FOUR_MONTHS,
	150: awslogs.RetentionDays_FIVE_MONTHS, 180: awslogs.RetentionDays_SIX_MONTHS, 365: awslogs.RetentionDays_ONE_YEAR,
	400: awslogs.RetentionDays_THIRTEEN_MONTHS, 545: awslogs.RetentionDays_EIGHTEEN_MONTHS, 731: awslogs.RetentionDays_TWO_YEARS,
	1096: awslogs.RetentionDays_THREE_YEARS, 1827: awslogs.RetentionDays_FIVE_YEARS, 2192: awslogs.RetentionDays_SIX_YEARS,
	2557: awslogs.RetentionDays_SEVEN_YEARS, 2922: awslogs.RetentionDays_EIGHT_YEARS, 3288: awslogs.RetentionDays_NINE_YEARS,
	3653: awslogs.RetentionDays_TEN_YEARS,
}

// hostedZone is the environment's zone, named by config (no lookup).
func hostedZone(stack awscdk.Stack, dns *config.DNS) awsroute53.IHostedZone {
	return awsroute53.HostedZone_FromHostedZoneAttributes(stack, jsii.String("Zone"), &awsroute53.HostedZoneAttributes{
		HostedZoneId: jsii.String(dns.HostedZoneID), ZoneName: jsii.String(dns.DomainName),
	})
}

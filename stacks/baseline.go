package stacks

import (
	"fmt"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/example/platform/lib/baseline"
	"github.com/example/platform/lib/compliance"
	"github.com/example/platform/lib/config"
	"github.com/example/platform/lib/plan"
)

// BaselineStage is the security baseline of every account and region the platform uses (its
// environments' regions, us-east-1 and us-west-2 of every environment account, the tooling
// account's regions), one stack per account-region however many environments share it. It is
// one stage of stacks in several accounts, each stack naming its own, and the pipeline deploys
// it first, before the tooling stage and the environments:
//
//   - a GuardDuty detector, Security Hub hub and Config recorder exist once per account-region,
//     and a stage per environment would create a second one wherever two environments share an
//     account (the second create fails);
//   - the detectors, recorders and trails are in place before anything else reaches an account,
//     so they record the platform's own creation;
//   - it costs the environments' stages none of their 50 pipeline actions each.
type BaselineStage struct {
	awscdk.Stage
	Baselines []*BaselineStack
}

// BaselineStack is the baseline of one account-region.
type BaselineStack struct {
	awscdk.Stack
	Place    plan.AccountRegion
	Baseline *baseline.Baseline
}

// NewBaselineStage adds the baseline stage to scope: a stack for each account-region of the
// plan, with the ID, name and protection the plan gives it.
func NewBaselineStage(scope constructs.Construct, planned *plan.Plan) *BaselineStage {
	p := planned.Platform
	stage := awscdk.NewStage(scope, jsii.String(config.BaselineName), nil)
	// Aspects applied to the App stop at a Stage, so each stage gets its own.
	compliance.Apply(stage)
	tags := platformTags(p, config.Environment{Name: TierBaseline})
	for key, value := range tags {
		awscdk.Tags_Of(stage).Add(jsii.String(key), jsii.String(value), nil)
	}
	places := planned.AccountRegions
	result := &BaselineStage{Stage: stage}
	for i, place := range places {
		layout := planned.Baseline.Stacks[i]
		stack := awscdk.NewStack(stage, jsii.String(layout.ID), &awscdk.StackProps{
			StackName:             jsii.String(layout.Name),
			Env:                   &awscdk.Environment{Account: jsii.String(layout.Account), Region: jsii.String(layout.Region)},
			Description:           jsii.String(fmt.Sprintf("%s security baseline of account %s (%s) in %s", p.Name, place.Account, accountUse(place), place.Region)),
			TerminationProtection: jsii.Bool(layout.TerminationProtection),
			Tags:                  jsiiStringMap(tags),
		})
		result.Baselines = append(result.Baselines, &BaselineStack{Stack: stack, Place: place,
			Baseline: baseline.New(stack, "Baseline", baselineProps(planned, place))})
	}
	return result
}

// baselineProps decide what one account-region's baseline holds: each service in the mode the
// config gives the account-region, and in the account's home region the parts an account has
// once (the trail, the Security Hub aggregator, the recording of global resources, the auditor
// role of an environment account), each where the baseline creates what it belongs to.
func baselineProps(planned *plan.Plan, place plan.AccountRegion) baseline.Props {
	p, all := planned.Platform, planned.AccountRegions
	mode := func(s config.SecurityService) baseline.Mode {
		return baselineMode(p.SecurityServiceMode(s, place.Account, place.Region))
	}
	props := baseline.Props{
		AlertDisplayName:     fmt.Sprintf("%s security %s %s", p.Name, place.Account, place.Region),
		AlertEmails:          p.AlertEmails,
		GuardDuty:            mode(config.GuardDuty),
		SecurityHub:          mode(config.SecurityHub),
		SecurityHubStandards: p.OwnsSecurityHubStandards(place.Account, place.Region),
		Config:               mode(config.ConfigRecorder),
		CloudTrail:           mode(config.CloudTrail),
		RetentionDays:        float64(p.Baseline.RetentionDays),
	}
	if !place.Home {
		return props
	}
	if props.SecurityHub == baseline.Create {
		for _, other := range all {
			// A region whose hub is off has no findings to aggregate.
			if other.Account == place.Account && !other.Home && p.SecurityServiceMode(config.SecurityHub, other.Account, other.Region).Runs() {
				props.AggregatedRegions = append(props.AggregatedRegions, other.Region)
			}
		}
	}
	props.RecordGlobalResources = props.Config == baseline.Create
	if props.CloudTrail == baseline.Create {
		props.Trail = &baseline.TrailProps{DataEventBuckets: lakeBuckets(planned, place.Account)}
	}
	if len(place.Environments) > 0 {
		props.Auditor = &baseline.AuditorProps{RoleName: AuditorRoleName(p.Name), Principals: p.AuditorPrincipals()}
	}
	return props
}

// baselineMode is the construct's mode of a config mode (lib/config refuses any other).
func baselineMode(m config.ServiceMode) baseline.Mode {
	switch m {
	case config.ServiceCreate:
		return baseline.Create
	case config.ServiceExisting:
		return baseline.Existing
	case config.ServiceOff:
		return baseline.Off
	}
	panic(fmt.Sprintf("stacks: security service mode %q; lib/config should have refused it", m))
}

// lakeBuckets are the data lake buckets of every environment in account: one per lake stack of
// the plan, in config order of the environments and their regions.
func lakeBuckets(planned *plan.Plan, account string) []string {
	var names []string
	for _, stage := range planned.Environments {
		if stage.Account != account {
			continue
		}
		for _, region := range stage.Regions() {
			if _, ok := stage.Stack(region, TierLake); ok {
				names = append(names, LakeBucketName(planned.Platform.Name, stage.Name, stage.Account, region))
			}
		}
	}
	return names
}

// accountUse says what the platform uses an account for: its environments, the tooling.
func accountUse(place plan.AccountRegion) string {
	uses := append([]string(nil), place.Environments...)
	if place.Tooling {
		uses = append(uses, ToolingEnvironment)
	}
	return strings.Join(uses, ", ")
}

// Stacks are the baseline stage's stacks, in config order.
func (s *BaselineStage) Stacks() []awscdk.Stack {
	var all []awscdk.Stack
	for _, b := range s.Baselines {
		all = append(all, b.Stack)
	}
	return all
}

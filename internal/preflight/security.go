package preflight

import (
	"context"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudtrail"
	"github.com/aws/aws-sdk-go-v2/service/configservice"
	"github.com/aws/aws-sdk-go-v2/service/guardduty"
	"github.com/aws/aws-sdk-go-v2/service/securityhub"
)

// presence is what a security service's probe found: whether it runs, what says so, or the
// error that kept the probe from knowing.
type presence struct {
	present bool
	what    string
	err     error
}

// securityProbe asks one service whether it runs in an account-region.
type securityProbe struct {
	service Service
	action  string
	// onCreate is the state when the config creates the service and it already runs;
	// onExisting when the config adopts it and it does not run; why says what happens then.
	onCreate, onExisting  State
	whyCreate, whyMissing string
	probe                 func(ctx context.Context, cfg aws.Config) presence
}

var securityProbes = []securityProbe{
	{GuardDuty, "guardduty:ListDetectors", Block, Warn,
		"a second detector cannot be created (one per account-region)",
		"the routes of high and critical findings to the alert topic receive nothing",
		func(ctx context.Context, cfg aws.Config) presence {
			got, err := guardduty.NewFromConfig(cfg).ListDetectors(ctx, &guardduty.ListDetectorsInput{})
			if err != nil {
				return presence{err: err}
			}
			return presence{present: len(got.DetectorIds) > 0, what: "detector " + strings.Join(got.DetectorIds, ", ")}
		}},
	{SecurityHub, "securityhub:DescribeHub", Block, Block,
		"Security Hub is already enabled: the hub cannot be created again",
		"the Security Hub standards and finding routes need an enabled hub",
		func(ctx context.Context, cfg aws.Config) presence {
			got, err := securityhub.NewFromConfig(cfg).DescribeHub(ctx, &securityhub.DescribeHubInput{})
			if code(err) == "InvalidAccessException" || notFound(err) { // "not subscribed to AWS Security Hub"
				return presence{}
			}
			if err != nil {
				return presence{err: err}
			}
			return presence{present: true, what: "hub " + aws.ToString(got.HubArn)}
		}},
	{ConfigRecorder, "config:DescribeConfigurationRecorders", Block, Block,
		"AWS Config allows one configuration recorder per account-region",
		"the Config rules cannot be created without a configuration recorder",
		func(ctx context.Context, cfg aws.Config) presence {
			got, err := configservice.NewFromConfig(cfg).DescribeConfigurationRecorders(ctx, &configservice.DescribeConfigurationRecordersInput{})
			if err != nil {
				return presence{err: err}
			}
			var names []string
			for _, r := range got.ConfigurationRecorders {
				names = append(names, aws.ToString(r.Name))
			}
			return presence{present: len(names) > 0, what: "recorder " + strings.Join(names, ", ")}
		}},
	{CloudTrail, "cloudtrail:DescribeTrails", Warn, Warn,
		"a trail already records this account-region: a second trail records every event twice and costs more",
		"no multi-region or organization trail records the account's API activity",
		func(ctx context.Context, cfg aws.Config) presence {
			got, err := cloudtrail.NewFromConfig(cfg).DescribeTrails(ctx, &cloudtrail.DescribeTrailsInput{IncludeShadowTrails: aws.Bool(true)})
			if err != nil {
				return presence{err: err}
			}
			for _, trail := range got.TrailList {
				if aws.ToBool(trail.IsMultiRegionTrail) || aws.ToBool(trail.IsOrganizationTrail) {
					return presence{present: true, what: "trail " + aws.ToString(trail.Name)}
				}
			}
			return presence{}
		}},
}

// SecurityServices compares GuardDuty, Security Hub, Config and CloudTrail as they run in
// every target with the mode the config asks for there.
func SecurityServices(ctx context.Context, in *Inputs) []Finding {
	var out []Finding
	for _, t := range in.Targets {
		cfg, missing := in.config(ctx, t, "security services")
		if missing != nil {
			out = append(out, *missing)
			continue
		}
		for _, p := range securityProbes {
			out = append(out, p.finding(t, in.Modes(p.service, t.Account, t.Region), p.probe(ctx, cfg)))
		}
	}
	return out
}

func (p securityProbe) finding(t Target, mode Mode, got presence) Finding {
	check := string(p.service)
	if got.err != nil {
		return couldNot(t, check, p.action, got.err)
	}
	f := Finding{Account: t.Account, Region: t.Region, Check: check, State: OK}
	field := "baseline." + string(p.service)
	switch {
	case mode == Create && got.present:
		f.State, f.Detail = p.onCreate, "mode create, but "+got.what+" exists: "+p.whyCreate
		f.Fix = "set " + field + " to existing for account " + t.Account + " in " + t.Region
	case mode == Existing && !got.present:
		f.State, f.Detail = p.onExisting, "mode existing, but it does not run here: "+p.whyMissing
		f.Fix = "enable it (or have the organization's administrator enable it), or set " + field + " to create"
	case got.present:
		f.Detail = "mode " + string(mode) + "; " + got.what + " runs"
	default:
		f.Detail = "mode " + string(mode) + "; not running"
	}
	return f
}

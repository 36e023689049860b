package preflight

import (
	"context"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
)

// Regions probes CloudFormation in every target (issue #30): Control Tower's Region deny
// control refuses every call outside the landing zone's governed regions with an explicit deny
// in a service control policy, CloudFormation's included, so the region's stacks cannot deploy.
func Regions(ctx context.Context, in *Inputs) []Finding {
	const check = "governed region"
	var out []Finding
	for _, t := range in.Targets {
		cfg, missing := in.config(ctx, t, check)
		if missing != nil {
			out = append(out, *missing)
			continue
		}
		_, err := cloudformation.NewFromConfig(cfg).DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String("CDKToolkit")})
		switch {
		case err == nil || (code(err) == "ValidationError" && strings.Contains(err.Error(), "does not exist")):
			out = append(out, Finding{Account: t.Account, Region: t.Region, Check: check, State: OK, Detail: "CloudFormation answers in " + t.Region})
		case explicitDeny(err):
			out = append(out, Finding{Account: t.Account, Region: t.Region, Check: check, State: Block,
				Detail: "cloudformation:DescribeStacks meets an explicit deny in a service control policy: " + t.Region + " is not a governed region",
				Fix:    "add " + t.Region + " to the landing zone's governed regions (Control Tower > Landing zone settings), or lift the region deny for this account"})
		default:
			out = append(out, couldNot(t, check, "cloudformation:DescribeStacks", err))
		}
	}
	return out
}

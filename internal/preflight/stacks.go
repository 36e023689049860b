package preflight

import (
	"context"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
)

// Stacks looks for the assembly's stacks left behind by an earlier attempt in a state the next
// deployment cannot start from: a failed rollback or delete (CloudFormation refuses to update
// it), a failed create rolled back (ROLLBACK_COMPLETE: it must be deleted before it is created
// again), or an operation still running.
func Stacks(ctx context.Context, in *Inputs) []Finding {
	const check = "stack states"
	var out []Finding
	for _, t := range in.Targets {
		stacks := in.Assembly.stacksIn(t)
		if len(stacks) == 0 {
			continue
		}
		cfg, missing := in.config(ctx, t, check)
		if missing != nil {
			out = append(out, *missing)
			continue
		}
		client := cloudformation.NewFromConfig(cfg)
		var found []Finding
		for _, s := range stacks {
			got, err := client.DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String(s.Name)})
			if code(err) == "ValidationError" && strings.Contains(err.Error(), "does not exist") {
				continue
			}
			if err != nil {
				found = append(found, couldNot(t, check, "cloudformation:DescribeStacks", err))
				break
			}
			if len(got.Stacks) == 0 {
				continue
			}
			if f, bad := stackState(t, s.Name, string(got.Stacks[0].StackStatus)); bad {
				found = append(found, f)
			}
		}
		if len(found) == 0 {
			found = append(found, Finding{Account: t.Account, Region: t.Region, Check: check, State: OK,
				Detail: fmt.Sprintf("none of the %d stacks is failed or busy", len(stacks))})
		}
		out = append(out, found...)
	}
	return out
}

// stackState is the finding for a stack in status, and whether it is one.
func stackState(t Target, stack, status string) (Finding, bool) {
	f := Finding{Account: t.Account, Region: t.Region, Check: "stack " + stack, State: Block, Detail: stack + " is " + status}
	switch {
	case status == "ROLLBACK_COMPLETE":
		f.Detail += ": its first create failed, and CloudFormation cannot update it"
		f.Fix = "aws cloudformation delete-stack --stack-name " + stack + " --region " + t.Region + " (after reading its events for the cause)"
	case strings.HasSuffix(status, "_FAILED"):
		f.Detail += ": CloudFormation cannot update it until it is recovered"
		f.Fix = "see docs/deploying.md, \"When a first deployment fails\""
	case strings.HasSuffix(status, "_IN_PROGRESS"):
		f.State, f.Detail = Warn, f.Detail+": an operation is still running"
		f.Fix = "wait for it to finish, then run the preflight again"
	default:
		return f, false
	}
	return f, true
}

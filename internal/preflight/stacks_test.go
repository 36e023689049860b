package preflight

import (
	"context"
	"testing"

	"github.com/example/platform/internal/assembly"
)

func stackFindings(t *testing.T, answer reply) []Finding {
	in := newStub(t, map[string]reply{"DescribeStacks": answer})
	in.Targets = []Target{target}
	in.Assembly = &Assembly{Stacks: []*assembly.Stack{{Name: "acme-prod-eu-west-1-data", Account: target.Account, Region: target.Region}}}
	return Stacks(context.Background(), in)
}

func described(status string) reply {
	return ok(`<DescribeStacksResponse><DescribeStacksResult><Stacks><member><StackName>acme-prod-eu-west-1-data</StackName><StackStatus>` + status +
		`</StackStatus><CreationTime>2026-01-01T00:00:00Z</CreationTime></member></Stacks></DescribeStacksResult></DescribeStacksResponse>`)
}

func TestStacks_NoStackYetOrADeployedOnePasses(t *testing.T) {
	expect(t, only(t, stackFindings(t, xmlError(400, "ValidationError", "Stack with id acme-prod-eu-west-1-data does not exist")), "stack states"), OK, "none of the 1 stacks")
	expect(t, only(t, stackFindings(t, described("UPDATE_COMPLETE")), "stack states"), OK, "none of the 1 stacks")
}

func TestStacks_AStackAFailedAttemptLeftBlocks(t *testing.T) {
	expect(t, only(t, stackFindings(t, described("ROLLBACK_COMPLETE")), "stack acme-prod-eu-west-1-data"), Block, "aws cloudformation delete-stack --stack-name acme-prod-eu-west-1-data")
	expect(t, only(t, stackFindings(t, described("UPDATE_ROLLBACK_FAILED")), "stack acme-prod-eu-west-1-data"), Block, "When a first deployment fails")
	expect(t, only(t, stackFindings(t, described("CREATE_IN_PROGRESS")), "stack acme-prod-eu-west-1-data"), Warn, "still running")
}

package preflight

import (
	"context"
	"testing"
)

func regionFinding(t *testing.T, answer reply) Finding {
	in := newStub(t, map[string]reply{"DescribeStacks": answer})
	in.Targets = []Target{target}
	return only(t, Regions(context.Background(), in), "governed region")
}

func TestRegions_ARegionWhereCloudFormationAnswersPasses(t *testing.T) {
	expect(t, regionFinding(t, xmlError(400, "ValidationError", "Stack with id CDKToolkit does not exist")), OK, "answers")
	expect(t, regionFinding(t, ok(`<DescribeStacksResponse><DescribeStacksResult><Stacks/></DescribeStacksResult></DescribeStacksResponse>`)), OK, "answers")
}

func TestRegions_AnExplicitDenyInAServiceControlPolicyBlocks(t *testing.T) {
	deny := xmlError(403, "AccessDenied", "User: arn:aws:sts::111111111111:assumed-role/x/y is not authorized to perform: cloudformation:DescribeStacks with an explicit deny in a service control policy")
	expect(t, regionFinding(t, deny), Block, "add eu-west-1 to the landing zone's governed regions")
}

func TestRegions_AnotherRefusalIsCouldNotCheck(t *testing.T) {
	expect(t, regionFinding(t, xmlError(403, "AccessDenied", "not authorized")), Unknown, "needs cloudformation:DescribeStacks")
}

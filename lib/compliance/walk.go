package compliance

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/constructs-go/constructs/v10"
)

// Enforce applies Control Tower's controls that CDK's constructs leave to their users to every
// construct under scope as it is now: the grant guard on every KMS key (GuardGrants) and
// EventBridge notifications on every bucket (NotifyBucketEvents). Call it once the scope is
// built, on the App and on every Stage: CDK Pipelines synthesizes a stage when it adds it, so
// call it on a stage before that.
//
// It walks the tree once from Go rather than registering aspects: CDK calls a Go aspect across
// the jsii process boundary for every construct of the app (about 5,400 round trips, a fifth of
// a synthesis), while one walk fetches the constructs in one call and checks their types in Go.
func Enforce(scope constructs.IConstruct) {
	walk(scope, guardGrant, notifyBucketEvents)
}

// walk calls each visit with every construct under scope, scope's own stacks' and the rest, but
// not those of a nested Stage: a stage is walked on its own, before the pipeline synthesizes it.
func walk(scope constructs.IConstruct, visits ...func(constructs.IConstruct)) {
	for _, child := range *scope.Node().Children() {
		if _, isStage := child.(awscdk.Stage); isStage {
			continue
		}
		for _, c := range *child.Node().FindAll(constructs.ConstructOrder_PREORDER) {
			for _, visit := range visits {
				visit(c)
			}
		}
	}
}

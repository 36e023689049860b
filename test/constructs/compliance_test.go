package constructs_test

import (
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"
	"github.com/aws/jsii-runtime-go"

	"github.com/example/platform/lib/compliance"
	"github.com/example/platform/lib/props/propstest"
)

// A finding accepted under a rule the pack does not have, or without a reason cdk-nag accepts,
// would suppress nothing (or fail the synthesis far from here).
func TestCompliance_AcceptThrowsOnAFindingWithoutARuleOrReason(t *testing.T) {
	stack := awscdk.NewStack(awscdk.NewApp(nil), jsii.String("Test"), nil)
	topic := awssns.NewTopic(stack, jsii.String("Topic"), nil)
	propstest.Panics(t, func() {
		compliance.Accept(topic, compliance.Accepted{Rule: "AwsSolution-SNS3", Reason: "short"})
	}, "compliance.Accept(Test/Topic): 2 problems:",
		`findings[0].Rule "AwsSolution-SNS3" is not a rule of the AwsSolutions pack`,
		`findings[0].Reason "short": cdk-nag wants a reason of at least 10 characters`)
	propstest.Panics(t, func() { compliance.Accept(topic) }, "findings is required")
}

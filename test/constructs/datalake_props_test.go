package constructs_test

import (
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/jsii-runtime-go"

	"github.com/example/platform/lib/datalake"
	"github.com/example/platform/lib/props/propstest"
)

func TestDataLake_ThrowsOnABadOrMissingRequiredProp(t *testing.T) {
	stack := awscdk.NewStack(awscdk.NewApp(nil), jsii.String("Test"), nil)
	propstest.Panics(t, func() {
		datalake.New(stack, "Lake", datalake.Props{Key: awskms.NewKey(stack, jsii.String("Key"), nil)})
	},
		"datalake.New(Test/Lake): Props.BucketName is required")
	propstest.Panics(t, func() {
		datalake.New(stack, "Lake2", datalake.Props{BucketName: "Acme_Lake", Destinations: []datalake.Destination{{Region: "eu-west-1", BucketName: "acme-eu"}}})
	}, `Props.BucketName "Acme_Lake" is not a bucket name`, "Props.Key is required", "Props.Destinations[0].KeyArn is required")
}

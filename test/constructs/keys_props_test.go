package constructs_test

import (
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"

	"github.com/example/platform/lib/keys"
	"github.com/example/platform/lib/props/propstest"
)

// bareStack is a stack of an App without cdk.json's context, for the props checks, which panic
// before anything is synthesized.
func bareStack() awscdk.Stack {
	return awscdk.NewStack(awscdk.NewApp(nil), jsii.String("Test"), &awscdk.StackProps{
		Env: &awscdk.Environment{Account: jsii.String("111111111111"), Region: jsii.String("eu-west-1")},
	})
}

func TestKeys_ThrowsOnABadOrMissingRequiredProp(t *testing.T) {
	propstest.Panics(t, func() { keys.NewPrimary(bareStack(), "Key", keys.Props{}) },
		"keys.NewPrimary(Test/Key): Props.Alias is required; give the alias every region's key has, such as alias/acme/prod")
	propstest.Panics(t, func() { keys.NewPrimary(bareStack(), "Key", keys.Props{Alias: "acme/prod"}) },
		`Props.Alias "acme/prod" does not start with alias/`)
	propstest.Panics(t, func() { keys.NewPrimary(bareStack(), "Key", keys.Props{Alias: "alias/aws/acme"}) },
		"alias/aws/ is reserved for AWS managed keys")
	propstest.Panics(t, func() { keys.NewReplica(bareStack(), "Key", nil, keys.Props{Alias: "alias/acme/prod"}) },
		"keys.NewReplica(Test/Key): primaryKeyArn is required; give the ARN of the multi-region primary key")
}

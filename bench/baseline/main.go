// Command baseline is the smallest CDK Go app worth synthesizing, one S3 bucket: what the
// toolchain (Go, jsii, Node, the CDK CLI) costs before the platform adds anything. `make bench`
// compares the platform's synthesis with it.
package main

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/jsii-runtime-go"
)

func main() {
	defer jsii.Close()
	app := awscdk.NewApp(nil)
	stack := awscdk.NewStack(app, jsii.String("baseline"), &awscdk.StackProps{
		Env: &awscdk.Environment{Account: jsii.String("111111111111"), Region: jsii.String("us-east-1")},
	})
	awss3.NewBucket(stack, jsii.String("Bucket"), nil)
	app.Synth(nil)
}

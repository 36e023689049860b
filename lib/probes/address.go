package probes

import (
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2/awsssm"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/example/platform/lib/props"
)

// PublishAddress writes url, a base URL such as https://example.com, to the SSM parameter name
// in scope's region, where canaries read it (Address.Parameter). The name is fixed, so that
// canaries in any region find it without a reference; the parameter goes with its stack, so
// neither a failed create nor a teardown leaves it to block the next create. A canary that reads
// it deploys after its stack, and fails a check whose parameter is gone (its stack deleted).
func PublishAddress(scope constructs.Construct, id, name string, url *string) awsssm.StringParameter {
	c := props.Check(scope, id, "probes.PublishAddress")
	if c.Require("name", name != "", "give the parameter's name, such as /acme/prod/probes/site-url") && !strings.HasPrefix(name, "/") {
		c.Failf("name", "%q: give a name starting with /", name)
	}
	c.Require("url", url != nil, "give the base URL, such as https://example.com")
	c.Done()
	return awsssm.NewStringParameter(scope, jsii.String(id), &awsssm.StringParameterProps{
		ParameterName: jsii.String(name),
		StringValue:   url,
		Description:   jsii.String("Where the platform's canaries call (lib/probes); written by the stack that makes this address"),
		Tier:          awsssm.ParameterTier_STANDARD,
	})
}

package constructs_test

import (
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/jsii-runtime-go"

	"github.com/example/platform/lib/props/propstest"
	"github.com/example/platform/lib/table"
)

func TestTable_ThrowsOnABadOrMissingRequiredProp(t *testing.T) {
	stack := func() awscdk.Stack {
		return awscdk.NewStack(awscdk.NewApp(nil), jsii.String("Test"), &awscdk.StackProps{
			Env: &awscdk.Environment{Account: jsii.String("111111111111"), Region: jsii.String("us-east-1")},
		})
	}
	propstest.Panics(t, func() { table.New(stack(), "Table", table.Props{TableName: "acme-prod-main"}) },
		"table.New(Test/Table): Props.Key is required")
	s := stack()
	propstest.Panics(t, func() {
		table.New(s, "Table", table.Props{TableName: "acme prod", Key: awskms.NewKey(s, jsii.String("Key"), nil),
			Replicas: []table.Replica{{Region: "eu-west-1"}}})
	}, `Props.TableName "acme prod" is not a table name`, "Props.Replicas[0].KeyArn is required")
}

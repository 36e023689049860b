package constructs_test

import (
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"

	"github.com/example/platform/lib/logbucket"
	"github.com/example/platform/lib/props/propstest"
)

func TestLogBucket_ThrowsWithoutAnExpiration(t *testing.T) {
	stack := awscdk.NewStack(awscdk.NewApp(nil), jsii.String("Test"), nil)
	propstest.Panics(t, func() { logbucket.New(stack, "AccessLogs", 0) },
		"logbucket.New(Test/AccessLogs): expirationDays 0: give the whole number of days the logs are kept, at least 1")
	propstest.Panics(t, func() { logbucket.NewWithACLs(stack, "Logs", 0.5) }, "logbucket.NewWithACLs(Test/Logs): expirationDays 0.5")
}

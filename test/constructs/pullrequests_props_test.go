package constructs_test

import (
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscodecommit"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/jsii-runtime-go"

	"github.com/example/platform/lib/props/propstest"
	"github.com/example/platform/lib/pullrequests"
)

func TestPullRequests_ThrowsOnABadOrMissingRequiredProp(t *testing.T) {
	for _, c := range []struct {
		name   string
		adjust func(awscdk.Stack, *pullrequests.Props)
		want   string
	}{
		{"no repository", func(awscdk.Stack, *pullrequests.Props) {},
			"pullrequests.New(Test/PullRequests): Props.GitHubRepository is required; or Props.CodeCommit: give the repository whose pull requests are checked"},
		{"both repositories", func(s awscdk.Stack, p *pullrequests.Props) {
			p.GitHubRepository, p.ConnectionArn = "acme/platform", connection
			p.CodeCommit = awscodecommit.Repository_FromRepositoryName(s, jsii.String("Repo"), jsii.String("platform"))
		}, "Props.GitHubRepository and Props.CodeCommit are both set; set exactly one"},
		{"GitHub without a connection", func(_ awscdk.Stack, p *pullrequests.Props) { p.GitHubRepository = "acme/platform" },
			"Props.ConnectionArn is required; give the CodeConnections connection CodeBuild reaches GitHub through"},
		{"no lookup roles", func(_ awscdk.Stack, p *pullrequests.Props) {
			p.GitHubRepository, p.ConnectionArn, p.LookupRoleArns = "acme/platform", connection, nil
		}, "Props.LookupRoleArns is required"},
	} {
		t.Run(c.name, func(t *testing.T) {
			stack := awscdk.NewStack(awscdk.NewApp(nil), jsii.String("Test"), nil)
			p := pullrequests.Props{Config: "config/acme.json", LookupRoleArns: lookupRoles, Key: awskms.NewKey(stack, jsii.String("Key"), nil)}
			c.adjust(stack, &p)
			propstest.Panics(t, func() { pullrequests.New(stack, "PullRequests", p) }, c.want)
		})
	}
}

package constructs_test

import (
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/jsii-runtime-go"

	"github.com/example/platform/lib/props/propstest"
	"github.com/example/platform/lib/registry"
)

func TestRegistry_ThrowsOnABadOrMissingRequiredProp(t *testing.T) {
	for _, c := range []struct {
		name  string
		props registry.Props
		want  string
	}{
		{"no name", registry.Props{PullAccounts: []string{"111111111111"}, KeepDeployed: 30},
			"registry.New(Test/Registry): Props.RepositoryName is required"},
		{"name ECR refuses", registry.Props{RepositoryName: "Acme/API", PullAccounts: []string{"111111111111"}, KeepDeployed: 30},
			`Props.RepositoryName "Acme/API" is not a repository name`},
		{"no pulling account", registry.Props{RepositoryName: "acme/api", KeepDeployed: 30}, "Props.PullAccounts is required"},
		{"account that is no ID", registry.Props{RepositoryName: "acme/api", PullAccounts: []string{"prod"}, KeepDeployed: 30},
			`Props.PullAccounts[0] "prod" is not an account ID`},
		// lib/config owns service.keepDeployedImages' default; the construct no longer has its own.
		{"no deployed images kept", registry.Props{RepositoryName: "acme/api", PullAccounts: []string{"111111111111"}},
			"Props.KeepDeployed is required; give how many deployed images to keep for rollbacks (lib/config's service.keepDeployedImages)"},
	} {
		t.Run(c.name, func(t *testing.T) {
			stack := awscdk.NewStack(awscdk.NewApp(nil), jsii.String("Test"), nil)
			propstest.Panics(t, func() { registry.New(stack, "Registry", c.props) }, c.want)
		})
	}
}

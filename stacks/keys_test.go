package stacks

import (
	"slices"
	"testing"

	"github.com/example/platform/lib/config"
	"github.com/example/platform/lib/plan"
)

// CloudFront in us-east-1 and every load balancer resolve the origin secret in their own
// region, so it must exist in each, once.
func TestOriginSecret_IsCopiedToEverySecondaryAndToTheEdgesRegion(t *testing.T) {
	regions := func(codes ...string) config.Environment {
		var env config.Environment
		for _, code := range codes {
			env.Regions = append(env.Regions, config.Region{Region: code})
		}
		return env
	}
	for _, c := range []struct {
		env  config.Environment
		want []string
	}{
		{regions("us-east-1", "eu-west-1"), []string{"eu-west-1"}},                        // the primary is the edge's region
		{regions("eu-west-1", "us-east-1"), []string{"us-east-1"}},                        // a secondary is
		{regions("eu-west-1", "ap-southeast-2"), []string{"ap-southeast-2", "us-east-1"}}, // neither
		{regions("eu-west-1"), []string{"us-east-1"}},
	} {
		c.env.Name = "prod"
		stage, _ := plan.New(&config.Platform{Name: "acme", Environments: []config.Environment{c.env}}).Environment("prod")
		if got := originSecretReplicaRegions(placement{env: c.env, stage: stage}); !slices.Equal(got, c.want) {
			t.Errorf("regions %v: replicas %v, want %v", c.env.Regions, got, c.want)
		}
	}
}

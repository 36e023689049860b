package stacks

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/example/platform/lib/compliance"
	"github.com/example/platform/lib/config"
	"github.com/example/platform/lib/plan"
	"github.com/example/platform/lib/registry"
)

// ToolingStage is what the tooling account holds for the environments, deployed by the
// pipeline before any of them: the service's image repository in every region an environment
// runs in. The pipeline's Image step pushes each release to all of them, so every region pulls
// the same digest from its own region.
type ToolingStage struct {
	awscdk.Stage
	Registries []*RegistryStack
}

// RegistryStack is the image repository in one region of the tooling account. It holds the
// releases rollbacks go back to, so it is protected like the environments' stateful stacks.
type RegistryStack struct {
	awscdk.Stack
	Region   string
	Registry *registry.Registry
}

// NewToolingStage adds the tooling stage to scope: the plan's image repositories, one per
// region an environment runs its service in.
func NewToolingStage(scope constructs.Construct, planned *plan.Plan) *ToolingStage {
	p := planned.Platform
	tooling := config.Environment{Name: ToolingEnvironment, Account: p.Pipeline.Account}
	stage := awscdk.NewStage(scope, jsii.String(ToolingEnvironment), &awscdk.StageProps{
		Env: &awscdk.Environment{Account: jsii.String(p.Pipeline.Account)},
	})
	compliance.Apply(stage)
	for key, value := range platformTags(p, tooling) {
		awscdk.Tags_Of(stage).Add(jsii.String(key), jsii.String(value), nil)
	}
	result := &ToolingStage{Stage: stage}
	place := placement{platform: p, env: tooling}
	for _, layout := range planned.Tooling.OfTier(TierRegistry) {
		region := layout.Region
		stack := newStack(stage, place.of(layout), TierRegistry,
			fmt.Sprintf("%s image repository in %s: the releases every environment there runs", p.Name, region))
		result.Registries = append(result.Registries, &RegistryStack{Stack: stack, Region: region, Registry: registry.New(stack, "Registry", registry.Props{
			RepositoryName: RepositoryName(p.Name, p.Service.Name),
			PullAccounts:   planned.PullAccounts(region),
			KeepDeployed:   p.Service.KeepDeployedImages,
		})})
	}
	return result
}

// Regions are the regions of the stage's image repositories, sorted.
func (s *ToolingStage) Regions() []string {
	var regions []string
	for _, r := range s.Registries {
		regions = append(regions, r.Region)
	}
	return regions
}

// Stacks are the tooling stage's stacks.
func (s *ToolingStage) Stacks() []awscdk.Stack {
	var all []awscdk.Stack
	for _, r := range s.Registries {
		all = append(all, r.Stack)
	}
	return all
}

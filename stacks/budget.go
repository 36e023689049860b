package stacks

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssns"

	"github.com/example/platform/lib/budget"
	"github.com/example/platform/lib/config"
)

// BudgetNamePrefix begins the environment's budget name (lib/budget appends a hash): AWS
// Budgets takes one budget of a name per account, and environments sharing an account differ by
// name.
func BudgetNamePrefix(platform, environment string) string {
	return fmt.Sprintf("%s-%s-monthly", platform, environment)
}

// newEnvironmentBudget is the environment's cost budget, telling topic (the primary region's
// alert topic, which admits AWS Budgets). It lives in the primary region's app stack only: the
// Budgets API is global, so a budget in every region would be the same budget created twice.
// Where the account holds another environment or the tooling stacks, it counts only the costs
// tagged with the environment's name.
func newEnvironmentBudget(stack awscdk.Stack, place placement, topic awssns.ITopic) *budget.Budget {
	p, env := place.platform, place.env
	props := budget.Props{Name: BudgetNamePrefix(p.Name, env.Name), LimitUSD: float64(env.Budget.MonthlyUSD), Topic: topic}
	if accountShared(p, env) {
		props.TagKey, props.TagValue = config.EnvironmentTagKey(p), env.Name
	}
	b := budget.New(stack, "Budget", props)
	// The topic's policy admitting AWS Budgets is a child of the topic: create it first, so the
	// budget's first notification finds it.
	b.Node().AddDependency(topic)
	return b
}

// accountShared reports whether env's account holds another environment or the tooling stacks.
func accountShared(p *config.Platform, env config.Environment) bool {
	if p.Pipeline.Account == env.Account {
		return true
	}
	for _, other := range p.Environments {
		if other.Name != env.Name && other.Account == env.Account {
			return true
		}
	}
	return false
}

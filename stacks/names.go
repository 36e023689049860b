package stacks

import "strings"

// Tiers name the stacks of an environment; each region has one stack per regional tier.
const (
	TierNetwork = "network"
)

// StackName is the CloudFormation name of a stack: <platform>-<env>-<region>-<tier>, so that a
// stack is recognisable in any account's console without opening it.
func StackName(platform, environment, region, tier string) string {
	return strings.Join([]string{platform, environment, region, tier}, "-")
}

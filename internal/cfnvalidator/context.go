package cfnvalidator

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/constructs-go/constructs/v10"
)

// Context is what CDK hands a validation plugin during synthesis, built from stacks already
// synthesized: what a validator's process hands CDK's validator.
type Context struct {
	stacks []*awscdk.PolicyValidationStack
}

// NewContext is the context of stacks.
func NewContext(stacks []*awscdk.PolicyValidationStack) *Context {
	return &Context{stacks: stacks}
}

// AppConstruct is nil: the validator reads the templates, never the construct tree, and its
// process has none.
func (c *Context) AppConstruct() constructs.IConstruct { return nil }

func (c *Context) StackTemplates() *[]*awscdk.PolicyValidationStack { return &c.stacks }

func (c *Context) TemplatePaths() *[]*string {
	paths := make([]*string, len(c.stacks))
	for i, s := range c.stacks {
		paths[i] = s.TemplatePath
	}
	return &paths
}

// AccountId and Region are the account and region every stack shares, or nil, as CDK sets them.
func (c *Context) AccountId() *string {
	return shared(c.stacks, func(s *awscdk.PolicyValidationStack) *string { return s.AccountId })
}

func (c *Context) Region() *string {
	return shared(c.stacks, func(s *awscdk.PolicyValidationStack) *string { return s.Region })
}

func shared(stacks []*awscdk.PolicyValidationStack, field func(*awscdk.PolicyValidationStack) *string) *string {
	if len(stacks) == 0 || field(stacks[0]) == nil {
		return nil
	}
	for _, s := range stacks[1:] {
		if v := field(s); v == nil || *v != *field(stacks[0]) {
			return nil
		}
	}
	return field(stacks[0])
}

package props

import (
	"fmt"
	"regexp"

	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/jsii-runtime-go"
)

var (
	accountID = regexp.MustCompile(`^\d{12}$`)
	// principalArn is an account's root, an IAM role or an IAM user, as lib/config's
	// pipeline.approvers and baseline.auditors take them.
	principalArn = regexp.MustCompile(`^arn:aws:iam::\d{12}:(root|(role|user)/.+)$`)
)

// Principals checks that field lists who may assume a role: at least one account ID or IAM
// role or user ARN, and nothing else.
func (c *Checker) Principals(field string, values []string) {
	c.Require(field, len(values) > 0, "list who may assume the role: account IDs or IAM role or user ARNs")
	for i, value := range values {
		if !IsPrincipal(value) {
			c.Failf(fmt.Sprintf("%s[%d]", field, i), "%q is neither an account ID nor an IAM role or user ARN", value)
		}
	}
}

// IsPrincipal is whether value is an account ID or an IAM root, role or user ARN.
func IsPrincipal(value string) bool {
	return accountID.MatchString(value) || principalArn.MatchString(value)
}

// PrincipalsOf are the IAM principals of values that Principals accepted: an account ID trusts
// the account (its IAM policies decide who), an ARN exactly that role or user.
func PrincipalsOf(values []string) []awsiam.IPrincipal {
	var principals []awsiam.IPrincipal
	for _, value := range values {
		if accountID.MatchString(value) {
			principals = append(principals, awsiam.NewAccountPrincipal(jsii.String(value)))
		} else {
			principals = append(principals, awsiam.NewArnPrincipal(jsii.String(value)))
		}
	}
	return principals
}

// userPattern is an IAM user's ARN.
var userPattern = regexp.MustCompile(`^arn:aws:iam::\d{12}:user/.+$`)

// PeopleOf are PrincipalsOf for a role that people assume to decide something: an IAM user among
// values may assume it only when signed in with MFA (aws:MultiFactorAuthPresent); a role's
// sessions carry no MFA flag of their own, so roles are trusted as they are.
func PeopleOf(values []string) []awsiam.IPrincipal {
	var principals []awsiam.IPrincipal
	for _, value := range values {
		switch {
		case accountID.MatchString(value):
			principals = append(principals, awsiam.NewAccountPrincipal(jsii.String(value)))
		case userPattern.MatchString(value):
			principals = append(principals, awsiam.NewArnPrincipal(jsii.String(value)).WithConditions(&map[string]any{
				"Bool": map[string]any{"aws:MultiFactorAuthPresent": "true"},
			}))
		default:
			principals = append(principals, awsiam.NewArnPrincipal(jsii.String(value)))
		}
	}
	return principals
}

// Package compliance applies the platform's compliance rules (cdk-nag's AwsSolutions pack) and
// records the platform's reasons for the findings it accepts.
package compliance

import (
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"
)

// Apply checks every resource under scope against the AwsSolutions pack at synthesis. Apply it
// to the App and to every Stage: aspects do not cross into nested stages.
func Apply(scope constructs.IConstruct) {
	awscdk.Aspects_Of(scope).Add(
		cdknag.NewAwsSolutionsChecks(&cdknag.NagPackProps{Verbose: jsii.Bool(true)}),
		// Read-only priority: the checks see the tree after every mutating aspect has run.
		&awscdk.AspectOptions{Priority: awscdk.AspectPriority_READONLY()},
	)
}

// Accepted is one AwsSolutions finding the platform accepts, and why.
type Accepted struct {
	Rule string
	// Reason says why the finding does not apply or is the right trade-off: a reviewer must be
	// able to judge it without reading the code.
	Reason string
	// AppliesTo narrows a granular rule (IAM4, IAM5) to the named findings, such as
	// "Resource::*": anything else the rule finds later is still reported. An entry written
	// /like this/ is a regular expression, for findings that name a token.
	AppliesTo []string
}

// Accept records findings accepted for resource and everything under it. Call it next to the
// code that creates the resource, so the reason sits beside what it excuses.
func Accept(resource constructs.IConstruct, findings ...Accepted) {
	suppressions := make([]*cdknag.NagPackSuppression, len(findings))
	for i, f := range findings {
		suppressions[i] = &cdknag.NagPackSuppression{Id: jsii.String(f.Rule), Reason: jsii.String(f.Reason)}
		if len(f.AppliesTo) > 0 {
			appliesTo := make([]any, len(f.AppliesTo))
			for j, finding := range f.AppliesTo {
				if len(finding) > 1 && strings.HasPrefix(finding, "/") && strings.HasSuffix(finding, "/") {
					appliesTo[j] = map[string]string{"regex": finding}
				} else {
					appliesTo[j] = finding
				}
			}
			suppressions[i].AppliesTo = &appliesTo
		}
	}
	cdknag.NagSuppressions_AddResourceSuppressions(resource, &suppressions, jsii.Bool(true))
}

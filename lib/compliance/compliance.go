// Package compliance applies the platform's compliance rules (cdk-nag's AwsSolutions pack) and
// records the platform's reasons for the findings it accepts.
package compliance

import (
	"fmt"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
	"github.com/cdklabs/cdk-nag-go/cdknag/v2"

	"github.com/example/platform/lib/props"
)

// Apply checks every resource under scope against the AwsSolutions pack at synthesis (an aspect,
// which runs in CDK's process). Apply it to the App and to every Stage when it is created: aspects
// do not cross into nested stages. Enforce adds what Control Tower's controls ask once it is built.
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
	check(resource, findings)
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

// rulePrefix starts the ID of every rule in the pack Apply runs: a finding accepted under another
// name would suppress nothing.
const rulePrefix = "AwsSolutions-"

// minReason is the shortest reason cdk-nag accepts.
const minReason = 10

// check fails with every problem of findings, the way a construct fails: a panic naming the
// resource's path.
func check(resource constructs.IConstruct, findings []Accepted) {
	c := props.Check(resource, "", "compliance.Accept")
	c.Require("findings", len(findings) > 0, "give the rule accepted and the reason")
	for i, f := range findings {
		field := fmt.Sprintf("findings[%d]", i)
		if c.Require(field+".Rule", f.Rule != "", "give the cdk-nag rule, such as AwsSolutions-IAM5") && !strings.HasPrefix(f.Rule, rulePrefix) {
			c.Failf(field+".Rule", "%q is not a rule of the AwsSolutions pack; give one such as AwsSolutions-IAM5", f.Rule)
		}
		if c.Require(field+".Reason", f.Reason != "", "say why the finding does not apply or is the right trade-off") && len(f.Reason) < minReason {
			c.Failf(field+".Reason", "%q: cdk-nag wants a reason of at least %d characters a reviewer can judge", f.Reason, minReason)
		}
	}
	c.Done()
}

package recovery

import (
	"fmt"
	"regexp"
	"slices"

	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsresiliencehub"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/example/platform/lib/compliance"
	"github.com/example/platform/lib/props"
)

// Objective is a recovery target, in minutes.
type Objective struct {
	RTOMinutes, RPOMinutes float64
}

// Objectives are the targets per disruption Resilience Hub assesses (its policy's Software,
// Hardware, AZ and Region).
type Objectives struct {
	Software, Hardware, AZ, Region Objective
}

// Source is a CloudFormation stack whose resources belong to the application.
type Source struct {
	// StackArn is the stack's ARN (its AWS::StackId), in Region and Account.
	StackArn *string
	Region   string
	Account  string
}

// ResilienceProps configures a Resilience. Every field is required.
type ResilienceProps struct {
	// Name of the application and of its policy: 2 to 60 letters, digits, _ and -, unique in
	// the account and region.
	Name string
	// Tier labels the policy: MissionCritical, Critical, Important, CoreServices or NonCritical.
	Tier string
	// Objectives are what Resilience Hub assesses the application against.
	Objectives Objectives
	// Sources are the stacks whose resources make up the application, in any region of the
	// account.
	Sources []Source
}

// Resilience is an AWS Resilience Hub application, its resiliency policy and the role
// Resilience Hub assesses it with.
type Resilience struct {
	constructs.Construct
	App    awsresiliencehub.CfnApp
	Policy awsresiliencehub.CfnResiliencyPolicy
	// Invoker is the role Resilience Hub assumes to read the application's resources.
	Invoker awsiam.Role
}

// resilienceNamePattern is AWS::ResilienceHub::App's and ResiliencyPolicy's name.
var resilienceNamePattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_\-]{1,59}$`)

// Tiers are the policy's tiers.
var Tiers = []string{"MissionCritical", "Critical", "Important", "CoreServices", "NonCritical"}

// appTemplate is the application's structure before Resilience Hub imports the sources'
// resources: none of its own (the resource mappings bring them).
const appTemplate = `{"resources":[],"appComponents":[],"excludedResources":{},"version":2.0}`

// assessmentPolicy is the AWS managed policy an invoker role needs ("Invoker role", Resilience
// Hub user guide); its name is spelled so.
const assessmentPolicy = "AWSResilienceHubAsssessmentExecutionPolicy"

func (p ResilienceProps) check(scope constructs.Construct, id string) {
	c := props.Check(scope, id, "recovery.NewResilience")
	if c.Require("Props.Name", p.Name != "", "name the application, such as acme-prod") && !resilienceNamePattern.MatchString(p.Name) {
		c.Failf("Props.Name", "%q is not a Resilience Hub name; give 2 to 60 letters, digits, _ and -, starting with a letter or digit", p.Name)
	}
	if c.Require("Props.Tier", p.Tier != "", "give the policy's tier, such as Critical") && !slices.Contains(Tiers, p.Tier) {
		c.Failf("Props.Tier", "%q is not a Resilience Hub tier; give MissionCritical, Critical, Important, CoreServices or NonCritical", p.Tier)
	}
	for _, o := range []struct {
		name string
		o    Objective
	}{{"Software", p.Objectives.Software}, {"Hardware", p.Objectives.Hardware}, {"AZ", p.Objectives.AZ}, {"Region", p.Objectives.Region}} {
		// Resilience Hub accepts 0 but reads it as a breached policy.
		if o.o.RTOMinutes <= 0 || o.o.RPOMinutes <= 0 {
			c.Failf("Props.Objectives."+o.name, "%+v: give an RTO and an RPO of at least a minute each (lib/config's recovery.objectives)", o.o)
		}
	}
	if c.Require("Props.Sources", len(p.Sources) > 0, "give the stacks whose resources make up the application") {
		for i, s := range p.Sources {
			field := fmt.Sprintf("Props.Sources[%d]", i)
			c.Require(field+".StackArn", s.StackArn != nil, "give the stack's ARN (its StackId)")
			c.Require(field+".Region", s.Region != "", "give the stack's region")
			c.Require(field+".Account", s.Account != "", "give the stack's account")
		}
	}
	c.Done()
}

// NewResilience registers the stacks of Sources as one Resilience Hub application with a
// resiliency policy of Objectives, assessed daily.
func NewResilience(scope constructs.Construct, id string, p ResilienceProps) *Resilience {
	p.check(scope, id)
	c := constructs.NewConstruct(scope, jsii.String(id))
	// Resilience Hub assumes this role to import the stacks' resources and assess them; read
	// access to every resource type it assesses is what AWS's managed policy for it holds.
	invoker := awsiam.NewRole(c, jsii.String("Invoker"), &awsiam.RoleProps{
		AssumedBy:       awsiam.NewServicePrincipal(jsii.String("resiliencehub.amazonaws.com"), nil),
		Description:     jsii.String("Lets Resilience Hub read the application " + p.Name + "'s resources to assess them"),
		ManagedPolicies: &[]awsiam.IManagedPolicy{awsiam.ManagedPolicy_FromAwsManagedPolicyName(jsii.String(assessmentPolicy))},
	})
	compliance.Accept(invoker, compliance.Accepted{
		Rule: "AwsSolutions-IAM4",
		Reason: "Resilience Hub's assessment reads the configuration of every resource type it supports (read-only, no data); AWS maintains that " +
			"list in " + assessmentPolicy + " as the service adds types, and no grant method covers it.",
		AppliesTo: []string{"Policy::arn:<AWS::Partition>:iam::aws:policy/" + assessmentPolicy},
	})
	minutes := func(o Objective) *awsresiliencehub.CfnResiliencyPolicy_FailurePolicyProperty {
		return &awsresiliencehub.CfnResiliencyPolicy_FailurePolicyProperty{RtoInSecs: jsii.Number(o.RTOMinutes * 60), RpoInSecs: jsii.Number(o.RPOMinutes * 60)}
	}
	// L1: Resilience Hub has no L2 construct.
	policy := awsresiliencehub.NewCfnResiliencyPolicy(c, jsii.String("Policy"), &awsresiliencehub.CfnResiliencyPolicyProps{
		PolicyName:        jsii.String(p.Name),
		PolicyDescription: jsii.String("The recovery objectives " + p.Name + " promises (docs/disaster-recovery.md: Recovery objectives)"),
		Tier:              jsii.String(p.Tier),
		Policy: map[string]any{
			"Software": minutes(p.Objectives.Software),
			"Hardware": minutes(p.Objectives.Hardware),
			"AZ":       minutes(p.Objectives.AZ),
			"Region":   minutes(p.Objectives.Region),
		},
	})
	var mappings []any
	for _, s := range p.Sources {
		mappings = append(mappings, &awsresiliencehub.CfnApp_ResourceMappingProperty{
			MappingType: jsii.String("CfnStack"),
			PhysicalResourceId: &awsresiliencehub.CfnApp_PhysicalResourceIdProperty{
				Identifier: s.StackArn, Type: jsii.String("Arn"), AwsRegion: jsii.String(s.Region), AwsAccountId: jsii.String(s.Account),
			},
		})
	}
	app := awsresiliencehub.NewCfnApp(c, jsii.String("App"), &awsresiliencehub.CfnAppProps{
		Name:                  jsii.String(p.Name),
		Description:           jsii.String(fmt.Sprintf("Every stack of %s, in every region, assessed against its resiliency policy", p.Name)),
		AppTemplateBody:       jsii.String(appTemplate),
		ResourceMappings:      &mappings,
		ResiliencyPolicyArn:   policy.AttrPolicyArn(),
		AppAssessmentSchedule: jsii.String("Daily"),
		PermissionModel: &awsresiliencehub.CfnApp_PermissionModelProperty{
			Type: jsii.String("RoleBased"), InvokerRoleName: invoker.RoleName(),
		},
	})
	// Resilience Hub imports the resources with the invoker role while the app is created.
	app.Node().AddDependency(invoker)
	return &Resilience{Construct: c, App: app, Policy: policy, Invoker: invoker}
}

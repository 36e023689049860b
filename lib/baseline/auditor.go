package baseline

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/example/platform/lib/compliance"
	platformprops "github.com/example/platform/lib/props"
)

// AuditorPolicies are the AWS managed policies of the auditor role: SecurityAudit (the
// configuration and metadata of every service: policies, findings, trails, recorders) and
// ViewOnlyAccess (lists and describes resources). Neither reads data: no objects, items,
// secret values or log events. ReadOnlyAccess would, from every bucket and table of the
// platform, which an auditor has no need for.
func AuditorPolicies() []string { return []string{"SecurityAudit", "job-function/ViewOnlyAccess"} }

// newAuditorRole creates the read-only role auditors assume from the tooling account. Besides
// the managed policies, it reads the audit record itself where it is here: the trail's log
// files (and the key that decrypts them) and its log group's events.
func (b *Baseline) newAuditorRole(c constructs.Construct, props AuditorProps) {
	principals := platformprops.PrincipalsOf(props.Principals)
	var managed []awsiam.IManagedPolicy
	var findings []string
	for _, name := range AuditorPolicies() {
		managed = append(managed, awsiam.ManagedPolicy_FromAwsManagedPolicyName(jsii.String(name)))
		findings = append(findings, "Policy::arn:<AWS::Partition>:iam::aws:policy/"+name)
	}
	b.AuditorRole = awsiam.NewRole(c, jsii.String("AuditorRole"), &awsiam.RoleProps{
		RoleName:           jsii.String(props.RoleName),
		Description:        jsii.String("Read-only audit of the account: configuration, findings and the audit trail, no application data"),
		AssumedBy:          awsiam.NewCompositePrincipal(principals...),
		ManagedPolicies:    &managed,
		MaxSessionDuration: awscdk.Duration_Hours(jsii.Number(1)),
	})
	accepted := []compliance.Accepted{{Rule: "AwsSolutions-IAM4", AppliesTo: findings,
		Reason: "SecurityAudit and ViewOnlyAccess are AWS's own read-only job-function policies: an auditor must see every service's configuration, " +
			"which AWS keeps current as services change; neither reads application data (no objects, items, secret values or log events)."}}
	if b.Trail != nil {
		b.AuditorRole.AddToPrincipalPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Sid: jsii.String("ReadTheTrailsLogFiles"), Actions: jsii.Strings("s3:GetObject", "s3:GetObjectVersion"),
			Resources: jsii.Strings(*b.TrailBucket.ArnForObjects(jsii.String("AWSLogs/*"))),
		}))
		b.AuditorRole.AddToPrincipalPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Sid: jsii.String("ListTheTrailsLogFiles"), Actions: jsii.Strings("s3:ListBucket", "s3:ListBucketVersions"),
			Resources: jsii.Strings(*b.TrailBucket.BucketArn()),
		}))
		b.AuditorRole.AddToPrincipalPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Sid: jsii.String("DecryptTheTrailsLogFiles"), Actions: jsii.Strings("kms:Decrypt"), Resources: jsii.Strings(*b.Key.KeyArn()),
			Conditions: &map[string]any{"Null": map[string]any{"kms:EncryptionContext:aws:cloudtrail:arn": "false"}},
		}))
		b.AuditorRole.AddToPrincipalPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Sid: jsii.String("ReadTheTrailsLogEvents"), Actions: jsii.Strings("logs:FilterLogEvents", "logs:GetLogEvents"),
			Resources: jsii.Strings(*b.Trail.LogGroup().LogGroupArn()),
		}))
		accepted = append(accepted, compliance.Accepted{Rule: "AwsSolutions-IAM5",
			AppliesTo: []string{`/^Resource::<.*TrailBucket.*\.Arn>\/AWSLogs\/\*$/`, `/^Resource::<.*TrailLogs.*\.Arn>$/`},
			Reason:    "The auditor reads every log and digest file of the trail (under AWSLogs/ of its bucket) and every stream of its log group: that is the audit record."})
	}
	compliance.Accept(b.AuditorRole, accepted...)
}

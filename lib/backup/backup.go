// Package backup builds a region's AWS Backup setup: a locked vault encrypted with the region's
// key, a plan that backs up the region's data stores on a schedule and copies every backup to a
// vault in another region, and the role AWS Backup uses for those backups, their copies and
// restores. Replication copies a bad write to every region within a second; these backups are
// the copies it cannot reach.
package backup

import (
	"fmt"
	"regexp"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsbackup"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsevents"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/example/platform/lib/compliance"
	"github.com/example/platform/lib/props"
)

// Props configures a region's backups. Every field but Bucket and CopyTo is required.
type Props struct {
	// VaultName is fixed, so that another region's plan can copy into this vault by name: 2-50
	// letters, digits, hyphens and underscores, unique in the account and region.
	VaultName string
	// PlanName is the plan's display name.
	PlanName string
	// RoleName names the role AWS Backup assumes, which a restore job must name too.
	RoleName string
	// Key encrypts the vault: the backups AWS Backup fully manages (DynamoDB with advanced
	// backup, S3), and the copies other regions send here. Aurora's snapshots keep the
	// cluster's own key.
	Key awskms.IKey
	// Cluster and Table are the ARNs of the region's Aurora cluster and DynamoDB table (a global
	// table's replica in this region). AWS Backup selects resources by ARN when a job runs, so
	// neither has to exist when the plan is created.
	Cluster, Table *string
	// Bucket is the ARN of a versioned bucket to back up too (AWS Backup requires versioning).
	// Default: none.
	Bucket *string
	// RetentionDays is how long every backup and its copy is kept.
	RetentionDays float64
	// FrequencyHours is the time between backups: a divisor of 24. Daily backups start at 05:00
	// UTC, more frequent ones on the hour.
	FrequencyHours float64
	// Lock is the vault's lock.
	Lock Lock
	// CopyTo is the ARN of the vault in another region that receives a copy of every backup.
	// Default: none (a region with no other region to copy to).
	CopyTo *string
}

// Lock configures AWS Backup Vault Lock.
type Lock struct {
	// MinRetentionDays is the shortest retention a job may write into the vault; it fails jobs
	// that ask for less.
	MinRetentionDays float64
	// ChangeableForDays, when set, is the grace time of a compliance-mode lock (at least 3):
	// after it nobody can change or remove the lock. Unset, the lock is in governance mode.
	ChangeableForDays float64
}

// Backups are the vault, the plan and the role of one region.
type Backups struct {
	constructs.Construct
	Vault awsbackup.BackupVault
	Plan  awsbackup.BackupPlan
	Role  awsiam.Role
}

var (
	vaultNamePattern = regexp.MustCompile(`^[a-zA-Z0-9\-_]{2,50}$`)
	planNamePattern  = regexp.MustCompile(`^[a-zA-Z0-9\-_.]{1,50}$`)
	roleNamePattern  = regexp.MustCompile(`^[\w+=,.@-]{1,64}$`)
)

// minChangeableForDays is AWS Backup's 72-hour cooling-off period before a compliance lock
// takes effect.
const minChangeableForDays = 3

// check fails with every problem of p, the way a construct fails: a panic naming its path.
func (p Props) check(scope constructs.Construct, id string) {
	c := props.Check(scope, id, "backup.New")
	if c.Require("Props.VaultName", p.VaultName != "", "name the vault, the same in every region, such as acme-prod-backups") && !vaultNamePattern.MatchString(p.VaultName) {
		c.Failf("Props.VaultName", "%q is not a vault name: 2 to 50 letters, digits, '-' or '_'", p.VaultName)
	}
	if c.Require("Props.PlanName", p.PlanName != "", "name the plan, such as acme-prod-backups") && !planNamePattern.MatchString(p.PlanName) {
		c.Failf("Props.PlanName", "%q is not a plan name: up to 50 letters, digits, '-', '_' or '.'", p.PlanName)
	}
	if c.Require("Props.RoleName", p.RoleName != "", "name the role restores use, such as acme-prod-us-east-1-backup") && !roleNamePattern.MatchString(p.RoleName) {
		c.Failf("Props.RoleName", "%q is not an IAM role name: up to 64 of letters, digits and +=,.@_-", p.RoleName)
	}
	c.Require("Props.Key", p.Key != nil, "give the region's KMS key, which encrypts the vault")
	c.Require("Props.Cluster", p.Cluster != nil, "give the ARN of the region's Aurora cluster")
	c.Require("Props.Table", p.Table != nil, "give the ARN of the region's DynamoDB table (replica)")
	if p.RetentionDays < 1 {
		c.Failf("Props.RetentionDays", "%v: keep backups for at least a day", p.RetentionDays)
	}
	if p.FrequencyHours < 1 || p.FrequencyHours > 24 || 24/p.FrequencyHours != float64(int(24/p.FrequencyHours)) {
		c.Failf("Props.FrequencyHours", "%v: give a divisor of 24, such as 24 (daily) or 6", p.FrequencyHours)
	}
	if p.Lock.MinRetentionDays < 1 || p.Lock.MinRetentionDays > p.RetentionDays {
		c.Failf("Props.Lock.MinRetentionDays", "%v: give 1 to RetentionDays (%v); the vault would fail every job that keeps backups for less", p.Lock.MinRetentionDays, p.RetentionDays)
	}
	if p.Lock.ChangeableForDays != 0 && p.Lock.ChangeableForDays < minChangeableForDays {
		c.Failf("Props.Lock.ChangeableForDays", "%v: AWS Backup enforces a 72-hour cooling-off period; give at least %d, or 0 for a governance lock", p.Lock.ChangeableForDays, minChangeableForDays)
	}
	c.Done()
}

// New creates the vault, the plan, its selection and the role.
func New(scope constructs.Construct, id string, props Props) *Backups {
	props.check(scope, id)
	c := constructs.NewConstruct(scope, jsii.String(id))
	b := &Backups{Construct: c}
	b.Role = newRole(c, props)

	lock := &awsbackup.LockConfiguration{MinRetention: days(props.Lock.MinRetentionDays)}
	if props.Lock.ChangeableForDays > 0 {
		lock.ChangeableFor = days(props.Lock.ChangeableForDays)
	}
	b.Vault = awsbackup.NewBackupVault(c, jsii.String("Vault"), &awsbackup.BackupVaultProps{
		BackupVaultName:   jsii.String(props.VaultName),
		EncryptionKey:     props.Key,
		LockConfiguration: lock,
		// A vault that holds recovery points cannot be deleted, and a locked one keeps them until
		// they expire: it stays when its stack goes. A vault whose own create failed holds
		// nothing and goes, so a retry can create it under the same name.
		RemovalPolicy: awscdk.RemovalPolicy_RETAIN_ON_UPDATE_OR_DELETE,
	})

	var copies *[]*awsbackup.BackupPlanCopyActionProps
	if props.CopyTo != nil {
		copies = &[]*awsbackup.BackupPlanCopyActionProps{{
			DestinationBackupVault: awsbackup.BackupVault_FromBackupVaultArn(c, jsii.String("CopyVault"), props.CopyTo),
			// The copy is kept as long as the backup: the destination's lock has the same
			// minimum, and a copy is the one that outlives its source region.
			DeleteAfter: days(props.RetentionDays),
		}}
	}
	b.Plan = awsbackup.NewBackupPlan(c, jsii.String("Plan"), &awsbackup.BackupPlanProps{
		BackupPlanName: jsii.String(props.PlanName),
		BackupVault:    b.Vault,
		BackupPlanRules: &[]awsbackup.BackupPlanRule{awsbackup.NewBackupPlanRule(&awsbackup.BackupPlanRuleProps{
			RuleName:           jsii.String(fmt.Sprintf("every-%vh", props.FrequencyHours)),
			ScheduleExpression: schedule(props.FrequencyHours),
			StartWindow:        startWindow(props.FrequencyHours),
			// AWS Backup's own default: a large database's first backup can take hours.
			CompletionWindow: awscdk.Duration_Days(jsii.Number(7)),
			DeleteAfter:      days(props.RetentionDays),
			CopyActions:      copies,
		})},
	})
	resources := []awsbackup.BackupResource{awsbackup.BackupResource_FromArn(props.Cluster), awsbackup.BackupResource_FromArn(props.Table)}
	if props.Bucket != nil {
		resources = append(resources, awsbackup.BackupResource_FromArn(props.Bucket))
	}
	b.Plan.AddSelection(jsii.String("Selection"), &awsbackup.BackupSelectionOptions{
		BackupSelectionName: jsii.String(props.PlanName),
		Resources:           &resources,
		Role:                b.Role,
		// newRole attaches the policies itself, the S3 ones only with a bucket.
		DisableDefaultBackupPolicy: jsii.Bool(true),
	})
	return b
}

// managedPolicies are the AWS managed policies the AWS Backup Developer Guide tells a custom
// role to carry: "AWSBackupServiceRolePolicyForBackup to perform advanced DynamoDB backup,
// AWSBackupServiceRolePolicyForRestores to restore advanced DynamoDB backups" (Advanced
// DynamoDB backup, "Custom policies and roles"), and "AWSBackupServiceRolePolicyForS3Backup and
// AWSBackupServiceRolePolicyForS3Restore to the roles that you intend to use to backup and
// restore S3 buckets" (Amazon S3 backups, prerequisites).
var (
	managedPolicies   = []string{"service-role/AWSBackupServiceRolePolicyForBackup", "service-role/AWSBackupServiceRolePolicyForRestores"}
	s3ManagedPolicies = []string{"AWSBackupServiceRolePolicyForS3Backup", "AWSBackupServiceRolePolicyForS3Restore"}
)

// newRole is the role AWS Backup assumes for the plan's jobs, their copies, the recovery
// points' lifecycle and restores. Only AWS Backup may assume it.
func newRole(scope constructs.Construct, props Props) awsiam.Role {
	names := managedPolicies
	if props.Bucket != nil {
		names = append(append([]string(nil), names...), s3ManagedPolicies...)
	}
	var policies []awsiam.IManagedPolicy
	var accepted []string
	for _, name := range names {
		policies = append(policies, awsiam.ManagedPolicy_FromAwsManagedPolicyName(jsii.String(name)))
		accepted = append(accepted, "Policy::arn:<AWS::Partition>:iam::aws:policy/"+name)
	}
	role := awsiam.NewRole(scope, jsii.String("Role"), &awsiam.RoleProps{
		RoleName:        jsii.String(props.RoleName),
		Description:     jsii.String("AWS Backup: backs up, copies and restores " + props.PlanName),
		AssumedBy:       awsiam.NewServicePrincipal(jsii.String("backup.amazonaws.com"), nil),
		ManagedPolicies: &policies,
	})
	compliance.Accept(role, compliance.Accepted{Rule: "AwsSolutions-IAM4", AppliesTo: accepted,
		Reason: "The AWS Backup Developer Guide tells a custom backup role to carry these AWS managed policies (or their equivalent) for advanced " +
			"DynamoDB and S3 backups and restores; AWS updates them as the services' backup calls change, and a hand-written subset that " +
			"misses one fails jobs at run time, or leaves EXPIRED recovery points AWS Backup cannot delete. Only AWS Backup can assume the role."})
	return role
}

// schedule is when backups start: daily at 05:00 UTC (AWS Backup's own daily time), or every
// frequencyHours hours on the hour.
func schedule(frequencyHours float64) awsevents.Schedule {
	hour := "5"
	if frequencyHours < 24 {
		hour = fmt.Sprintf("0/%v", frequencyHours)
	}
	return awsevents.Schedule_Cron(&awsevents.CronOptions{Minute: jsii.String("0"), Hour: jsii.String(hour)})
}

// startWindow is how long a scheduled backup may wait to start (for instance, for the
// database's own backup window to pass) before AWS Backup gives it up: 8 hours (AWS Backup's
// default), and never longer than the time to the next backup.
func startWindow(frequencyHours float64) awscdk.Duration {
	return awscdk.Duration_Hours(jsii.Number(min(frequencyHours, 8)))
}

func days(n float64) awscdk.Duration { return awscdk.Duration_Days(jsii.Number(n)) }

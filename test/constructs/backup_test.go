package constructs_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/example/platform/lib/alerts"
	"github.com/example/platform/lib/backup"
	"github.com/example/platform/lib/compliance"
	"github.com/example/platform/lib/props/propstest"
	"github.com/example/platform/test/constructkit"
)

const copyVault = "arn:aws:backup:eu-west-1:111111111111:backup-vault:acme-prod-backups"

func backupProps(scope constructs.Construct) backup.Props {
	return backup.Props{
		VaultName: "acme-prod-backups", PlanName: "acme-prod-backups", RoleName: "acme-prod-us-east-1-backup",
		Key:           awskms.NewKey(scope, jsii.String("Key"), &awskms.KeyProps{EnableKeyRotation: jsii.Bool(true)}),
		Cluster:       jsii.String("arn:aws:rds:us-east-1:111111111111:cluster:acme-prod-us-east-1"),
		Table:         jsii.String("arn:aws:dynamodb:us-east-1:111111111111:table/acme-prod-main"),
		Bucket:        jsii.String("arn:aws:s3:::acme-prod-111111111111-us-east-1-lake"),
		RetentionDays: 35, FrequencyHours: 24, Lock: backup.Lock{MinRetentionDays: 35}, CopyTo: jsii.String(copyVault),
	}
}

func TestBackup_LocksTheVaultAndCopiesEveryBackupToTheOtherRegion(t *testing.T) {
	s := constructkit.Stack(t, "us-east-1")
	backup.New(s, "Backups", backupProps(s))
	tpl := constructkit.TemplateOf(t, s)
	constructkit.Assert(t, func() {
		tpl.HasResource(jsii.String("AWS::Backup::BackupVault"), map[string]any{
			"Properties": map[string]any{
				"BackupVaultName": "acme-prod-backups",
				// Governance mode: a lock date only comes with ChangeableForDays.
				"LockConfiguration": map[string]any{"MinRetentionDays": 35, "ChangeableForDays": assertions.Match_Absent()},
				"EncryptionKeyArn":  assertions.Match_AnyValue(),
			},
			"DeletionPolicy": "RetainExceptOnCreate",
		})
		tpl.HasResourceProperties(jsii.String("AWS::Backup::BackupPlan"), map[string]any{
			"BackupPlan": map[string]any{
				"BackupPlanName": "acme-prod-backups",
				"BackupPlanRule": []any{map[string]any{
					"RuleName":                "every-24h",
					"ScheduleExpression":      "cron(0 5 * * ? *)",
					"StartWindowMinutes":      480,
					"CompletionWindowMinutes": 7 * 24 * 60,
					"Lifecycle":               map[string]any{"DeleteAfterDays": 35},
					"CopyActions": []any{map[string]any{
						"DestinationBackupVaultArn": copyVault, "Lifecycle": map[string]any{"DeleteAfterDays": 35},
					}},
				}},
			},
		})
		tpl.HasResourceProperties(jsii.String("AWS::Backup::BackupSelection"), map[string]any{
			"BackupSelection": map[string]any{"Resources": []any{
				"arn:aws:rds:us-east-1:111111111111:cluster:acme-prod-us-east-1",
				"arn:aws:dynamodb:us-east-1:111111111111:table/acme-prod-main",
				"arn:aws:s3:::acme-prod-111111111111-us-east-1-lake",
			}},
		})
	})
}

func TestBackup_ComplianceLockHasAGraceTimeAndFrequentBackupsAShorterStartWindow(t *testing.T) {
	s := constructkit.Stack(t, "us-east-1")
	p := backupProps(s)
	p.Lock.ChangeableForDays, p.FrequencyHours, p.CopyTo = 3, 6, nil
	backup.New(s, "Backups", p)
	tpl := constructkit.TemplateOf(t, s)
	constructkit.Assert(t, func() {
		tpl.HasResourceProperties(jsii.String("AWS::Backup::BackupVault"), map[string]any{
			"LockConfiguration": map[string]any{"MinRetentionDays": 35, "ChangeableForDays": 3},
		})
		tpl.HasResourceProperties(jsii.String("AWS::Backup::BackupPlan"), map[string]any{
			"BackupPlan": map[string]any{"BackupPlanRule": []any{map[string]any{
				"ScheduleExpression": "cron(0 0/6 * * ? *)", "StartWindowMinutes": 360, "CopyActions": assertions.Match_Absent(),
			}}},
		})
	})
}

// The role is AWS Backup's alone, with the managed policies the developer guide names, the S3
// ones only when there is a bucket, and under the name restores pass.
func TestBackup_RoleIsAssumedOnlyByAWSBackupWithThePoliciesItsGuideNames(t *testing.T) {
	for _, withBucket := range []bool{true, false} {
		s := constructkit.Stack(t, "us-east-1")
		p := backupProps(s)
		if !withBucket {
			p.Bucket = nil
		}
		backup.New(s, "Backups", p)
		tpl := constructkit.TemplateOf(t, s)
		var roles *map[string]*map[string]any
		constructkit.Assert(t, func() { roles = tpl.FindResources(jsii.String("AWS::IAM::Role"), nil) })
		if len(*roles) != 1 {
			t.Fatalf("want one role, found %d", len(*roles))
		}
		for _, role := range *roles {
			data, _ := json.Marshal(role)
			text := string(data)
			for _, want := range []string{`"RoleName":"acme-prod-us-east-1-backup"`, `"Service":"backup.amazonaws.com"`, "AWSBackupServiceRolePolicyForBackup", "AWSBackupServiceRolePolicyForRestores"} {
				if !strings.Contains(text, want) {
					t.Errorf("bucket %v: the role lacks %s: %s", withBucket, want, text)
				}
			}
			if strings.Contains(text, "ForS3Backup") != withBucket || strings.Contains(text, "ForS3Restore") != withBucket {
				t.Errorf("bucket %v: S3 backup policies attached = %v", withBucket, strings.Contains(text, "ForS3Backup"))
			}
		}
	}
}

func TestBackup_HasNoNagFindings(t *testing.T) {
	app := constructkit.NewApp(t)
	compliance.Apply(app)
	s := awscdk.NewStack(app, jsii.String("Test"), &awscdk.StackProps{Env: &awscdk.Environment{Account: jsii.String(constructkit.TestAccount), Region: jsii.String("us-east-1")}})
	backup.New(s, "Backups", backupProps(s))
	constructkit.NoSynthesisErrors(t, app)
}

func TestBackup_ThrowsOnABadOrMissingRequiredProp(t *testing.T) {
	propstest.Panics(t, func() { backup.New(constructkit.Stack(t, "us-east-1"), "Backups", backup.Props{}) },
		"backup.New(Test/Backups): 9 problems",
		"Props.VaultName is required", "Props.PlanName is required", "Props.RoleName is required", "Props.Key is required",
		"Props.Cluster is required", "Props.Table is required", "Props.RetentionDays 0: keep backups for at least a day",
		"Props.FrequencyHours 0: give a divisor of 24", "Props.Lock.MinRetentionDays 0: give 1 to RetentionDays")
	s := constructkit.Stack(t, "us-east-1")
	p := backupProps(s)
	p.VaultName, p.FrequencyHours, p.Lock = "acme prod", 5, backup.Lock{MinRetentionDays: 40, ChangeableForDays: 1}
	propstest.Panics(t, func() { backup.New(s, "Backups", p) },
		`Props.VaultName "acme prod" is not a vault name`, "Props.FrequencyHours 5: give a divisor of 24",
		"Props.Lock.MinRetentionDays 40: give 1 to RetentionDays (35)", "Props.Lock.ChangeableForDays 1: AWS Backup enforces a 72-hour cooling-off period")
}

// A failed backup or copy job reaches the alert topic, through a rule only it may publish from.
func TestBackup_FailedJobsAlertTheTopicThroughTheirOwnRule(t *testing.T) {
	s := constructkit.Stack(t, "us-east-1")
	topic := alerts.New(s, "Alerts", alerts.Props{DisplayName: "acme prod us-east-1 alarms", Publishers: []string{alerts.EventBridge}}).Topic
	backup.NewJobAlerts(s, "BackupJobAlerts", backup.JobAlertsProps{Topic: topic})
	tpl := constructkit.TemplateOf(t, s)
	constructkit.Assert(t, func() {
		tpl.HasResourceProperties(jsii.String("AWS::Events::Rule"), map[string]any{
			"EventPattern": map[string]any{
				"source": []any{"aws.backup"}, "detail-type": []any{"Backup Job State Change", "Copy Job State Change"},
				"detail": map[string]any{"state": []any{"FAILED", "ABORTED", "EXPIRED"}},
			},
			"Targets": assertions.Match_ArrayWith(&[]any{assertions.Match_ObjectLike(&map[string]any{"Arn": map[string]any{"Ref": assertions.Match_AnyValue()}})}),
		})
		tpl.HasResourceProperties(jsii.String("AWS::SNS::TopicPolicy"), map[string]any{
			"PolicyDocument": assertions.Match_ObjectLike(&map[string]any{"Statement": assertions.Match_ArrayWith(&[]any{
				assertions.Match_ObjectLike(&map[string]any{
					"Action": "sns:Publish", "Principal": map[string]any{"Service": "events.amazonaws.com"},
					"Condition": map[string]any{"ArnEquals": map[string]any{"aws:SourceArn": map[string]any{"Fn::GetAtt": []any{assertions.Match_AnyValue(), "Arn"}}}},
				}),
			})}),
		})
	})
	propstest.Panics(t, func() {
		backup.NewJobAlerts(constructkit.Stack(t, "us-east-1"), "BackupJobAlerts", backup.JobAlertsProps{})
	},
		"backup.NewJobAlerts(Test/BackupJobAlerts)", "Props.Topic is required")
}

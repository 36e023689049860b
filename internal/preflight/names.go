package preflight

import (
	"context"
	"errors"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	awshttp "github.com/aws/aws-sdk-go-v2/aws/transport/http"
	"github.com/aws/aws-sdk-go-v2/service/backup"
	"github.com/aws/aws-sdk-go-v2/service/cloudformation"
	"github.com/aws/aws-sdk-go-v2/service/cloudwatchlogs"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/ecr"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/kms"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/aws/aws-sdk-go-v2/service/s3"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"github.com/aws/aws-sdk-go-v2/service/sqs"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
)

// nameProbe asks whether a resource of one type exists under a name: what it found ("" when
// nothing) and the action it calls.
type nameProbe struct {
	action string
	probe  func(ctx context.Context, cfg aws.Config, name string) (string, error)
}

var nameProbes = map[string]nameProbe{
	"AWS::S3::Bucket": {"s3:ListBucket (HeadBucket)", func(ctx context.Context, cfg aws.Config, name string) (string, error) {
		_, err := s3.NewFromConfig(cfg, pathStyle(cfg)).HeadBucket(ctx, &s3.HeadBucketInput{Bucket: aws.String(name)})
		var re *awshttp.ResponseError
		if errors.As(err, &re) && (re.HTTPStatusCode() == 403 || re.HTTPStatusCode() == 301) {
			return "the bucket name is taken, by another account or in another region (bucket names are global)", nil
		}
		return "the bucket exists", err
	}},
	"AWS::SecretsManager::Secret": {"secretsmanager:DescribeSecret", func(ctx context.Context, cfg aws.Config, name string) (string, error) {
		got, err := secretsmanager.NewFromConfig(cfg).DescribeSecret(ctx, &secretsmanager.DescribeSecretInput{SecretId: aws.String(name)})
		if err == nil && got.DeletedDate != nil {
			return "a secret of this name is scheduled for deletion on " + got.DeletedDate.Format("2006-01-02") +
				" (restore it with aws secretsmanager restore-secret, or delete it now with --force-delete-without-recovery)", nil
		}
		return "the secret exists", err
	}},
	"AWS::KMS::Alias": {"kms:DescribeKey", func(ctx context.Context, cfg aws.Config, name string) (string, error) {
		_, err := kms.NewFromConfig(cfg).DescribeKey(ctx, &kms.DescribeKeyInput{KeyId: aws.String(name)})
		return "the alias exists", err
	}},
	"AWS::Logs::LogGroup": {"logs:DescribeLogGroups", func(ctx context.Context, cfg aws.Config, name string) (string, error) {
		got, err := cloudwatchlogs.NewFromConfig(cfg).DescribeLogGroups(ctx, &cloudwatchlogs.DescribeLogGroupsInput{LogGroupNamePrefix: aws.String(name)})
		if err != nil {
			return "", err
		}
		for _, g := range got.LogGroups {
			if aws.ToString(g.LogGroupName) == name {
				return "the log group exists (a retained log group outlives its stack)", nil
			}
		}
		return "", errAbsent
	}},
	"AWS::Events::EventBus": {"events:DescribeEventBus", func(ctx context.Context, cfg aws.Config, name string) (string, error) {
		_, err := eventbridge.NewFromConfig(cfg).DescribeEventBus(ctx, &eventbridge.DescribeEventBusInput{Name: aws.String(name)})
		return "the event bus exists", err
	}},
	"AWS::RDS::GlobalCluster": {"rds:DescribeGlobalClusters", func(ctx context.Context, cfg aws.Config, name string) (string, error) {
		_, err := rds.NewFromConfig(cfg).DescribeGlobalClusters(ctx, &rds.DescribeGlobalClustersInput{GlobalClusterIdentifier: aws.String(name)})
		return "the global cluster exists", err
	}},
	"AWS::RDS::DBCluster": {"rds:DescribeDBClusters", func(ctx context.Context, cfg aws.Config, name string) (string, error) {
		_, err := rds.NewFromConfig(cfg).DescribeDBClusters(ctx, &rds.DescribeDBClustersInput{DBClusterIdentifier: aws.String(name)})
		return "the DB cluster exists (a retained or snapshotted cluster outlives its stack)", err
	}},
	"AWS::IAM::Role": {"iam:GetRole", func(ctx context.Context, cfg aws.Config, name string) (string, error) {
		_, err := iam.NewFromConfig(cfg).GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(name)})
		return "the role exists (role names are account-wide)", err
	}},
	"AWS::SSM::Parameter": {"ssm:GetParameter", func(ctx context.Context, cfg aws.Config, name string) (string, error) {
		_, err := ssm.NewFromConfig(cfg).GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String(name)})
		return "the parameter exists", err
	}},
	"AWS::ECR::Repository": {"ecr:DescribeRepositories", func(ctx context.Context, cfg aws.Config, name string) (string, error) {
		_, err := ecr.NewFromConfig(cfg).DescribeRepositories(ctx, &ecr.DescribeRepositoriesInput{RepositoryNames: []string{name}})
		return "the repository exists (a retained repository outlives its stack)", err
	}},
	"AWS::Events::Archive": {"events:DescribeArchive", func(ctx context.Context, cfg aws.Config, name string) (string, error) {
		_, err := eventbridge.NewFromConfig(cfg).DescribeArchive(ctx, &eventbridge.DescribeArchiveInput{ArchiveName: aws.String(name)})
		return "the archive exists", err
	}},
	"AWS::SQS::Queue": {"sqs:GetQueueUrl", func(ctx context.Context, cfg aws.Config, name string) (string, error) {
		_, err := sqs.NewFromConfig(cfg).GetQueueUrl(ctx, &sqs.GetQueueUrlInput{QueueName: aws.String(name)})
		return "the queue exists (a retained queue outlives its stack)", err
	}},
	"AWS::DynamoDB::GlobalTable": {"dynamodb:DescribeTable", describeTable},
	"AWS::DynamoDB::Table":       {"dynamodb:DescribeTable", describeTable},
	"AWS::Backup::BackupVault": {"backup:DescribeBackupVault", func(ctx context.Context, cfg aws.Config, name string) (string, error) {
		_, err := backup.NewFromConfig(cfg).DescribeBackupVault(ctx, &backup.DescribeBackupVaultInput{BackupVaultName: aws.String(name)})
		return "the backup vault exists", err
	}},
}

func describeTable(ctx context.Context, cfg aws.Config, name string) (string, error) {
	_, err := dynamodb.NewFromConfig(cfg).DescribeTable(ctx, &dynamodb.DescribeTableInput{TableName: aws.String(name)})
	return "the table exists", err
}

// errAbsent is a probe's "nothing of that name" when AWS answered without an error.
var errAbsent = errors.New("NotFound")

// Names checks that no resource the templates name already exists where its stack would
// create it (a retained resource of an earlier, deleted deployment; a secret scheduled for
// deletion; a bucket name another account took). A resource whose stack exists is its own.
func Names(ctx context.Context, in *Inputs) []Finding {
	var out []Finding
	deployed := map[string]bool{}
	for _, n := range in.Assembly.Named() {
		check := "name " + n.Name
		cfg, missing := in.config(ctx, n.Target, check)
		if missing != nil {
			out = append(out, *missing)
			continue
		}
		p := nameProbes[n.Type]
		what, err := p.probe(ctx, cfg, n.Name)
		switch {
		case errors.Is(err, errAbsent) || notFound(err) || code(err) == "NoSuchBucket" || strings.HasSuffix(code(err), "NotFoundFault"):
			out = append(out, Finding{Account: n.Account, Region: n.Region, Check: check, State: OK, Detail: n.Type + " free"})
		case err != nil:
			out = append(out, couldNot(n.Target, check, p.action, err))
		case stackExists(ctx, cfg, n.Stack, deployed):
			out = append(out, Finding{Account: n.Account, Region: n.Region, Check: check, State: OK, Detail: n.Type + " belongs to the deployed stack " + n.Stack})
		default:
			out = append(out, Finding{Account: n.Account, Region: n.Region, Check: check, State: Block,
				Detail: n.Type + " " + n.Name + " of stack " + n.Stack + ": " + what + "; CloudFormation cannot create it",
				Fix:    "delete or rename the existing resource (or import it into " + n.Stack + "), or change the platform's name"})
		}
	}
	return out
}

// stackExists reports whether the stack is deployed (not merely rolled back), caching answers.
func stackExists(ctx context.Context, cfg aws.Config, stack string, cache map[string]bool) bool {
	if known, ok := cache[stack]; ok {
		return known
	}
	got, err := cloudformation.NewFromConfig(cfg).DescribeStacks(ctx, &cloudformation.DescribeStacksInput{StackName: aws.String(stack)})
	cache[stack] = err == nil && len(got.Stacks) > 0 && !strings.HasPrefix(string(got.Stacks[0].StackStatus), "ROLLBACK_") &&
		!strings.HasPrefix(string(got.Stacks[0].StackStatus), "DELETE_")
	return cache[stack]
}

// pathStyle addresses buckets by path when the configuration points at a local endpoint
// (the tests' stub), as virtual-hosted names need DNS.
func pathStyle(cfg aws.Config) func(*s3.Options) {
	return func(o *s3.Options) { o.UsePathStyle = cfg.BaseEndpoint != nil }
}

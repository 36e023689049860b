package preflight

import (
	"context"
	"testing"

	"github.com/example/platform/internal/assembly"
)

// namedAssembly is a stack that names one resource of every type the preflight checks.
func namedAssembly() *Assembly {
	named := func(typ, prop string, name any) map[string]any {
		return map[string]any{"Type": typ, "Properties": map[string]any{prop: name}}
	}
	return &Assembly{BootstrapVersion: 6, Stacks: []*assembly.Stack{{
		Name: "acme-prod-eu-west-1-data", Account: target.Account, Region: target.Region,
		Template: assembly.Template{Resources: map[string]map[string]any{
			"Bucket":  named("AWS::S3::Bucket", "BucketName", map[string]any{"Fn::Join": []any{"-", []any{"acme-lake", map[string]any{"Ref": "AWS::Region"}}}}),
			"Secret":  named("AWS::SecretsManager::Secret", "Name", "acme/prod/database"),
			"Alias":   named("AWS::KMS::Alias", "AliasName", "alias/acme-prod"),
			"Logs":    named("AWS::Logs::LogGroup", "LogGroupName", "/acme/prod/api"),
			"Bus":     named("AWS::Events::EventBus", "Name", "acme-prod-events"),
			"Global":  named("AWS::RDS::GlobalCluster", "GlobalClusterIdentifier", "acme-prod"),
			"Table":   named("AWS::DynamoDB::GlobalTable", "TableName", "acme-prod-main"),
			"Vault":   named("AWS::Backup::BackupVault", "BackupVaultName", "acme-prod-backups"),
			"Cluster": named("AWS::RDS::DBCluster", "DBClusterIdentifier", "acme-prod-eu-west-1"),
			"Role":    named("AWS::IAM::Role", "RoleName", "acme-prod-eu-west-1-switch"),
			"Param":   named("AWS::SSM::Parameter", "Name", "/acme/prod/writer"),
			"Repo":    named("AWS::ECR::Repository", "RepositoryName", "acme-service"),
			"Archive": named("AWS::Events::Archive", "ArchiveName", "acme-prod-events"),
			"Queue":   named("AWS::SQS::Queue", "QueueName", "acme-prod-work"),
			// A name known only after deployment is not checked.
			"Unnamed": named("AWS::Logs::LogGroup", "LogGroupName", map[string]any{"Fn::Join": []any{"", []any{"/aws/lambda/", map[string]any{"Ref": "Fn"}}}}),
		}},
	}}}
}

var free = map[string]reply{
	"HEAD /acme-lake-eu-west-1": {status: 404},
	"DescribeSecret":            jsonError("ResourceNotFoundException", "Secrets Manager can't find the specified secret."),
	"DescribeKey":               jsonError("NotFoundException", "Alias arn:aws:kms:eu-west-1:111111111111:alias/acme-prod is not found."),
	"DescribeLogGroups":         ok(`{"logGroups":[{"logGroupName":"/acme/prod/api-old"}]}`),
	"DescribeEventBus":          jsonError("ResourceNotFoundException", "Event bus acme-prod-events does not exist."),
	"DescribeGlobalClusters":    xmlError(404, "GlobalClusterNotFoundFault", "The global cluster acme-prod doesn't exist."),
	"DescribeTable":             jsonError("ResourceNotFoundException", "Requested resource not found"),
	"GET /backup-vaults/":       restError(404, "ResourceNotFoundException", "Backup vault not found"),
	"DescribeDBClusters":        xmlError(404, "DBClusterNotFoundFault", "DBCluster acme-prod-eu-west-1 not found."),
	"GetRole":                   xmlError(404, "NoSuchEntity", "The role with name acme-prod-eu-west-1-switch cannot be found."),
	"GetParameter":              jsonError("ParameterNotFound", ""),
	"DescribeRepositories":      jsonError("RepositoryNotFoundException", "The repository with name 'acme-service' does not exist"),
	"DescribeArchive":           jsonError("ResourceNotFoundException", "Archive acme-prod-events does not exist."),
	"GetQueueUrl":               jsonError("com.amazonaws.sqs#QueueDoesNotExist", "The specified queue does not exist."),
}

var taken = map[string]reply{
	"HEAD /acme-lake-eu-west-1": {status: 403},
	"DescribeSecret":            ok(`{"Name":"acme/prod/database","DeletedDate":1767225600}`),
	"DescribeKey":               ok(`{"KeyMetadata":{"KeyId":"k"}}`),
	"DescribeLogGroups":         ok(`{"logGroups":[{"logGroupName":"/acme/prod/api"}]}`),
	"DescribeEventBus":          ok(`{"Name":"acme-prod-events"}`),
	"DescribeGlobalClusters":    ok(`<DescribeGlobalClustersResponse><DescribeGlobalClustersResult><GlobalClusters><GlobalClusterMember><GlobalClusterIdentifier>acme-prod</GlobalClusterIdentifier></GlobalClusterMember></GlobalClusters></DescribeGlobalClustersResult></DescribeGlobalClustersResponse>`),
	"DescribeTable":             ok(`{"Table":{"TableName":"acme-prod-main"}}`),
	"GET /backup-vaults/":       ok(`{"BackupVaultName":"acme-prod-backups"}`),
	"DescribeDBClusters":        ok(`<DescribeDBClustersResponse><DescribeDBClustersResult><DBClusters><DBCluster><DBClusterIdentifier>acme-prod-eu-west-1</DBClusterIdentifier></DBCluster></DBClusters></DescribeDBClustersResult></DescribeDBClustersResponse>`),
	"GetRole":                   role(pipelineAccount),
	"GetParameter":              ok(`{"Parameter":{"Name":"/acme/prod/writer","Value":"x"}}`),
	"DescribeRepositories":      ok(`{"repositories":[{"repositoryName":"acme-service"}]}`),
	"DescribeArchive":           ok(`{"ArchiveName":"acme-prod-events"}`),
	"GetQueueUrl":               ok(`{"QueueUrl":"https://sqs.eu-west-1.amazonaws.com/111111111111/acme-prod-work"}`),
	"DescribeStacks":            xmlError(400, "ValidationError", "Stack with id acme-prod-eu-west-1-data does not exist"),
}

func nameFindings(t *testing.T, replies map[string]reply) []Finding {
	in := newStub(t, replies)
	in.Assembly = namedAssembly()
	findings := Names(context.Background(), in)
	if len(findings) != 14 {
		t.Fatalf("want the 14 resources the template names checked, got %d: %+v", len(findings), findings)
	}
	return findings
}

func TestNames_FreeNamesPass(t *testing.T) {
	for _, f := range nameFindings(t, free) {
		expect(t, f, OK, "free")
	}
}

func TestNames_ANameThatExistsBlocks(t *testing.T) {
	findings := nameFindings(t, taken)
	for _, f := range findings {
		expect(t, f, Block, "CloudFormation cannot create it")
	}
	expect(t, only(t, findings, "name acme-lake-eu-west-1"), Block, "bucket names are global")
	expect(t, only(t, findings, "name acme/prod/database"), Block, "scheduled for deletion on 2026-01-01")
}

func TestNames_ANameItsOwnDeployedStackHoldsPasses(t *testing.T) {
	replies := map[string]reply{}
	for k, v := range taken {
		replies[k] = v
	}
	replies["DescribeStacks"] = ok(`<DescribeStacksResponse><DescribeStacksResult><Stacks><member><StackName>acme-prod-eu-west-1-data</StackName><StackStatus>UPDATE_COMPLETE</StackStatus><CreationTime>2026-01-01T00:00:00Z</CreationTime></member></Stacks></DescribeStacksResult></DescribeStacksResponse>`)
	for _, f := range nameFindings(t, replies) {
		expect(t, f, OK, "belongs to the deployed stack")
	}
}

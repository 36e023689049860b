package constructs_test

import (
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"

	"github.com/example/platform/lib/registry"
	"github.com/example/platform/test/constructkit"
)

func TestRegistry_RepositoryIsImmutableScannedAndKeptExceptAfterAFailedCreate(t *testing.T) {
	stack := constructkit.Stack(t, "us-east-1")
	registry.New(stack, "Registry", registry.Props{RepositoryName: "acme/api", PullAccounts: []string{"111111111111"}, KeepDeployed: 30})
	tpl := constructkit.TemplateOf(t, stack)
	constructkit.Assert(t, func() {
		tpl.HasResource(jsii.String("AWS::ECR::Repository"), map[string]any{
			"Properties": assertions.Match_ObjectLike(&map[string]any{
				"RepositoryName":             "acme/api",
				"ImageTagMutability":         "IMMUTABLE",
				"ImageScanningConfiguration": map[string]any{"ScanOnPush": true},
				// AES-256, ECR's own encryption and the default: no configuration, no key.
				"EncryptionConfiguration": assertions.Match_Absent(),
			}),
			"DeletionPolicy": "RetainExceptOnCreate",
		})
	})
}

// A rollback goes back to an image an environment ran: those are kept by a rule of their own,
// which the count of all images (a lower-priority rule) cannot expire.
func TestRegistry_LifecycleKeepsDeployedImagesApartFromTheCountOfAll(t *testing.T) {
	stack := constructkit.Stack(t, "us-east-1")
	registry.New(stack, "Registry", registry.Props{RepositoryName: "acme/api", PullAccounts: []string{"111111111111"}, KeepDeployed: 12, KeepImages: 40})
	tpl := constructkit.TemplateOf(t, stack)
	constructkit.Assert(t, func() {
		tpl.HasResourceProperties(jsii.String("AWS::ECR::Repository"), map[string]any{
			"LifecyclePolicy": map[string]any{"LifecyclePolicyText": assertions.Match_SerializedJson(map[string]any{"rules": []any{
				assertions.Match_ObjectLike(&map[string]any{"rulePriority": 1, "selection": map[string]any{
					"tagStatus": "tagged", "tagPrefixList": []any{registry.DeployedTagPrefix}, "countType": "imageCountMoreThan", "countNumber": 12,
				}}),
				assertions.Match_ObjectLike(&map[string]any{"rulePriority": 2, "selection": assertions.Match_ObjectLike(&map[string]any{"tagStatus": "untagged"})}),
				assertions.Match_ObjectLike(&map[string]any{"rulePriority": 3, "selection": map[string]any{
					"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": 40,
				}}),
			}})},
		})
	})
}

func TestRegistry_OnlyTheEnvironmentAccountsMayPull(t *testing.T) {
	stack := constructkit.Stack(t, "us-east-1")
	registry.New(stack, "Registry", registry.Props{RepositoryName: "acme/api", PullAccounts: []string{"111111111111", "222222222222"}, KeepDeployed: 30})
	tpl := constructkit.TemplateOf(t, stack)
	account := func(id string) any { return "arn:aws:iam::" + id + ":root" }
	constructkit.Assert(t, func() {
		tpl.HasResourceProperties(jsii.String("AWS::ECR::Repository"), map[string]any{
			"RepositoryPolicyText": map[string]any{"Version": "2012-10-17", "Statement": []any{map[string]any{
				"Sid": "EnvironmentAccountsPull", "Effect": "Allow",
				"Principal": map[string]any{"AWS": []any{account("111111111111"), account("222222222222")}},
				"Action":    []any{"ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"},
			}}},
		})
	})
}

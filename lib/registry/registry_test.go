package registry_test

import (
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/jsii-runtime-go"

	"github.com/example/platform/lib/registry"
	"github.com/example/platform/test/testkit"
)

func TestMain(m *testing.M) { testkit.Main(m) }

func TestRegistry_RepositoryIsImmutableScannedEncryptedAndBounded(t *testing.T) {
	stack := testkit.Stack(t, "us-east-1")
	registry.New(stack, "Registry", registry.Props{RepositoryName: "acme/prod/api", Key: awskms.NewKey(stack, jsii.String("Key"), nil), KeepImages: 20})
	tpl := testkit.TemplateOf(t, stack)
	testkit.Assert(t, func() {
		tpl.HasResourceProperties(jsii.String("AWS::ECR::Repository"), map[string]any{
			"RepositoryName":             "acme/prod/api",
			"ImageTagMutability":         "IMMUTABLE",
			"ImageScanningConfiguration": map[string]any{"ScanOnPush": true},
			"EncryptionConfiguration":    map[string]any{"EncryptionType": "KMS", "KmsKey": assertions.Match_AnyValue()},
			"EmptyOnDelete":              true,
			"LifecyclePolicy": map[string]any{"LifecyclePolicyText": assertions.Match_SerializedJson(assertions.Match_ObjectLike(&map[string]any{
				"rules": assertions.Match_ArrayWith(&[]any{assertions.Match_ObjectLike(&map[string]any{
					"selection": assertions.Match_ObjectLike(&map[string]any{"tagStatus": "any", "countType": "imageCountMoreThan", "countNumber": 20}),
				})}),
			}))},
		})
	})
}

func TestRegistry_ReplicationCopiesEachPrefixToItsRegions(t *testing.T) {
	stack := testkit.Stack(t, "us-east-1")
	registry.NewReplication(stack, "Replication", []registry.ReplicationRule{
		{RepositoryPrefix: "acme/staging/", Regions: []string{"eu-west-1"}},
		{RepositoryPrefix: "acme/prod/", Regions: []string{"eu-west-1", "ap-southeast-2"}},
	})
	tpl := testkit.TemplateOf(t, stack)
	testkit.Assert(t, func() {
		tpl.ResourceCountIs(jsii.String("AWS::ECR::ReplicationConfiguration"), jsii.Number(1))
		tpl.HasResourceProperties(jsii.String("AWS::ECR::ReplicationConfiguration"), map[string]any{
			"ReplicationConfiguration": map[string]any{"Rules": []any{
				map[string]any{
					"Destinations":      []any{map[string]any{"Region": "eu-west-1", "RegistryId": "111111111111"}},
					"RepositoryFilters": []any{map[string]any{"Filter": "acme/staging/", "FilterType": "PREFIX_MATCH"}},
				},
				map[string]any{
					"Destinations": []any{
						map[string]any{"Region": "eu-west-1", "RegistryId": "111111111111"},
						map[string]any{"Region": "ap-southeast-2", "RegistryId": "111111111111"},
					},
					"RepositoryFilters": []any{map[string]any{"Filter": "acme/prod/", "FilterType": "PREFIX_MATCH"}},
				},
			}},
		})
	})
}

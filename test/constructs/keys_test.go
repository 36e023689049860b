package constructs_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"

	"github.com/example/platform/lib/keys"
	"github.com/example/platform/test/constructkit"
)

func TestKeys_PrimaryIsMultiRegionRotatedRetainedAndAliased(t *testing.T) {
	s := constructkit.Stack(t, "us-east-1")
	keys.NewPrimary(s, "Key", keys.Props{Alias: "alias/acme/prod", Description: "test"})
	tpl := constructkit.TemplateOf(t, s)
	constructkit.Assert(t, func() {
		tpl.HasResource(jsii.String("AWS::KMS::Key"), map[string]any{
			"Properties":          assertions.Match_ObjectLike(&map[string]any{"MultiRegion": true, "EnableKeyRotation": true, "PendingWindowInDays": 30}),
			"DeletionPolicy":      "RetainExceptOnCreate",
			"UpdateReplacePolicy": "Retain",
		})
		tpl.HasResourceProperties(jsii.String("AWS::KMS::Alias"), map[string]any{"AliasName": "alias/acme/prod"})
	})
}

func TestKeys_ReplicaCopiesThePrimaryAndIsRetained(t *testing.T) {
	s := constructkit.Stack(t, "eu-west-1")
	keys.NewReplica(s, "Key", jsii.String("arn:aws:kms:us-east-1:111111111111:key/mrk-1234"), keys.Props{Alias: "alias/acme/prod"})
	tpl := constructkit.TemplateOf(t, s)
	constructkit.Assert(t, func() {
		tpl.HasResource(jsii.String("AWS::KMS::ReplicaKey"), map[string]any{
			"Properties":     assertions.Match_ObjectLike(&map[string]any{"PrimaryKeyArn": "arn:aws:kms:us-east-1:111111111111:key/mrk-1234"}),
			"DeletionPolicy": "RetainExceptOnCreate",
		})
		tpl.HasResourceProperties(jsii.String("AWS::KMS::Alias"), map[string]any{"AliasName": "alias/acme/prod"})
	})
}

func TestKeys_PolicyNamesNoWildcardActionAndLetsOnlyThisRegionsLogsUseIt(t *testing.T) {
	s := constructkit.Stack(t, "eu-west-1")
	keys.NewReplica(s, "Key", jsii.String("arn:aws:kms:us-east-1:111111111111:key/mrk-1234"), keys.Props{Alias: "alias/acme/prod"})
	tpl := constructkit.TemplateOf(t, s)
	constructkit.Assert(t, func() {
		tpl.HasResourceProperties(jsii.String("AWS::KMS::ReplicaKey"), map[string]any{
			"KeyPolicy": map[string]any{"Statement": assertions.Match_ArrayWith(&[]any{assertions.Match_ObjectLike(&map[string]any{
				"Principal": map[string]any{"Service": "logs.eu-west-1.amazonaws.com"},
				"Condition": map[string]any{"ArnLike": map[string]any{
					"kms:EncryptionContext:aws:logs:arn": "arn:aws:logs:eu-west-1:111111111111:log-group:*",
				}},
			})})},
		})
	})
	data, _ := json.Marshal(tpl.ToJSON())
	if strings.Contains(string(data), `"kms:*"`) || strings.Contains(string(data), `"Action":"*"`) {
		t.Error("the key policy grants a wildcard action")
	}
}

// Compliance scanners flag a key whose policy lets principals create grants for anything: a
// grant outlives the IAM policy that allowed it. Only AWS services, for their own resources,
// may create grants on a platform key.
func TestKeys_GrantsAreOnlyForAWSResources(t *testing.T) {
	s := constructkit.Stack(t, "eu-west-1")
	keys.NewPrimary(s, "Key", keys.Props{Alias: "alias/acme/prod"})
	keys.NewStackKey(s, "StackKey", "test")
	tpl := constructkit.TemplateOf(t, s)
	var found *map[string]*map[string]any
	constructkit.Assert(t, func() { found = tpl.FindResources(jsii.String("AWS::KMS::Key"), nil) })
	if len(*found) != 2 {
		t.Fatalf("want 2 keys, found %d", len(*found))
	}
	for id, key := range *found {
		data, _ := json.Marshal((*key)["Properties"].(map[string]any)["KeyPolicy"])
		var policy struct {
			Statement []struct {
				Action    any
				Condition map[string]map[string]any
			}
		}
		if err := json.Unmarshal(data, &policy); err != nil {
			t.Fatal(err)
		}
		grants := 0
		for _, statement := range policy.Statement {
			for _, action := range actionList(statement.Action) {
				if action == "kms:*" || action == "kms:Create*" || action == "kms:CreateGrant" {
					grants++
					if statement.Condition["Bool"]["kms:GrantIsForAWSResource"] != "true" {
						t.Errorf("%s allows %s without kms:GrantIsForAWSResource", id, action)
					}
				}
			}
		}
		if grants == 0 {
			t.Errorf("%s lets no service create grants: RDS, DynamoDB and ECR could not use it", id)
		}
	}
}

func actionList(action any) []string {
	switch a := action.(type) {
	case string:
		return []string{a}
	case []any:
		var out []string
		for _, x := range a {
			out = append(out, x.(string))
		}
		return out
	}
	return nil
}

// A rotation writes the new password in the primary region; Secrets Manager re-encrypts each
// replica under that region's replica key with the writer's permissions. Every copy of the
// environment's key lets Secrets Manager in its own region use it for the account, and only
// through Secrets Manager.
func TestKeys_EveryCopyLetsSecretsManagerInItsRegionReEncryptReplicatedSecrets(t *testing.T) {
	for _, c := range []struct {
		region, resource, policyProperty string
		build                            func(s awscdk.Stack)
	}{
		{"us-east-1", "AWS::KMS::Key", "KeyPolicy", func(s awscdk.Stack) { keys.NewPrimary(s, "Key", keys.Props{Alias: "alias/acme/prod"}) }},
		{"eu-west-1", "AWS::KMS::ReplicaKey", "KeyPolicy", func(s awscdk.Stack) {
			keys.NewReplica(s, "Key", jsii.String("arn:aws:kms:us-east-1:111111111111:key/mrk-1234"), keys.Props{Alias: "alias/acme/prod"})
		}},
	} {
		s := constructkit.Stack(t, c.region)
		c.build(s)
		tpl := constructkit.TemplateOf(t, s)
		constructkit.Assert(t, func() {
			tpl.HasResourceProperties(jsii.String(c.resource), map[string]any{
				c.policyProperty: map[string]any{"Statement": assertions.Match_ArrayWith(&[]any{assertions.Match_ObjectLike(&map[string]any{
					"Principal": map[string]any{"AWS": "*"},
					"Action":    assertions.Match_ArrayWith(&[]any{"kms:Decrypt", "kms:GenerateDataKey*"}),
					"Condition": map[string]any{"StringEquals": map[string]any{
						"kms:CallerAccount": "111111111111",
						"kms:ViaService":    "secretsmanager." + c.region + ".amazonaws.com",
					}},
				})})},
			})
		})
	}
}

// EventBridge uses the environment's key as a service principal (for the bus, its archive and
// deliveries to encrypted queues), which IAM cannot grant: the key policy names it, and only for
// the account's buses and queues in the key's region. The stack keys encrypt no events.
func TestKeys_EventBridgeMayUseThePlatformKeyOnlyForTheAccountsBusesAndQueues(t *testing.T) {
	s := constructkit.Stack(t, "eu-west-1")
	keys.NewReplica(s, "Key", jsii.String("arn:aws:kms:us-east-1:111111111111:key/mrk-1234"), keys.Props{Alias: "alias/acme/prod"})
	keys.NewStackKey(s, "StackKey", "test")
	tpl := constructkit.TemplateOf(t, s)
	eventBridge := map[string]any{"Service": "events.amazonaws.com"}
	constructkit.Assert(t, func() {
		tpl.HasResourceProperties(jsii.String("AWS::KMS::ReplicaKey"), map[string]any{
			"KeyPolicy": map[string]any{"Statement": assertions.Match_ArrayWith(&[]any{
				assertions.Match_ObjectLike(&map[string]any{
					"Principal": eventBridge,
					"Action":    []any{"kms:Decrypt", "kms:GenerateDataKey", "kms:ReEncrypt*"},
					"Condition": map[string]any{"ArnLike": map[string]any{
						"kms:EncryptionContext:aws:events:event-bus:arn": "arn:aws:events:eu-west-1:111111111111:event-bus/*",
					}},
				}),
				assertions.Match_ObjectLike(&map[string]any{"Principal": eventBridge, "Action": "kms:DescribeKey"}),
				assertions.Match_ObjectLike(&map[string]any{
					"Principal": eventBridge,
					"Action":    []any{"kms:Decrypt", "kms:GenerateDataKey"},
					"Condition": map[string]any{"ArnLike": map[string]any{
						"kms:EncryptionContext:aws:sqs:arn": "arn:aws:sqs:eu-west-1:111111111111:*",
					}},
				}),
			})},
		})
	})
	var stackKeys *map[string]*map[string]any
	constructkit.Assert(t, func() { stackKeys = tpl.FindResources(jsii.String("AWS::KMS::Key"), nil) })
	for id, key := range *stackKeys {
		if data, _ := json.Marshal(key); strings.Contains(string(data), "events.amazonaws.com") {
			t.Errorf("stack key %s lets EventBridge use it; only the environment's key encrypts events", id)
		}
	}
	// Every statement naming EventBridge that may encrypt or decrypt is held by an encryption
	// context of the key's account and region.
	var replicas *map[string]*map[string]any
	constructkit.Assert(t, func() { replicas = tpl.FindResources(jsii.String("AWS::KMS::ReplicaKey"), nil) })
	for id, key := range *replicas {
		data, _ := json.Marshal((*key)["Properties"].(map[string]any)["KeyPolicy"])
		var policy struct {
			Statement []struct {
				Principal map[string]any
				Action    any
				Condition map[string]map[string]string
			}
		}
		if err := json.Unmarshal(data, &policy); err != nil {
			t.Fatal(err)
		}
		for _, statement := range policy.Statement {
			if statement.Principal["Service"] != "events.amazonaws.com" || statement.Action == "kms:DescribeKey" {
				continue
			}
			context := ""
			for k, v := range statement.Condition["ArnLike"] {
				if strings.HasPrefix(k, "kms:EncryptionContext:") {
					context = v
				}
			}
			if !strings.Contains(context, ":eu-west-1:111111111111:") {
				t.Errorf("%s lets EventBridge use the key for %v beyond the account's resources in its region (encryption context %q)", id, statement.Action, context)
			}
		}
	}
}

// Package keys builds an environment's customer-managed KMS key: one multi-region key whose
// primary lives in the primary region and whose replicas (same key material, same key ID)
// live in every secondary region, so data encrypted in one region decrypts in another after a
// failover.
package keys

import (
	"fmt"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/example/platform/lib/compliance"
	"github.com/example/platform/lib/props"
)

// Props configures a key. Alias is required.
type Props struct {
	// Alias is the key's alias, the same in every region: alias/ and a name, not under alias/aws/.
	Alias string
	// Description is shown in the KMS console. Default: none.
	Description string
}

// check fails with every problem of p (and of the primary key's ARN for a replica), the way a
// construct fails: a panic naming its path.
func (p Props) check(scope constructs.Construct, id, constructor string, primaryKeyArn ...*string) {
	c := props.Check(scope, id, constructor)
	if c.Require("Props.Alias", p.Alias != "", "give the alias every region's key has, such as alias/acme/prod") {
		switch name, ok := strings.CutPrefix(p.Alias, "alias/"); {
		case !ok || name == "":
			c.Failf("Props.Alias", "%q does not start with alias/; give one such as alias/acme/prod", p.Alias)
		case strings.HasPrefix(name, "aws/"):
			c.Failf("Props.Alias", "%q: alias/aws/ is reserved for AWS managed keys; give one such as alias/acme/prod", p.Alias)
		}
	}
	for _, arn := range primaryKeyArn {
		c.Require("primaryKeyArn", arn != nil, "give the ARN of the multi-region primary key (NewPrimary's Arn)")
	}
	c.Done()
}

// Key is one region's copy of the environment's key.
type Key struct {
	constructs.Construct
	Key awskms.IKey
	// Arn of this region's key; a replica's ARN differs from the primary's only in the region.
	Arn *string
	// id is the key ID (mrk-...) that the primary and its replicas share; set on the primary.
	id *string
}

// ReplicaArn is the ARN of this primary key's replica in region, as seen from scope's stack:
// a replica has its primary's key ID, so resources in the primary region (a global table's
// replicas, replicated secrets and objects) can name it without a cross-region reference.
func (k *Key) ReplicaArn(scope constructs.Construct, region string) *string {
	if k.id == nil {
		panic(fmt.Sprintf("keys.Key.ReplicaArn(%s): only a primary key knows its replicas' ARNs; call it on the key NewPrimary returned", *k.Node().Path()))
	}
	return awscdk.Stack_Of(scope).FormatArn(&awscdk.ArnComponents{
		Service: jsii.String("kms"), Region: jsii.String(region), Resource: jsii.String("key"),
		ResourceName: k.id, ArnFormat: awscdk.ArnFormat_SLASH_RESOURCE_NAME,
	})
}

// NewPrimary creates the multi-region primary key with yearly rotation. Its ARN feeds the
// replicas in the other regions.
func NewPrimary(scope constructs.Construct, id string, props Props) *Key {
	props.check(scope, id, "keys.NewPrimary")
	c := constructs.NewConstruct(scope, jsii.String(id))
	key := awskms.NewKey(c, jsii.String("Key"), &awskms.KeyProps{
		Description:       jsii.String(props.Description),
		MultiRegion:       jsii.Bool(true),
		EnableKeyRotation: jsii.Bool(true),
		Policy:            environmentPolicy(awscdk.Stack_Of(c)),
		PendingWindow:     awscdk.Duration_Days(jsii.Number(30)),
		// Kept when the stack goes (what it encrypted stays readable); a key whose own create
		// failed encrypted nothing and goes.
		RemovalPolicy: awscdk.RemovalPolicy_RETAIN_ON_UPDATE_OR_DELETE,
	})
	awskms.NewAlias(c, jsii.String("Alias"), &awskms.AliasProps{AliasName: jsii.String(props.Alias), TargetKey: key})
	return &Key{Construct: c, Key: key, Arn: key.KeyArn(), id: key.KeyId()}
}

// NewReplica creates a replica of the primary key at primaryKeyArn in scope's region. Rotation
// follows the primary. CfnReplicaKey is used because the KMS L2 has no replica key.
func NewReplica(scope constructs.Construct, id string, primaryKeyArn *string, props Props) *Key {
	props.check(scope, id, "keys.NewReplica", primaryKeyArn)
	c := constructs.NewConstruct(scope, jsii.String(id))
	// The grant guard that compliance.GuardGrants gives every awskms.Key, which a CfnReplicaKey
	// is not: a replica's policy is its own, not its primary's.
	policy := environmentPolicy(awscdk.Stack_Of(c))
	policy.AddStatements(compliance.CreateGrantGuard())
	replica := awskms.NewCfnReplicaKey(c, jsii.String("Key"), &awskms.CfnReplicaKeyProps{
		PrimaryKeyArn:       primaryKeyArn,
		Description:         jsii.String(props.Description),
		KeyPolicy:           policy,
		PendingWindowInDays: jsii.Number(30),
	})
	replica.ApplyRemovalPolicy(awscdk.RemovalPolicy_RETAIN_ON_UPDATE_OR_DELETE, nil)
	key := awskms.Key_FromKeyArn(c, jsii.String("Imported"), replica.AttrArn())
	awskms.NewAlias(c, jsii.String("Alias"), &awskms.AliasProps{AliasName: jsii.String(props.Alias), TargetKey: key})
	return &Key{Construct: c, Key: key, Arn: replica.AttrArn()}
}

// environmentPolicy is the environment key's policy: Policy, EventBridge's use of the key for
// the event tier (EventBridgeStatements), and Secrets Manager's use of it in its region for any
// principal of the account. The environment's secrets are replicated to every region under
// that region's replica key, and a write to a secret (a password rotation, PutSecretValue) is
// re-encrypted into each replica with the writer's own KMS permissions: the rotation function's
// role is granted the primary key only, so without this a rotation succeeds in the primary and
// leaves the replicas failing ("Replication failed: access denied to KMS key"). The conditions
// are those of the AWS managed key aws/secretsmanager.
func environmentPolicy(stack awscdk.Stack) awsiam.PolicyDocument {
	document := Policy(stack)
	document.AddStatements(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:        jsii.String("SecretsManagerEncryptsTheAccountsSecretsAndReplicas"),
		Principals: &[]awsiam.IPrincipal{awsiam.NewAnyPrincipal()},
		Actions:    jsii.Strings("kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"),
		Resources:  jsii.Strings("*"),
		Conditions: &map[string]any{"StringEquals": map[string]any{
			"kms:CallerAccount": *stack.Account(),
			"kms:ViaService":    fmt.Sprintf("secretsmanager.%s.amazonaws.com", *stack.Region()),
		}},
	}))
	// EventBridge acts as its service principal, not through IAM, so the key must name it for
	// the event tier (lib/events); the stack keys (NewStackKey) encrypt no events.
	document.AddStatements(EventBridgeStatements(stack)...)
	return document
}

// NewStackKey creates a single-region key, rotated yearly, for the logs and topics of one
// stateless stack (the edge's, the pipeline's): it goes with its stack, after the shortest
// pending window, as what it encrypts does. statements extend the standard Policy, for the
// services that use the key on the account's behalf.
func NewStackKey(scope constructs.Construct, id, description string, statements ...awsiam.PolicyStatement) awskms.Key {
	document := Policy(awscdk.Stack_Of(scope))
	for _, statement := range statements {
		document.AddStatements(statement)
	}
	return awskms.NewKey(scope, jsii.String(id), &awskms.KeyProps{
		Description:       jsii.String(description),
		EnableKeyRotation: jsii.Bool(true),
		Policy:            document,
		PendingWindow:     awscdk.Duration_Days(jsii.Number(7)),
		RemovalPolicy:     awscdk.RemovalPolicy_DESTROY,
	})
}

// Policy is every platform key's policy. The account administers and uses the key through IAM
// (without naming "kms:*"); AWS services may create grants on it only for the AWS resources
// they encrypt with it (kms:GrantIsForAWSResource), which is how RDS, DynamoDB and ECR use a
// customer managed key, so nobody can hand out a standing grant; and CloudWatch Logs in the
// key's region may encrypt the account's log groups.
func Policy(stack awscdk.Stack) awsiam.PolicyDocument {
	account, region := *stack.Account(), *stack.Region()
	return awsiam.NewPolicyDocument(&awsiam.PolicyDocumentProps{Statements: &[]awsiam.PolicyStatement{
		awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Sid:        jsii.String("AccountAdministersAndUsesTheKeyThroughIAM"),
			Principals: &[]awsiam.IPrincipal{awsiam.NewAccountRootPrincipal()},
			Actions: jsii.Strings(
				"kms:CreateAlias", "kms:Describe*", "kms:Enable*", "kms:List*", "kms:Put*", "kms:Update*",
				"kms:Revoke*", "kms:Disable*", "kms:Get*", "kms:Delete*", "kms:TagResource", "kms:UntagResource",
				"kms:ScheduleKeyDeletion", "kms:CancelKeyDeletion", "kms:ReplicateKey", "kms:RotateKeyOnDemand",
				"kms:RetireGrant", "kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*"),
			Resources: jsii.Strings("*"),
		}),
		awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Sid:        jsii.String("GrantsOnlyForAWSResources"),
			Principals: &[]awsiam.IPrincipal{awsiam.NewAccountRootPrincipal()},
			Actions:    jsii.Strings("kms:CreateGrant"),
			Resources:  jsii.Strings("*"),
			Conditions: &map[string]any{"Bool": map[string]any{"kms:GrantIsForAWSResource": "true"}},
		}),
		awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Sid:        jsii.String("CloudWatchLogsEncryptsTheAccountsLogGroups"),
			Principals: &[]awsiam.IPrincipal{awsiam.NewServicePrincipal(jsii.String(fmt.Sprintf("logs.%s.amazonaws.com", region)), nil)},
			Actions:    jsii.Strings("kms:Encrypt", "kms:Decrypt", "kms:ReEncrypt*", "kms:GenerateDataKey*", "kms:DescribeKey"),
			Resources:  jsii.Strings("*"),
			Conditions: &map[string]any{"ArnLike": map[string]any{
				"kms:EncryptionContext:aws:logs:arn": fmt.Sprintf("arn:aws:logs:%s:%s:log-group:*", region, account),
			}},
		}),
	}})
}

// EventBridgeStatements let EventBridge encrypt the account's event buses and archives in the
// stack's region, and deliver rule targets and dead letters to the account's encrypted queues
// there. The queue statement is bound by SQS's encryption context (the queue's ARN), not by
// aws:SourceArn or aws:SourceAccount: SNS documents that those keys are not supported in a key
// policy for EventBridge's deliveries to an encrypted topic ("Key management", SNS Developer
// Guide), and EventBridge's deliveries to an encrypted queue go the same way.
func EventBridgeStatements(stack awscdk.Stack) []awsiam.PolicyStatement {
	account, region := *stack.Account(), *stack.Region()
	eventBridge := &[]awsiam.IPrincipal{awsiam.NewServicePrincipal(jsii.String("events.amazonaws.com"), nil)}
	return []awsiam.PolicyStatement{
		awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Sid:        jsii.String("EventBridgeEncryptsTheAccountsBusesAndArchives"),
			Principals: eventBridge,
			Actions:    jsii.Strings("kms:GenerateDataKey", "kms:Decrypt", "kms:ReEncrypt*"),
			Resources:  jsii.Strings("*"),
			Conditions: &map[string]any{"ArnLike": map[string]any{
				"kms:EncryptionContext:aws:events:event-bus:arn": fmt.Sprintf("arn:aws:events:%s:%s:event-bus/*", region, account),
			}},
		}),
		// EventBridge checks that the key it is given is a symmetric encryption key. DescribeKey
		// returns the key's metadata only and carries no encryption context to condition on.
		awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Sid:        jsii.String("EventBridgeDescribesTheKey"),
			Principals: eventBridge,
			Actions:    jsii.Strings("kms:DescribeKey"),
			Resources:  jsii.Strings("*"),
		}),
		awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
			Sid:        jsii.String("EventBridgeSendsToTheAccountsEncryptedQueues"),
			Principals: eventBridge,
			Actions:    jsii.Strings("kms:GenerateDataKey", "kms:Decrypt"),
			Resources:  jsii.Strings("*"),
			Conditions: &map[string]any{"ArnLike": map[string]any{
				"kms:EncryptionContext:aws:sqs:arn": fmt.Sprintf("arn:aws:sqs:%s:%s:*", region, account),
			}},
		}),
	}
}

// Package table builds the platform's DynamoDB global table: created in the primary region,
// with a replica in every secondary, all of them writable (last writer wins).
package table

import (
	"fmt"
	"regexp"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsdynamodb"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/example/platform/lib/compliance"
	"github.com/example/platform/lib/props"
)

// Replica is a secondary region of the table and the key that encrypts it there.
type Replica struct {
	Region string
	KeyArn *string
}

// Props configures the table. TableName and Key are required.
type Props struct {
	// TableName is the same in every region (a global table has one name).
	TableName string
	// Key encrypts the table in the scope's (primary) region.
	Key awskms.IKey
	// Replicas are the secondary regions. Each replica's key must exist before the table.
	// Default: none (a table in one region).
	Replicas []Replica
	// DeletionProtection keeps the table and its replicas from being deleted, by
	// CloudFormation too: on for production, off where an environment must come down.
	DeletionProtection bool
}

// tableNamePattern is what DynamoDB accepts as a table name.
var tableNamePattern = regexp.MustCompile(`^[A-Za-z0-9_.-]{3,255}$`)

// check fails with every problem of p, the way a construct fails: a panic naming its path.
func (p Props) check(scope constructs.Construct, id string) {
	c := props.Check(scope, id, "table.New")
	if c.Require("Props.TableName", p.TableName != "", "name the table, the same in every region, such as acme-prod-main") &&
		!tableNamePattern.MatchString(p.TableName) {
		c.Failf("Props.TableName", "%q is not a table name: 3 to 255 letters, digits, '_', '-' or '.'", p.TableName)
	}
	c.Require("Props.Key", p.Key != nil, "give the primary region's KMS key")
	seen := map[string]bool{}
	for i, r := range p.Replicas {
		field := fmt.Sprintf("Props.Replicas[%d]", i)
		if c.Require(field+".Region", r.Region != "", "give the secondary region's code, such as eu-west-1") && seen[r.Region] {
			c.Failf(field+".Region", "%s is listed twice; list each replica region once", r.Region)
		}
		seen[r.Region] = true
		c.Require(field+".KeyArn", r.KeyArn != nil, "give the ARN of the region's key, which encrypts the replica")
	}
	c.Done()
}

// New creates the table with a generic single-table key schema (pk, sk): the application
// decides what goes in it. Every replica gets point-in-time recovery, contributor insights and
// its region's key; the table and its replicas are retained when the stack goes (but not when
// their own create fails: a kept table of that name would fail every retry).
func New(scope constructs.Construct, id string, props Props) awsdynamodb.TableV2 {
	props.check(scope, id)
	replicas := make([]*awsdynamodb.ReplicaTableProps, len(props.Replicas))
	replicaKeys := map[string]*string{}
	for i, r := range props.Replicas {
		replicas[i] = &awsdynamodb.ReplicaTableProps{Region: jsii.String(r.Region)}
		replicaKeys[r.Region] = r.KeyArn
	}
	return awsdynamodb.NewTableV2(scope, jsii.String(id), &awsdynamodb.TablePropsV2{
		TableName:    jsii.String(props.TableName),
		PartitionKey: &awsdynamodb.Attribute{Name: jsii.String("pk"), Type: awsdynamodb.AttributeType_STRING},
		SortKey:      &awsdynamodb.Attribute{Name: jsii.String("sk"), Type: awsdynamodb.AttributeType_STRING},
		Billing:      awsdynamodb.Billing_OnDemand(nil),
		Encryption:   awsdynamodb.TableEncryptionV2_CustomerManagedKey(props.Key, &replicaKeys),
		Replicas:     &replicas,
		PointInTimeRecoverySpecification: &awsdynamodb.PointInTimeRecoverySpecification{
			PointInTimeRecoveryEnabled: jsii.Bool(true),
		},
		DeletionProtection:               jsii.Bool(props.DeletionProtection),
		DynamoStream:                     awsdynamodb.StreamViewType_NEW_AND_OLD_IMAGES,
		ContributorInsightsSpecification: &awsdynamodb.ContributorInsightsSpecification{Enabled: jsii.Bool(true)},
		RemovalPolicy:                    awscdk.RemovalPolicy_RETAIN_ON_UPDATE_OR_DELETE,
	})
}

// GrantReadWriteData lets grantee read and write the table named tableName in scope's region
// (every region has a replica under that name), encrypted with key: the grant names the table
// instead of referring to its construct, which lives in the primary region's stack.
func GrantReadWriteData(scope constructs.Construct, grantee awsiam.IGrantable, tableName string, key awskms.IKey) {
	table := awsdynamodb.TableV2_FromTableAttributes(scope, jsii.String("Table"), &awsdynamodb.TableAttributesV2{
		TableName: jsii.String(tableName), EncryptionKey: key,
	})
	table.GrantReadWriteData(grantee)
	if role, ok := grantee.(constructs.IConstruct); ok {
		compliance.Accept(role, compliance.Accepted{Rule: "AwsSolutions-IAM5",
			AppliesTo: []string{"Action::kms:GenerateDataKey*", "Action::kms:ReEncrypt*"},
			Reason:    "The table grant's KMS actions for the table's key, as DynamoDB needs them."})
	}
}

package compliance_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/jsii-runtime-go"

	"github.com/example/platform/lib/compliance"
	"github.com/example/platform/test/constructkit"
)

// Control Tower's CT.KMS.PR.3: every key's policy denies creating a grant unless it is for an
// AWS resource or from an AWS service, the keys CDK makes inside other constructs too.
func TestGuardGrants_EveryKeyDeniesGrantsNotForAWSResources(t *testing.T) {
	app := constructkit.NewApp(t)
	stack := awscdk.NewStack(app, jsii.String("Test"), nil)
	awskms.NewKey(stack, jsii.String("Key"), nil)
	awss3.NewBucket(stack, jsii.String("Bucket"), &awss3.BucketProps{Encryption: awss3.BucketEncryption_KMS})
	compliance.GuardGrants(app)
	var keys *map[string]*map[string]any
	constructkit.Assert(t, func() { keys = constructkit.TemplateOf(t, stack).FindResources(jsii.String("AWS::KMS::Key"), nil) })
	constructkit.CheckedSomething(t, len(*keys), "key")
	if len(*keys) != 2 {
		t.Fatalf("%d keys, want the stack's and the bucket's", len(*keys))
	}
	for id, key := range *keys {
		data, _ := json.Marshal((*key)["Properties"].(map[string]any)["KeyPolicy"])
		policy := string(data)
		for _, want := range []string{`"Sid":"` + compliance.CreateGrantGuardSid + `"`, `"Effect":"Deny"`, `"Action":"kms:CreateGrant"`,
			`"BoolIfExists":{"aws:PrincipalIsAWSService":"false","kms:GrantIsForAWSResource":"false"}`} {
			if !strings.Contains(policy, want) {
				t.Errorf("key %s's policy lacks %s: %s", id, want, policy)
			}
		}
	}
}

package edge

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssecretsmanager"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/example/platform/lib/compliance"
	platformprops "github.com/example/platform/lib/props"
)

// OriginSecretProps configures the origin secret. Name is required.
type OriginSecretProps struct {
	// Name is the secret's name, the same in every region it is copied to.
	Name string
	// ReplicaRegions get a copy: every region whose load balancer checks the header, and the
	// edge's region, where CloudFront's origins read it.
	ReplicaRegions []string
}

// NewOriginSecret generates the value CloudFront sends as the origin header and the load
// balancers require: 48 letters and digits (ALB header conditions treat * and ? as wildcards).
// It is encrypted with the AWS managed key, because the replica regions' platform keys may not
// exist yet when it is created, and kept when its stack goes (like the keys it is created with:
// deleting the stack must not take the edge's access away), except after a failed create, so
// a retry can reuse the name.
func NewOriginSecret(scope constructs.Construct, id string, props OriginSecretProps) awssecretsmanager.Secret {
	c := platformprops.Check(scope, id, "edge.NewOriginSecret")
	c.Require("Props.Name", props.Name != "", "the load balancers and CloudFront find the secret by it")
	c.Done()
	var replicas []*awssecretsmanager.ReplicaRegion
	for _, region := range props.ReplicaRegions {
		replicas = append(replicas, &awssecretsmanager.ReplicaRegion{Region: jsii.String(region)})
	}
	secret := awssecretsmanager.NewSecret(scope, jsii.String(id), &awssecretsmanager.SecretProps{
		SecretName:           jsii.String(props.Name),
		Description:          jsii.String("The header value CloudFront adds to requests and the load balancers require: only the edge may reach them"),
		GenerateSecretString: &awssecretsmanager.SecretStringGenerator{PasswordLength: jsii.Number(48), ExcludePunctuation: jsii.Bool(true)},
		ReplicaRegions:       &replicas,
		RemovalPolicy:        awscdk.RemovalPolicy_RETAIN_ON_UPDATE_OR_DELETE,
	})
	compliance.Accept(secret, compliance.Accepted{Rule: "AwsSolutions-SMG4",
		Reason: "A new origin secret must reach CloudFront and every load balancer together, which a rotation function cannot do without rewriting the production listener rules; rotate it with docs/networking.md's procedure (Rotating the origin secret)."})
	return secret
}

// OriginSecretValue is a dynamic reference to the origin secret named name: CloudFormation
// resolves it at deployment, and the template text stays the same whatever the value, so the
// listener rules that check it never change.
func OriginSecretValue(name string) string {
	return *awscdk.SecretValue_SecretsManager(jsii.String(name), nil).UnsafeUnwrap()
}

package stacks

import (
	"fmt"
	"slices"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssecretsmanager"
	"github.com/aws/jsii-runtime-go"

	"github.com/example/platform/lib/compliance"
	"github.com/example/platform/lib/config"
	"github.com/example/platform/lib/keys"
)

// KeysStack holds a region's copy of the environment's KMS key, and in the primary region the
// origin secret. Keys are stateful (losing one loses what it encrypted), so the stack is
// termination-protected in protected environments and the key is retained if the stack goes.
// It deploys before every stack that uses the key.
type KeysStack struct {
	awscdk.Stack
	Key *keys.Key
}

// NewKeysStack creates the primary key and the origin secret when primaryKeyArn is nil, else a
// replica of the key.
func NewKeysStack(stage awscdk.Stage, place placement, primaryKeyArn *string) *KeysStack {
	what := "KMS key"
	if primaryKeyArn == nil {
		what = "KMS key and origin secret"
	}
	stack := newStack(stage, place, TierKeys,
		fmt.Sprintf("%s %s %s in %s (stateful)", place.platform.Name, place.env.Name, what, place.region), place.env.Protected())
	props := keys.Props{
		Alias:       KeyAlias(place.platform.Name, place.env.Name),
		Description: fmt.Sprintf("%s %s: encrypts data, logs and images in every region", place.platform.Name, place.env.Name),
	}
	if primaryKeyArn != nil {
		return &KeysStack{Stack: stack, Key: keys.NewReplica(stack, "PlatformKey", primaryKeyArn, props)}
	}
	newOriginSecret(stack, place)
	return &KeysStack{Stack: stack, Key: keys.NewPrimary(stack, "PlatformKey", props)}
}

// newOriginSecret generates the value CloudFront sends as the origin header, replicated to every
// region whose load balancer checks it and to the edge's region. It lives here because this
// stack deploys before every load balancer and the distribution. It is encrypted with the AWS
// managed key: the replica regions' platform keys do not exist yet when it is created.
func newOriginSecret(stack awscdk.Stack, place placement) {
	var replicas []*awssecretsmanager.ReplicaRegion
	for _, region := range originSecretReplicaRegions(place.env) {
		replicas = append(replicas, &awssecretsmanager.ReplicaRegion{Region: jsii.String(region)})
	}
	secret := awssecretsmanager.NewSecret(stack, jsii.String("OriginSecret"), &awssecretsmanager.SecretProps{
		SecretName:  jsii.String(OriginSecretName(place.platform.Name, place.env.Name)),
		Description: jsii.String("The header value CloudFront adds to requests and the load balancers require: only the edge may reach them"),
		// Letters and digits only: ALB header conditions treat * and ? as wildcards.
		GenerateSecretString: &awssecretsmanager.SecretStringGenerator{PasswordLength: jsii.Number(48), ExcludePunctuation: jsii.Bool(true)},
		ReplicaRegions:       &replicas,
		// Like the keys beside it: deleting the stack must not take the edge's access away. A
		// secret whose own create failed goes, or its fixed name would fail every retry.
		RemovalPolicy: awscdk.RemovalPolicy_RETAIN_ON_UPDATE_OR_DELETE,
	})
	compliance.Accept(secret, compliance.Accepted{Rule: "AwsSolutions-SMG4",
		Reason: "A new origin secret must reach CloudFront and every load balancer together, which a rotation function cannot do without rewriting the production listener rules; rotate it with the README's procedure."})
}

// originSecretReplicaRegions are where the origin secret is copied from the primary: every
// secondary, and the edge's region when the environment does not run there.
func originSecretReplicaRegions(env config.Environment) []string {
	var regions []string
	for _, r := range env.Secondaries() {
		regions = append(regions, r.Region)
	}
	if !slices.ContainsFunc(env.Regions, func(r config.Region) bool { return r.Region == EdgeRegion }) {
		regions = append(regions, EdgeRegion)
	}
	return regions
}

// originHeaderValue is a dynamic reference to the origin secret: CloudFormation resolves it at
// deployment, and the template text stays the same whatever the value.
func originHeaderValue(platform, environment string) string {
	return *awscdk.SecretValue_SecretsManager(jsii.String(OriginSecretName(platform, environment)), nil).UnsafeUnwrap()
}

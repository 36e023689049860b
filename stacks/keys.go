package stacks

import (
	"fmt"
	"slices"

	"github.com/aws/aws-cdk-go/awscdk/v2"

	"github.com/example/platform/lib/edge"
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
	if primaryKeyArn == nil && place.env.HasEdge() {
		what = "KMS key and origin secret"
	}
	stack := newStack(stage, place, TierKeys,
		fmt.Sprintf("%s %s %s in %s (stateful)", place.platform.Name, place.env.Name, what, place.region.Region))
	props := keys.Props{
		Alias:       KeyAlias(place.platform.Name, place.env.Name),
		Description: fmt.Sprintf("%s %s: encrypts data, logs and images in every region", place.platform.Name, place.env.Name),
	}
	if primaryKeyArn != nil {
		return &KeysStack{Stack: stack, Key: keys.NewReplica(stack, "PlatformKey", primaryKeyArn, props)}
	}
	// The origin secret lives here because this stack deploys before every load balancer and
	// the distribution.
	if place.env.HasEdge() {
		edge.NewOriginSecret(stack, "OriginSecret", edge.OriginSecretProps{
			Name: OriginSecretName(place.platform.Name, place.env.Name), ReplicaRegions: originSecretReplicaRegions(place),
		})
	}
	return &KeysStack{Stack: stack, Key: keys.NewPrimary(stack, "PlatformKey", props)}
}

// originSecretReplicaRegions are where the origin secret is copied from the primary: every
// secondary, and the region of the plan's edge stack when the environment does not run there.
func originSecretReplicaRegions(place placement) []string {
	var regions []string
	for _, r := range place.env.Secondaries() {
		regions = append(regions, r.Region)
	}
	for _, edge := range place.stage.OfTier(TierEdge) {
		if !place.env.RunsIn(edge.Region) && !slices.Contains(regions, edge.Region) {
			regions = append(regions, edge.Region)
		}
	}
	return regions
}

package stacks

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"

	"github.com/example/platform/lib/keys"
)

// KeysStack holds a region's copy of the environment's KMS key. Keys are stateful (losing one
// loses what it encrypted), so the stack is termination-protected in protected environments
// and the key is retained if the stack goes. It deploys before every stack that uses the key.
type KeysStack struct {
	awscdk.Stack
	Key *keys.Key
}

// NewKeysStack creates the primary key when primaryKeyArn is nil, else a replica of it.
func NewKeysStack(stage awscdk.Stage, place placement, primaryKeyArn *string) *KeysStack {
	stack := newStack(stage, place, TierKeys,
		fmt.Sprintf("%s %s KMS key in %s (stateful)", place.platform.Name, place.env.Name, place.region), place.env.Protected())
	props := keys.Props{
		Alias:       KeyAlias(place.platform.Name, place.env.Name),
		Description: fmt.Sprintf("%s %s: encrypts data, logs and images in every region", place.platform.Name, place.env.Name),
	}
	if primaryKeyArn == nil {
		return &KeysStack{Stack: stack, Key: keys.NewPrimary(stack, "PlatformKey", props)}
	}
	return &KeysStack{Stack: stack, Key: keys.NewReplica(stack, "PlatformKey", primaryKeyArn, props)}
}

package stacks

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"

	"github.com/example/platform/lib/datalake"
	"github.com/example/platform/lib/events"
	"github.com/example/platform/lib/logsearch"
)

// LakeStack holds a region's data lake bucket and what writes into it: replication (in the
// primary region) and the delivery of the region's events. It is a stack of its own because
// replication inverts the data tier's order: the primary's bucket replicates to the
// secondaries' buckets, which must exist first, while the secondaries' databases wait for the
// primary's.
type LakeStack struct {
	awscdk.Stack
	Lake *datalake.Lake
	// EventDelivery writes the region's events into the lake.
	EventDelivery *events.Delivery
	// LogSearch is the region's log search collection and the delivery stream the service's
	// logs reach it by; nil unless monitoring.openSearch.
	LogSearch *logsearch.LogSearch
}

// NewLakeStack creates the region's lake, encrypted with the region's key; in the primary
// region (where key is the primary key) it replicates to every secondary's lake, whose stacks
// must deploy first. Firehose delivers the events of the region's stream into it (under
// events/, errors under events-errors/); the events stack deploys first.
func NewLakeStack(stage awscdk.Stage, place placement, key *KeysStack, ev *EventsStack) *LakeStack {
	p, env := place.platform, place.env
	stack := newStack(stage, place, TierLake,
		fmt.Sprintf("%s %s data lake in %s (stateful)", p.Name, env.Name, place.region.Region))
	var destinations []datalake.Destination
	// The plan has the lake wait for the lakes it replicates into: the secondaries', from the primary.
	for _, target := range place.stage.Waits(place.stack.Name, TierLake) {
		destinations = append(destinations, datalake.Destination{
			Region:     target.Region,
			BucketName: LakeBucketName(p.Name, env.Name, env.Account, target.Region),
			KeyArn:     key.Key.ReplicaArn(stack, target.Region),
		})
	}
	lake := datalake.New(stack, "Lake", datalake.Props{
		BucketName:   LakeBucketName(p.Name, env.Name, env.Account, place.region.Region),
		Key:          key.Key.Key,
		Destinations: destinations,
	})
	delivery := events.NewDelivery(stack, "EventDelivery", events.DeliveryProps{
		Stream:        ev.Events.Stream,
		Bucket:        lake.Bucket,
		Key:           key.Key.Key,
		BufferSeconds: float64(env.Events.DeliveryBufferSeconds),
		LogRetention:  logRetention(env),
	})
	return &LakeStack{Stack: stack, Lake: lake, EventDelivery: delivery, LogSearch: newLogSearch(stack, place, key, lake)}
}

// newLogSearch is the region's log search when the environment asks for it, in the lake stack:
// a store of the region's data beside the lake, termination-protected where the environment is,
// and not replaced when the app stack is (which subscribes its log group to it). Each region has
// its own, as its events and lake: logs stay in their region, a region's failure takes only its
// own search away, and no log crosses a region. What cannot be indexed lands in the lake under
// logs-errors/, encrypted with the region's key, and expires as the logs do.
func newLogSearch(stack awscdk.Stack, place placement, key *KeysStack, lake *datalake.Lake) *logsearch.LogSearch {
	p, env := place.platform, place.env
	if !env.Monitoring.OpenSearchOn() {
		return nil
	}
	return logsearch.New(stack, "LogSearch", logsearch.Props{
		Name:          LogSearchName(p.Name, env.Name),
		Key:           key.Key.Key,
		Readers:       env.Monitoring.LogReaders,
		RetentionDays: float64(env.Monitoring.LogRetentionDays),
		Bucket:        lake.Bucket,
		LogRetention:  logRetention(env),
	})
}

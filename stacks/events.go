package stacks

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"

	"github.com/example/platform/lib/events"
)

// EventsStack holds a region's event bus with its archive, the work queue with its dead-letter
// queue, and the event stream. It is stateful: the archive, the queues and the stream hold
// events and work not yet done, so the stack is termination-protected in protected environments
// and what holds events is kept if the stack goes. The rules that route events are stateless,
// but they are bound to the bus and its targets and deploy with them: a stack of their own
// would cost every region another pipeline action for no protection gained.
//
// It deploys right after the region's keys, beside the network and data: the app grants its
// tasks the bus, the queue and the stream, and the lake stack's delivery reads the stream, so
// both wait for it, and it waits for nothing else. (The delivery sits with the lake it writes
// to: here it would make the primary region's events wait for every secondary's lake.)
type EventsStack struct {
	awscdk.Stack
	Events *events.Events
}

// NewEventsStack creates the region's event tier, encrypted with the region's key.
func NewEventsStack(stage awscdk.Stage, place placement, keys *KeysStack) *EventsStack {
	p, env := place.platform, place.env
	stack := newStack(stage, place, TierEvents,
		fmt.Sprintf("%s %s event bus, archive, work queue and event stream in %s (stateful)", p.Name, env.Name, place.region.Region))
	e := env.Events
	built := events.New(stack, "Events", events.Props{
		Key:                  keys.Key.Key,
		BusName:              EventBusName(p.Name, env.Name),
		ArchiveName:          EventArchiveName(p.Name, env.Name),
		WorkQueueName:        WorkQueueName(p.Name, env.Name),
		Source:               EventSource(p.Name, p.Service.Name),
		ArchiveRetentionDays: float64(e.ArchiveRetentionDays),
		MaxReceiveCount:      float64(e.MaxReceiveCount),
		QueueRetentionDays:   float64(e.QueueRetentionDays),
		StreamRetentionHours: float64(e.StreamRetentionHours),
	})
	return &EventsStack{Stack: stack, Events: built}
}

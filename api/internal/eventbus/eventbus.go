// Package eventbus puts the service's events on the region's EventBridge bus, in batches
// within PutEvents' limits, and says which entries the bus refused.
package eventbus

import (
	"context"
	"fmt"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge/types"

	"github.com/example/platform/api/internal/events"
)

// PutEvents' limits: entries per call, and the call's total entry size.
const (
	MaxEntries = 10
	MaxBytes   = 256 * 1024
)

// API is the part of the EventBridge client the Bus uses.
type API interface {
	PutEvents(ctx context.Context, in *eventbridge.PutEventsInput, opts ...func(*eventbridge.Options)) (*eventbridge.PutEventsOutput, error)
}

// Bus is the region's event bus.
type Bus struct {
	API  API
	Name string
}

// EntrySize is how EventBridge counts an entry against the 256 KB: its source, detail-type,
// detail and resources as UTF-8 bytes, and 14 bytes for a time.
func EntrySize(e events.Event) int {
	return len(e.Source) + len(e.DetailType) + len(e.Detail) + 14
}

// Publish puts evs on the bus in as few calls as the limits allow. It returns, per event,
// nil when the bus accepted it, else why not: an error of the whole call (throttling, a
// network failure) is every entry's of that call, and a refused entry has its ErrorCode.
func (b *Bus) Publish(ctx context.Context, evs []events.Event) []error {
	errs := make([]error, len(evs))
	for start := 0; start < len(evs); {
		end, size := start, 0
		for end < len(evs) && end-start < MaxEntries {
			n := EntrySize(evs[end])
			if n > MaxBytes {
				errs[end] = fmt.Errorf("event %s is %d bytes; an EventBridge entry is at most %d", evs[end].ID, n, MaxBytes)
				break
			}
			if size+n > MaxBytes {
				break
			}
			size += n
			end++
		}
		if end > start {
			b.put(ctx, evs[start:end], errs[start:end])
			start = end
		} else {
			start++ // the oversized event alone, already failed
		}
	}
	return errs
}

func (b *Bus) put(ctx context.Context, evs []events.Event, errs []error) {
	entries := make([]types.PutEventsRequestEntry, len(evs))
	for i, e := range evs {
		entries[i] = types.PutEventsRequestEntry{
			EventBusName: aws.String(b.Name), Source: aws.String(e.Source), DetailType: aws.String(e.DetailType),
			Detail: aws.String(string(e.Detail)), Time: aws.Time(e.Time),
		}
	}
	out, err := b.API.PutEvents(ctx, &eventbridge.PutEventsInput{Entries: entries})
	if err != nil {
		for i := range errs {
			errs[i] = fmt.Errorf("PutEvents to bus %s: %w", b.Name, err)
		}
		return
	}
	for i := range errs {
		switch {
		case i >= len(out.Entries):
			errs[i] = fmt.Errorf("PutEvents to bus %s returned no result for the entry", b.Name)
		case out.Entries[i].ErrorCode != nil:
			errs[i] = fmt.Errorf("bus %s refused the entry: %s: %s", b.Name, aws.ToString(out.Entries[i].ErrorCode), aws.ToString(out.Entries[i].ErrorMessage))
		}
	}
}

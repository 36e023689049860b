// Package stream puts the service's events on the region's Kinesis stream (which Firehose
// delivers to the lake) with PutRecords, each record an event in EventBridge's envelope,
// retrying the records a call refused.
package stream

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/kinesis/types"

	"github.com/example/platform/api/internal/events"
)

// PutRecords' limits: records per call, a record's data and partition key, and a call's total.
const (
	MaxRecords     = 500
	MaxRecordBytes = 1 << 20
	MaxCallBytes   = 5 << 20
)

// API is the part of the Kinesis client the Stream uses.
type API interface {
	PutRecords(ctx context.Context, in *kinesis.PutRecordsInput, opts ...func(*kinesis.Options)) (*kinesis.PutRecordsOutput, error)
}

// Stream is the region's event stream.
type Stream struct {
	API    API
	Name   string
	Region string
	// Attempts is how many calls a record gets within one Publish (default 3); Backoff the
	// first wait between them, doubled each time (default 100 ms).
	Attempts int
	Backoff  time.Duration
}

type pending struct {
	index int
	entry types.PutRecordsRequestEntry
}

// Publish puts evs on the stream and returns, per event, nil once a call accepted its record.
// A record a call refused (its ErrorCode, e.g. ProvisionedThroughputExceededException) is sent
// again, alone with the other refused ones, after a backoff.
func (s *Stream) Publish(ctx context.Context, evs []events.Event) []error {
	errs := make([]error, len(evs))
	var todo []pending
	for i, e := range evs {
		data, _ := json.Marshal(e.ToEnvelope(s.Region))
		if len(data)+len(e.ID) > MaxRecordBytes {
			errs[i] = fmt.Errorf("event %s is %d bytes; a Kinesis record is at most %d", e.ID, len(data), MaxRecordBytes)
			continue
		}
		todo = append(todo, pending{i, types.PutRecordsRequestEntry{Data: data, PartitionKey: aws.String(e.ID)}})
	}
	attempts, wait := s.Attempts, s.Backoff
	if attempts <= 0 {
		attempts = 3
	}
	if wait <= 0 {
		wait = 100 * time.Millisecond
	}
	for attempt := 1; len(todo) > 0; attempt++ {
		var refused []pending
		for start := 0; start < len(todo); {
			end, size := start, 0
			for end < len(todo) && end-start < MaxRecords && size+len(todo[end].entry.Data)+len(*todo[end].entry.PartitionKey) <= MaxCallBytes {
				size += len(todo[end].entry.Data) + len(*todo[end].entry.PartitionKey)
				end++
			}
			refused = append(refused, s.put(ctx, todo[start:end], errs)...)
			start = end
		}
		todo = refused
		if len(todo) == 0 || attempt == attempts {
			break
		}
		select {
		case <-ctx.Done():
			return errs
		case <-time.After(wait):
		}
		wait *= 2
	}
	return errs
}

// put sends one call and returns the records it refused, their errors set in errs.
func (s *Stream) put(ctx context.Context, batch []pending, errs []error) []pending {
	entries := make([]types.PutRecordsRequestEntry, len(batch))
	for i, p := range batch {
		entries[i] = p.entry
	}
	out, err := s.API.PutRecords(ctx, &kinesis.PutRecordsInput{StreamName: aws.String(s.Name), Records: entries})
	if err != nil {
		for _, p := range batch {
			errs[p.index] = fmt.Errorf("PutRecords to stream %s: %w", s.Name, err)
		}
		return batch
	}
	var refused []pending
	for i, p := range batch {
		switch {
		case aws.ToInt32(out.FailedRecordCount) == 0:
			errs[p.index] = nil
		case i >= len(out.Records):
			errs[p.index] = fmt.Errorf("PutRecords to stream %s returned no result for the record", s.Name)
			refused = append(refused, p)
		case out.Records[i].ErrorCode != nil:
			errs[p.index] = fmt.Errorf("stream %s refused the record: %s: %s", s.Name, aws.ToString(out.Records[i].ErrorCode), aws.ToString(out.Records[i].ErrorMessage))
			refused = append(refused, p)
		default:
			errs[p.index] = nil
		}
	}
	return refused
}

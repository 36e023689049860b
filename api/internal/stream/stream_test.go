package stream_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/kinesis"

	"github.com/example/platform/api/internal/awsstub"
	"github.com/example/platform/api/internal/events"
	"github.com/example/platform/api/internal/stream"
)

func evs(n int) []events.Event {
	var out []events.Event
	for i := range n {
		id := string(rune('a' + i))
		out = append(out, events.Event{ID: id, Source: "acme.api", DetailType: "Item.Created", Detail: json.RawMessage(`{"eventId":"` + id + `"}`), Time: time.Now()})
	}
	return out
}

// PutRecords succeeds as a call while refusing some records (FailedRecordCount, per-record
// ErrorCode): only those are sent again, and one refused every time is reported.
func TestStream_RetriesOnlyTheRecordsACallRefused(t *testing.T) {
	stub := awsstub.New(t)
	stub.Lock(func(s *awsstub.Stub) {
		s.FailEntry = func(_ string, call, index int, data json.RawMessage) string {
			var env struct{ ID string }
			_ = json.Unmarshal(data, &env)
			if env.ID == "c" || (call == 1 && env.ID == "a") {
				return "ProvisionedThroughputExceededException"
			}
			return ""
		}
	})
	str := &stream.Stream{API: kinesis.NewFromConfig(stub.Config()), Name: "acme-stream", Region: "eu-west-1", Backoff: time.Millisecond}
	errs := str.Publish(t.Context(), evs(4))
	for i, err := range errs {
		if (i == 2) != (err != nil) {
			t.Errorf("record %d: error %v; want only the always-refused record c to fail", i, err)
		}
	}
	calls := stub.Requests("Kinesis_20131202.PutRecords")
	if len(calls) != 3 {
		t.Fatalf("%d PutRecords calls, want 3 (all 4, then a and c, then c)", len(calls))
	}
	var second struct{ Records []json.RawMessage }
	_ = json.Unmarshal(calls[1].Body, &second)
	if len(second.Records) != 2 {
		t.Errorf("the retry sent %d records, want the 2 refused", len(second.Records))
	}
	var records [][]byte
	stub.Lock(func(s *awsstub.Stub) { records = s.Records })
	if len(records) != 3 || !strings.Contains(string(records[0]), `"detail-type":"Item.Created"`) {
		t.Errorf("the stream holds %d records (%s), want 3 events in EventBridge's envelope", len(records), records)
	}
}

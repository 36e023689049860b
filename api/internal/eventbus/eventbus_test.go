package eventbus_test

import (
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/eventbridge"

	"github.com/example/platform/api/internal/awsstub"
	"github.com/example/platform/api/internal/eventbus"
	"github.com/example/platform/api/internal/events"
)

func event(id string, detailBytes int) events.Event {
	detail, _ := json.Marshal(map[string]string{"eventId": id, "pad": strings.Repeat("x", detailBytes)})
	return events.Event{ID: id, Source: "acme.api", DetailType: "Item.Created", Detail: detail, Time: time.Now()}
}

func TestBus_SplitsCallsAtTenEntriesAnd256KBAndReportsEachEntry(t *testing.T) {
	stub := awsstub.New(t)
	stub.Lock(func(s *awsstub.Stub) {
		s.FailEntry = func(_ string, call, index int, _ json.RawMessage) string {
			if call == 1 && index == 1 {
				return "InternalFailure"
			}
			return ""
		}
	})
	bus := &eventbus.Bus{API: eventbridge.NewFromConfig(stub.Config()), Name: "acme-bus"}
	var evs []events.Event
	for i := range 12 { // 12 small ones: 10 + 2
		evs = append(evs, event(string(rune('a'+i)), 10))
	}
	evs = append(evs, event("big1", 100_000), event("big2", 100_000), event("big3", 100_000)) // 2 fit in 256 KB
	evs = append(evs, event("huge", 300_000))                                                 // never fits
	errs := bus.Publish(t.Context(), evs)

	calls := stub.Requests("AWSEvents.PutEvents")
	if len(calls) != 3 {
		t.Errorf("%d PutEvents calls, want 3 (10 entries; 2 small and 2 large; the third large)", len(calls))
	}
	for i, err := range errs {
		switch {
		case i == 1 && (err == nil || !strings.Contains(err.Error(), "InternalFailure")):
			t.Errorf("entry 1 refused by the bus: error %v, want its ErrorCode", err)
		case evs[i].ID == "huge" && (err == nil || !strings.Contains(err.Error(), "at most")):
			t.Errorf("the oversized event: error %v, want it refused before any call", err)
		case i != 1 && evs[i].ID != "huge" && err != nil:
			t.Errorf("entry %d: %v", i, err)
		}
	}
}

func TestBus_AThrottledCallFailsEveryEntryOfIt(t *testing.T) {
	stub := awsstub.New(t)
	stub.Lock(func(s *awsstub.Stub) { s.Throttle = 1 })
	bus := &eventbus.Bus{API: eventbridge.NewFromConfig(stub.Config()), Name: "acme-bus"}
	for _, err := range bus.Publish(t.Context(), []events.Event{event("a", 1), event("b", 1)}) {
		if err == nil || !strings.Contains(err.Error(), "ThrottlingException") {
			t.Errorf("error %v, want the throttling", err)
		}
	}
}

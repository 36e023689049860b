package outbox_test

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"os"
	"os/exec"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"

	"github.com/example/platform/api/internal/awsstub"
	"github.com/example/platform/api/internal/eventbus"
	"github.com/example/platform/api/internal/items"
	"github.com/example/platform/api/internal/outbox"
	"github.com/example/platform/api/internal/stream"
)

func newPublisher(stub *awsstub.Stub, db outbox.Store) *outbox.Publisher {
	bus := &eventbus.Bus{API: eventbridge.NewFromConfig(stub.Config()), Name: "acme-bus"}
	str := &stream.Stream{API: kinesis.NewFromConfig(stub.Config()), Name: "acme-stream", Region: "eu-west-1", Backoff: time.Millisecond}
	p := outbox.New(db, slog.New(slog.NewJSONHandler(io.Discard, nil)), bus, str)
	p.Interval = 10 * time.Millisecond
	return p
}

func putItems(t *testing.T, db interface {
	Put(context.Context, items.Item) error
}, n int) {
	t.Helper()
	for i := range n {
		item := items.Item{ID: fmt.Sprintf("%026d", i), Name: "n", WrittenIn: "eu-west-1", CreatedAt: time.Now().UTC().Truncate(time.Microsecond)}
		if err := db.Put(t.Context(), item); err != nil {
			t.Fatal(err)
		}
	}
}

// drainAll runs the publisher until the outbox is empty or the time is up.
func drainAll(t *testing.T, p *outbox.Publisher, want int64) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 30*time.Second)
	defer cancel()
	go p.Run(ctx)
	for p.Published() < want && ctx.Err() == nil {
		time.Sleep(5 * time.Millisecond)
	}
	cancel()
	if got := p.Published(); got != want {
		t.Fatalf("published %d events, want %d", got, want)
	}
}

func eventIDs(t *testing.T, stub *awsstub.Stub) map[string]int {
	t.Helper()
	ids := map[string]int{}
	stub.Lock(func(s *awsstub.Stub) {
		for _, raw := range s.Events {
			var e struct{ Detail string }
			var d struct{ EventID string }
			if err := json.Unmarshal(raw, &e); err != nil || json.Unmarshal([]byte(e.Detail), &d) != nil {
				t.Fatalf("unreadable entry %s", raw)
			}
			ids[d.EventID]++
		}
	})
	return ids
}

// The process is killed after the item and its event committed and while the bus call was in
// flight; once the service restarts, its publisher sends the event.
func TestPublisher_AnEventCommittedBeforeTheProcessIsKilledArrivesAfterARestart(t *testing.T) {
	db, name := newDatabase(t)
	const id = "KKKKKKKKKKKKKKKKKKKKKKKKKK"
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	cmd.Env = append(os.Environ(), "OUTBOX_TEST_SERVICE="+id, "OUTBOX_TEST_PORT="+strconv.Itoa(server.Port), "OUTBOX_TEST_DB="+name)
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	line, _ := bufio.NewReader(out).ReadString('\n')
	if !strings.HasPrefix(line, "committed") {
		_ = cmd.Process.Kill()
		t.Fatalf("the service said %q, want it to commit and start publishing", line)
	}
	if err := cmd.Process.Kill(); err != nil { // SIGKILL: no cleanup of any kind
		t.Fatal(err)
	}
	_ = cmd.Wait()

	stub := awsstub.New(t)
	if n := len(stub.Requests("AWSEvents.PutEvents")); n != 0 {
		t.Fatalf("%d PutEvents before the restart", n)
	}
	// The restart: a new process's publisher (PostgreSQL released the dead session's locks).
	drainAll(t, newPublisher(stub, db), 1)
	if ids := eventIDs(t, stub); ids["item-created-"+id] != 1 || len(ids) != 1 {
		t.Errorf("the bus received %v, want the killed service's event once", ids)
	}
	if n := len(stub.Requests("Kinesis_20131202.PutRecords")); n != 1 {
		t.Errorf("%d PutRecords calls, want 1 (the event to the stream too)", n)
	}
}

func TestPublisher_SendsBatchesOfAtMostTenAndRetriesWhatTheBusRefused(t *testing.T) {
	db, _ := newDatabase(t)
	putItems(t, db, 25)
	stub := awsstub.New(t)
	stub.Lock(func(s *awsstub.Stub) {
		s.Throttle = 1 // the first call of all is throttled whole
		s.FailEntry = func(target string, call, index int, _ json.RawMessage) string {
			if target == "AWSEvents.PutEvents" && call == 2 && index%3 == 0 {
				return "ThrottlingException"
			}
			if target == "Kinesis_20131202.PutRecords" && call == 1 && index == 0 {
				return "ProvisionedThroughputExceededException"
			}
			return ""
		}
	})
	p := newPublisher(stub, db)
	// The backoff of a refused event is a second or more; drain until all are out.
	drainAll(t, p, 25)
	ids := eventIDs(t, stub)
	if len(ids) != 25 {
		t.Errorf("the bus holds %d distinct events, want 25", len(ids))
	}
	for _, r := range stub.Requests("AWSEvents.PutEvents") {
		var in struct{ Entries []json.RawMessage }
		_ = json.Unmarshal(r.Body, &in)
		if len(in.Entries) > eventbus.MaxEntries {
			t.Errorf("a PutEvents call had %d entries, want at most %d", len(in.Entries), eventbus.MaxEntries)
		}
	}
	var records int
	stub.Lock(func(s *awsstub.Stub) { records = len(s.Records) })
	if records < 25 {
		t.Errorf("the stream holds %d records, want every event's", records)
	}
}

package worker_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/example/platform/api/internal/awsstub"
	"github.com/example/platform/api/internal/dynamo"
	"github.com/example/platform/api/internal/events"
	"github.com/example/platform/api/internal/items"
	"github.com/example/platform/api/internal/processing"
	"github.com/example/platform/api/internal/worker"
)

var quiet = slog.New(slog.NewJSONHandler(io.Discard, nil))

func itemCreated(t *testing.T, id string) string {
	t.Helper()
	e := events.ForItemCreated("acme.api", items.Item{ID: id, Name: "n", WrittenIn: "eu-west-1", CreatedAt: time.Now()})
	body, _ := json.Marshal(e.ToEnvelope("eu-west-1"))
	return string(body)
}

func newWorker(stub *awsstub.Stub, handle worker.Handler) *worker.Worker {
	return &worker.Worker{
		API:      sqs.NewFromConfig(stub.Config()),
		QueueURL: awsstub.QueueURL, Handle: handle, Logger: quiet,
		Visibility: 2 * time.Second, WaitSeconds: 1, RetryDelay: time.Millisecond, Grace: 200 * time.Millisecond,
	}
}

// runUntil runs w until cond holds or 20 s pass, then stops it (as SIGTERM does) and waits.
func runUntil(t *testing.T, w *worker.Worker, cond func() bool) {
	t.Helper()
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan struct{})
	go func() { w.Run(ctx); close(done) }()
	deadline := time.Now().Add(20 * time.Second)
	for !cond() && time.Now().Before(deadline) {
		time.Sleep(10 * time.Millisecond)
	}
	cancel()
	<-done
	if !cond() {
		t.Fatal("the condition did not hold within 20 s")
	}
}

func TestWorker_ProcessesEachItemOnceAndDeletesItsMessages(t *testing.T) {
	stub := awsstub.New(t)
	table := dynamo.New(dynamodb.NewFromConfig(stub.Config()), "acme-table")
	// The same event delivered twice (at least once), and another item's.
	stub.Enqueue(itemCreated(t, "AAAAAAAAAAAAAAAAAAAAAAAAAA"))
	stub.Enqueue(itemCreated(t, "AAAAAAAAAAAAAAAAAAAAAAAAAA"))
	stub.Enqueue(itemCreated(t, "BBBBBBBBBBBBBBBBBBBBBBBBBB"))
	w := newWorker(stub, processing.Handler(table, "eu-west-1", quiet))
	runUntil(t, w, func() bool { work, _ := stub.Queued(); return work == 0 })
	if n := stub.Items(); n != 2 {
		t.Errorf("the table holds %d processing records, want 2 (one per item)", n)
	}
	p, err := table.Processing(t.Context(), "AAAAAAAAAAAAAAAAAAAAAAAAAA")
	if err != nil || p.EventID != "item-created-AAAAAAAAAAAAAAAAAAAAAAAAAA" || p.ProcessedIn != "eu-west-1" {
		t.Errorf("Processing() = %+v, %v", p, err)
	}
	if s := w.Stats(); s.Handled != 3 || s.Failed != 0 {
		t.Errorf("stats %+v, want 3 handled", s)
	}
}

// A message whose handling always fails is received maxReceiveCount times and then moved to
// the dead-letter queue by the queue's redrive policy; the worker never deletes it.
func TestWorker_AMessageThatAlwaysFailsEndsInTheDeadLetterQueue(t *testing.T) {
	stub := awsstub.New(t)
	stub.SetMaxReceiveCount(3)
	stub.Enqueue(itemCreated(t, "AAAAAAAAAAAAAAAAAAAAAAAAAA"))
	var calls atomic.Int32
	w := newWorker(stub, func(context.Context, events.Envelope) error {
		calls.Add(1)
		return errors.New("poison")
	})
	runUntil(t, w, func() bool { _, dlq := stub.Queued(); return dlq == 1 })
	if work, _ := stub.Queued(); work != 0 {
		t.Errorf("%d messages still on the work queue", work)
	}
	if n := calls.Load(); n != 3 {
		t.Errorf("handled %d times, want 3 (maxReceiveCount)", n)
	}
	if n := len(stub.Requests("AmazonSQS.DeleteMessage")); n != 0 {
		t.Errorf("%d DeleteMessage calls for a message that never succeeded", n)
	}
}

func TestWorker_ExtendsTheVisibilityOfSlowWork(t *testing.T) {
	stub := awsstub.New(t)
	stub.Enqueue(itemCreated(t, "AAAAAAAAAAAAAAAAAAAAAAAAAA"))
	var calls atomic.Int32
	w := newWorker(stub, func(context.Context, events.Envelope) error {
		calls.Add(1)
		time.Sleep(3500 * time.Millisecond) // longer than the 2 s visibility
		return nil
	})
	runUntil(t, w, func() bool { work, _ := stub.Queued(); return work == 0 })
	if n := calls.Load(); n != 1 {
		t.Errorf("handled %d times, want once: the message must stay hidden while it is worked on", n)
	}
	if n := len(stub.Requests("AmazonSQS.ChangeMessageVisibility")); n < 2 {
		t.Errorf("%d visibility extensions in 3.5 s at a 2 s visibility, want at least 2", n)
	}
}

// On SIGTERM a message still in hand after the grace period is released at once
// (ChangeMessageVisibility 0) for another task, not left hidden until its timeout.
func TestWorker_ReleasesWorkItCannotFinishOnShutdown(t *testing.T) {
	stub := awsstub.New(t)
	stub.Enqueue(itemCreated(t, "AAAAAAAAAAAAAAAAAAAAAAAAAA"))
	started := make(chan struct{})
	w := newWorker(stub, func(ctx context.Context, _ events.Envelope) error {
		close(started)
		<-ctx.Done()
		return ctx.Err()
	})
	ctx, cancel := context.WithCancel(t.Context())
	done := make(chan struct{})
	go func() { w.Run(ctx); close(done) }()
	<-started
	cancel()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("the worker did not stop within its grace period")
	}
	var released bool
	for _, r := range stub.Requests("AmazonSQS.ChangeMessageVisibility") {
		if strings.Contains(string(r.Body), `"VisibilityTimeout":0`) {
			released = true
		}
	}
	if !released || w.Stats().Released != 1 {
		t.Errorf("the message in hand was not released (ChangeMessageVisibility 0); stats %+v", w.Stats())
	}
	if work, _ := stub.Queued(); work != 1 {
		t.Errorf("%d messages on the queue, want the released one", work)
	}
}

package outbox_test

import (
	"context"
	"io"
	"log/slog"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/example/platform/api/internal/awsstub"
	"github.com/example/platform/api/internal/dynamo"
	"github.com/example/platform/api/internal/items"
	"github.com/example/platform/api/internal/processing"
	"github.com/example/platform/api/internal/worker"
)

// The whole path in one process, as a task runs it: an item created through the service is
// committed with its event, the publisher puts the event on the bus, the bus's rule delivers it
// to the work queue, and the worker records the item processed, once.
func TestEndToEnd_AnItemsEventIsPublishedDeliveredAndProcessed(t *testing.T) {
	db, _ := newDatabase(t)
	stub := awsstub.New(t)
	stub.Lock(func(s *awsstub.Stub) { s.RouteToQueue = true })
	table := dynamo.New(dynamodb.NewFromConfig(stub.Config()), "acme-table")
	pub := newPublisher(stub, db)
	svc := &items.Service{Database: db, Table: table, Region: "eu-west-1", Processed: table, Created: pub.Wake}
	quiet := slog.New(slog.NewJSONHandler(io.Discard, nil))
	w := &worker.Worker{API: sqs.NewFromConfig(stub.Config()), QueueURL: awsstub.QueueURL, Logger: quiet,
		Handle: processing.Handler(table, "eu-west-1", quiet), WaitSeconds: 1}

	ctx, cancel := context.WithCancel(t.Context())
	defer cancel()
	go pub.Run(ctx)
	go w.Run(ctx)
	item, err := svc.Create(t.Context(), "end to end")
	if err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) {
		// Processed, and its message deleted (just after the record is written).
		if p, err := svc.Processing(t.Context(), item.ID); err == nil {
			if work, dlq := stub.Queued(); work == 0 && dlq == 0 {
				if p.EventID != "item-created-"+item.ID || p.ProcessedIn != "eu-west-1" {
					t.Errorf("processing record %+v", p)
				}
				return
			}
		}
		time.Sleep(20 * time.Millisecond)
	}
	work, dlq := stub.Queued()
	t.Fatalf("item %s was not processed and its message deleted within 15 s (bus calls %d, queue %d, dead letters %d)", item.ID,
		len(stub.Requests("AWSEvents.PutEvents")), work, dlq)
}

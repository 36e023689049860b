package outbox_test

import (
	"testing"
	"time"

	"github.com/example/platform/api/internal/awsstub"
)

// Measures how fast the outbox drains against the real PostgreSQL and the stub (bus and
// stream), and holds it to a floor far below what it does, so a regression to one event a
// call or a lock held across batches shows.
func TestPublisher_DrainsAtLeastAHundredEventsASecond(t *testing.T) {
	db, _ := newDatabase(t)
	const n = 2000
	putItems(t, db, n)
	stub := awsstub.New(t)
	p := newPublisher(stub, db)
	start := time.Now()
	drainAll(t, p, n)
	rate := float64(n) / time.Since(start).Seconds()
	t.Logf("drained %d events in %v: %.0f events/s (%d PutEvents, %d PutRecords calls)", n, time.Since(start).Round(time.Millisecond), rate,
		len(stub.Requests("AWSEvents.PutEvents")), len(stub.Requests("Kinesis_20131202.PutRecords")))
	if rate < 100 {
		t.Errorf("drained %.0f events/s, want at least 100", rate)
	}
}

package postgres

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/example/platform/api/internal/events"
	"github.com/example/platform/api/internal/items"
	"github.com/example/platform/api/internal/pgtest"
	"github.com/example/platform/api/internal/secret"
)

func newItem(id string) items.Item {
	return items.Item{ID: id, Name: "first", WrittenIn: "eu-west-1", CreatedAt: time.Date(2026, 12, 4, 10, 0, 0, 123000, time.UTC)}
}

func pendingEvents(t *testing.T, db *Database) int64 {
	t.Helper()
	_, n, err := db.OutboxLag(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	return n
}

func TestRealDatabase_StoresAnItemWithItsEventAndReadsItBack(t *testing.T) {
	db, _ := openReal(t, "acme.api")
	item := newItem("AAAAAAAAAAAAAAAAAAAAAAAAAA")
	// Twice: a retried write stores one item and one event.
	for range 2 {
		if err := db.Put(t.Context(), item); err != nil {
			t.Fatal(err)
		}
	}
	got, err := db.Get(t.Context(), item.ID)
	if err != nil || got != item {
		t.Fatalf("Get() = %+v, %v; want %+v", got, err, item)
	}
	if _, err := db.Get(t.Context(), "BBBBBBBBBBBBBBBBBBBBBBBBBB"); !errors.Is(err, items.ErrNotFound) {
		t.Errorf("Get() of an unknown ID = %v, want ErrNotFound", err)
	}
	var published []events.Event
	res, err := db.DrainOutbox(t.Context(), 10, func(_ context.Context, evs []events.Event) []error {
		published = append(published, evs...)
		return make([]error, len(evs))
	})
	if err != nil || res != (Drained{Claimed: 1, Published: 1}) {
		t.Fatalf("DrainOutbox() = %+v, %v; want one event claimed and published", res, err)
	}
	e := published[0]
	if e.Source != "acme.api" || e.DetailType != events.ItemCreated || !strings.Contains(string(e.Detail), item.ID) || !e.Time.Equal(item.CreatedAt) {
		t.Errorf("the outbox's event = %+v %s, want Item.Created from acme.api about %s", e, e.Detail, item.ID)
	}
	if n := pendingEvents(t, db); n != 0 {
		t.Errorf("%d events still pending after they were published", n)
	}
}

func TestRealDatabase_WritesNoEventWithoutASource(t *testing.T) {
	db, _ := openReal(t, "")
	if err := db.Put(t.Context(), newItem("AAAAAAAAAAAAAAAAAAAAAAAAAA")); err != nil {
		t.Fatal(err)
	}
	if n := pendingEvents(t, db); n != 0 {
		t.Errorf("%d events in the outbox without EVENT_SOURCE, want none", n)
	}
}

func TestRealDatabase_AnItemWhoseEventCannotBeWrittenIsNotStored(t *testing.T) {
	db, name := openReal(t, "acme.api")
	if err := db.ensureSchema(t.Context()); err != nil {
		t.Fatal(err)
	}
	if err := server.Exec(t.Context(), name, `ALTER TABLE outbox ADD CONSTRAINT refuse CHECK (detail_type <> 'Item.Created')`); err != nil {
		t.Fatal(err)
	}
	item := newItem("AAAAAAAAAAAAAAAAAAAAAAAAAA")
	if err := db.Put(t.Context(), item); err == nil {
		t.Fatal("Put() succeeded although the event could not be written")
	}
	if _, err := db.Get(t.Context(), item.ID); !errors.Is(err, items.ErrNotFound) {
		t.Errorf("Get() = %v; want ErrNotFound: the item must roll back with its event", err)
	}
}

func TestRealDatabase_RefusedEventsWaitForTheirNextAttempt(t *testing.T) {
	db, name := openReal(t, "acme.api")
	for _, id := range []string{"AAAAAAAAAAAAAAAAAAAAAAAAAA", "BBBBBBBBBBBBBBBBBBBBBBBBBB"} {
		if err := db.Put(t.Context(), newItem(id)); err != nil {
			t.Fatal(err)
		}
	}
	refuseB := func(_ context.Context, evs []events.Event) []error {
		errs := make([]error, len(evs))
		for i, e := range evs {
			if strings.HasSuffix(e.ID, "BBBBBBBBBBBBBBBBBBBBBBBBBB") {
				errs[i] = errors.New("ThrottlingException")
			}
		}
		return errs
	}
	res, err := db.DrainOutbox(t.Context(), 10, refuseB)
	if err != nil || res != (Drained{Claimed: 2, Published: 1}) {
		t.Fatalf("DrainOutbox() = %+v, %v; want 2 claimed, 1 published", res, err)
	}
	// The refused one is not offered again until its backoff has passed.
	res, err = db.DrainOutbox(t.Context(), 10, refuseB)
	if err != nil || res.Claimed != 0 {
		t.Fatalf("DrainOutbox() right after = %+v, %v; want nothing due", res, err)
	}
	if n := pendingEvents(t, db); n != 1 {
		t.Errorf("%d pending, want the refused event", n)
	}
	if err := server.Exec(t.Context(), name, `UPDATE outbox SET next_attempt_at = now() WHERE last_error = 'ThrottlingException' AND attempts = 1`); err != nil {
		t.Fatal(err)
	}
	res, err = db.DrainOutbox(t.Context(), 10, func(_ context.Context, evs []events.Event) []error { return make([]error, len(evs)) })
	if err != nil || res != (Drained{Claimed: 1, Published: 1}) {
		t.Fatalf("DrainOutbox() once due = %+v, %v; want the refused event published", res, err)
	}
}

// Several publishers (tasks, regions) drain at once: SKIP LOCKED gives each its own events.
func TestRealDatabase_ConcurrentDrainsNeverClaimTheSameEvent(t *testing.T) {
	db, _ := openReal(t, "acme.api")
	for i := range 40 {
		if err := db.Put(t.Context(), newItem(fmt.Sprintf("%026d", i))); err != nil {
			t.Fatal(err)
		}
	}
	var mu sync.Mutex
	seen := map[string]int{}
	var wg sync.WaitGroup
	for range 4 {
		wg.Go(func() {
			for {
				res, err := db.DrainOutbox(context.Background(), 5, func(_ context.Context, evs []events.Event) []error {
					mu.Lock()
					for _, e := range evs {
						seen[e.ID]++
					}
					mu.Unlock()
					time.Sleep(20 * time.Millisecond) // hold the rows while the others claim
					return make([]error, len(evs))
				})
				if err != nil {
					t.Error(err)
					return
				}
				if res.Claimed == 0 {
					return
				}
			}
		})
	}
	wg.Wait()
	if len(seen) != 40 {
		t.Errorf("%d events published, want 40", len(seen))
	}
	for id, n := range seen {
		if n != 1 {
			t.Errorf("event %s claimed %d times", id, n)
		}
	}
}

func TestRealDatabase_LagAndPrune(t *testing.T) {
	db, name := openReal(t, "acme.api")
	if err := db.Put(t.Context(), newItem("AAAAAAAAAAAAAAAAAAAAAAAAAA")); err != nil {
		t.Fatal(err)
	}
	if err := server.Exec(t.Context(), name, `UPDATE outbox SET created_at = now() - interval '90 seconds'`); err != nil {
		t.Fatal(err)
	}
	lag, n, err := db.OutboxLag(t.Context())
	if err != nil || n != 1 || lag < 89*time.Second || lag > 5*time.Minute {
		t.Fatalf("OutboxLag() = %v, %d, %v; want about 90 s and 1 pending", lag, n, err)
	}
	if _, err := db.DrainOutbox(t.Context(), 10, func(_ context.Context, evs []events.Event) []error { return make([]error, len(evs)) }); err != nil {
		t.Fatal(err)
	}
	if err := server.Exec(t.Context(), name, `UPDATE outbox SET published_at = now() - interval '2 days'`); err != nil {
		t.Fatal(err)
	}
	if pruned, err := db.PruneOutbox(t.Context(), 24*time.Hour); err != nil || pruned != 1 {
		t.Errorf("PruneOutbox() = %d, %v; want the event published 2 days ago deleted", pruned, err)
	}
}

// Tasks starting together create the tables at once: each must come through.
func TestRealDatabase_ConcurrentFirstWritesAllCreateTheTablesOrFindThem(t *testing.T) {
	_, name := openReal(t, "acme.api")
	var wg sync.WaitGroup
	for i := range 8 {
		wg.Go(func() {
			ep := Endpoint{Host: server.Host, Port: server.Port}
			src := &rotatableSecret{creds: secret.Credentials{Username: pgtest.User, Password: pgtest.Password}}
			db, err := Open(Options{Writer: ep, Reader: ep, DBName: name, Credentials: secret.NewCache(src.fetch, 0), EventSource: "acme.api"})
			if err != nil {
				t.Error(err)
				return
			}
			defer db.Close()
			if err := db.Put(context.Background(), newItem(fmt.Sprintf("%026d", i))); err != nil {
				t.Errorf("task %d: %v", i, err)
			}
		})
	}
	wg.Wait()
}

package postgres

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/example/platform/api/internal/events"
)

// setReadOnly turns the whole server's default transactions read-only, as a writer that has
// become a replica behaves, and turns it back.
func setReadOnly(t *testing.T, on bool) {
	t.Helper()
	value := "off"
	if on {
		value = "on"
	}
	if err := server.Exec(context.Background(), "postgres", "SET default_transaction_read_only = off",
		"ALTER SYSTEM SET default_transaction_read_only = "+value, "SELECT pg_reload_conf()"); err != nil {
		t.Fatal(err)
	}
	// The reload is signalled to every session and applied when it next waits for a command:
	// wait until a new session sees it, then a moment for the open ones.
	deadline := time.Now().Add(10 * time.Second)
	for {
		conn, err := pgx.Connect(context.Background(), server.URL("postgres"))
		if err != nil {
			t.Fatal(err)
		}
		var got string
		err = conn.QueryRow(context.Background(), "SHOW default_transaction_read_only").Scan(&got)
		_ = conn.Close(context.Background())
		if err == nil && got == value {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("default_transaction_read_only is %q 10 s after the reload, want %s (%v)", got, value, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
	time.Sleep(300 * time.Millisecond)
}

func TestRealDatabase_AWriterThatBecomesReadOnlyMidRun(t *testing.T) {
	db, _ := openReal(t, "acme.api")
	t.Cleanup(func() { setReadOnly(t, false) })
	if err := db.CheckWriter(t.Context()); err != nil {
		t.Fatalf("CheckWriter() on a writer: %v", err)
	}
	if err := db.CheckReader(t.Context()); err != nil {
		t.Fatalf("CheckReader(): %v", err)
	}
	if err := db.Put(t.Context(), newItem("AAAAAAAAAAAAAAAAAAAAAAAAAA")); err != nil {
		t.Fatal(err)
	}

	setReadOnly(t, true)
	err := db.CheckWriter(t.Context())
	if err == nil || !strings.Contains(err.Error(), "read-only") {
		t.Errorf("CheckWriter() on a read-only writer = %v, want a read-only error", err)
	}
	if err := db.Put(t.Context(), newItem("BBBBBBBBBBBBBBBBBBBBBBBBBB")); err == nil || !hasCode(err, codeReadOnlyTransaction) {
		t.Errorf("Put() on a read-only writer = %v, want SQLSTATE %s", err, codeReadOnlyTransaction)
	}
	published := 0
	_, err = db.DrainOutbox(t.Context(), 10, func(_ context.Context, evs []events.Event) []error {
		published += len(evs)
		return make([]error, len(evs))
	})
	if err == nil {
		t.Error("DrainOutbox() on a read-only writer succeeded; it cannot mark events published")
	}
	if err := db.CheckReader(t.Context()); err != nil {
		t.Errorf("CheckReader() must not mind a read-only server: %v", err)
	}

	// The writer is back (the endpoint reaches the new primary): everything resumes, and the
	// event offered during the read-only spell is still pending, so it is published again.
	setReadOnly(t, false)
	if err := db.CheckWriter(t.Context()); err != nil {
		t.Fatalf("CheckWriter() once writable again: %v", err)
	}
	if err := db.Put(t.Context(), newItem("BBBBBBBBBBBBBBBBBBBBBBBBBB")); err != nil {
		t.Fatal(err)
	}
	res, err := db.DrainOutbox(t.Context(), 10, func(_ context.Context, evs []events.Event) []error { return make([]error, len(evs)) })
	if err != nil || res.Published != 2 {
		t.Errorf("DrainOutbox() once writable = %+v, %v; want both items' events", res, err)
	}
}

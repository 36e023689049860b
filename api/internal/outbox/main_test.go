package outbox_test

import (
	"context"
	"fmt"
	"os"
	"strconv"
	"testing"
	"time"

	"github.com/example/platform/api/internal/events"
	"github.com/example/platform/api/internal/items"
	"github.com/example/platform/api/internal/pgtest"
	"github.com/example/platform/api/internal/postgres"
	"github.com/example/platform/api/internal/secret"
)

var server *pgtest.Server

func TestMain(m *testing.M) {
	if os.Getenv("OUTBOX_TEST_SERVICE") != "" {
		runService() // the process a test kills
		return
	}
	s, err := pgtest.Start()
	if err != nil {
		fmt.Fprintf(os.Stderr, "FAIL: the outbox tests need a real PostgreSQL server: %v\n", err)
		os.Exit(1)
	}
	server = s
	code := m.Run()
	s.Stop()
	os.Exit(code)
}

func open(host string, port int, dbName string) (*postgres.Database, error) {
	src := func(context.Context) (secret.Credentials, error) {
		return secret.Credentials{Username: pgtest.User, Password: pgtest.Password}, nil
	}
	ep := postgres.Endpoint{Host: host, Port: port}
	return postgres.Open(postgres.Options{Writer: ep, Reader: ep, DBName: dbName, Credentials: secret.NewCache(src, 0), EventSource: "acme.api"})
}

// runService is the service as far as the kill test needs: it writes an item (the item and
// its event commit together), says so, and starts publishing to a bus that never answers, so
// the process is killed between the commit and the publish, holding the claimed rows.
func runService() {
	port, _ := strconv.Atoi(os.Getenv("OUTBOX_TEST_PORT"))
	db, err := open("127.0.0.1", port, os.Getenv("OUTBOX_TEST_DB"))
	if err != nil {
		fmt.Println("error:", err)
		os.Exit(1)
	}
	item := items.Item{ID: os.Getenv("OUTBOX_TEST_SERVICE"), Name: "killed", WrittenIn: "eu-west-1", CreatedAt: time.Now().UTC().Truncate(time.Microsecond)}
	if err := db.Put(context.Background(), item); err != nil {
		fmt.Println("error:", err)
		os.Exit(1)
	}
	_, _ = db.DrainOutbox(context.Background(), 10, func(context.Context, []events.Event) []error {
		fmt.Println("committed; publishing")
		select {} // the bus call that never returns: the process dies here
	})
}

// newDatabase opens a Database on a new database of the test server.
func newDatabase(t *testing.T) (*postgres.Database, string) {
	t.Helper()
	name, err := server.CreateDatabase(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	db, err := open(server.Host, server.Port, name)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(db.Close)
	return db, name
}

package postgres

import (
	"fmt"
	"os"
	"testing"

	"github.com/example/platform/api/internal/pgtest"
	"github.com/example/platform/api/internal/secret"
)

// server is the real PostgreSQL server this package's tests share; each test gets a database.
var server *pgtest.Server

func TestMain(m *testing.M) {
	s, err := pgtest.Start()
	if err != nil {
		// Fail, not skip: the store's tests must run against a real server.
		fmt.Fprintf(os.Stderr, "FAIL: the database tests need a real PostgreSQL server: %v\n", err)
		os.Exit(1)
	}
	server = s
	code := m.Run()
	s.Stop()
	os.Exit(code)
}

// openReal opens a Database on a new, empty database of the test server, through the
// service's own pools (TLS, credentials from a secret).
func openReal(t *testing.T, source string) (*Database, string) {
	t.Helper()
	name, err := server.CreateDatabase(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	ep := Endpoint{Host: server.Host, Port: server.Port}
	src := &rotatableSecret{creds: secret.Credentials{Username: pgtest.User, Password: pgtest.Password}}
	db, err := Open(Options{Writer: ep, Reader: ep, DBName: name, Credentials: secret.NewCache(src.fetch, 0), EventSource: source})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(db.Close)
	return db, name
}

package postgres

import (
	"context"
	"errors"
	"strings"
	"sync"
	"testing"

	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/example/platform/api/internal/pgtest"
	"github.com/example/platform/api/internal/secret"
)

// rotatableSecret stands in for Secrets Manager: the test sets the current password.
type rotatableSecret struct {
	mu      sync.Mutex
	creds   secret.Credentials
	fetches int
}

func (r *rotatableSecret) fetch(context.Context) (secret.Credentials, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.fetches++
	return r.creds, nil
}

func (r *rotatableSecret) rotate(password string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.creds.Password = password
}

func (r *rotatableSecret) fetchCount() int {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.fetches
}

// loginRole creates a role that logs in with password and may use database db.
func loginRole(t *testing.T, role, password string) {
	t.Helper()
	if err := server.Exec(t.Context(), "postgres", "CREATE ROLE "+role+" LOGIN PASSWORD "+pgtest.Quote(password)); err != nil {
		t.Fatal(err)
	}
}

func openAs(t *testing.T, writer, reader Endpoint, dbName string, src *rotatableSecret) *Database {
	t.Helper()
	db, err := Open(Options{Writer: writer, Reader: reader, DBName: dbName, Credentials: secret.NewCache(src.fetch, 0)})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(db.Close)
	return db
}

func realEndpoint() Endpoint { return Endpoint{Host: server.Host, Port: server.Port} }

func TestDatabase_FetchesTheSecretAgainWhenALoginIsRejected(t *testing.T) {
	loginRole(t, "rotating", "old")
	src := &rotatableSecret{creds: secret.Credentials{Username: "rotating", Password: "old"}}
	db := openAs(t, realEndpoint(), realEndpoint(), "postgres", src)
	if err := db.CheckReader(t.Context()); err != nil {
		t.Fatalf("CheckReader() before the rotation: %v", err)
	}

	// The rotation changes the database's password and then the secret. Sessions already
	// open keep working, so drop them to make the next check log in again.
	if err := server.Exec(t.Context(), "postgres", "ALTER ROLE rotating PASSWORD 'new'"); err != nil {
		t.Fatal(err)
	}
	src.rotate("new")
	db.reader.pgx.Reset()

	if err := db.CheckReader(t.Context()); err != nil {
		t.Fatalf("CheckReader() after the rotation: %v", err)
	}
	if got := src.fetchCount(); got != 2 {
		t.Errorf("fetched the secret %d times, want 2 (once more after the rejected login)", got)
	}
}

func TestDatabase_LogsInOverTLSWithTheSecretsLogin(t *testing.T) {
	loginRole(t, "tenant", "pw")
	for _, name := range []string{"orders", "app"} {
		if err := server.Exec(t.Context(), "postgres", "CREATE DATABASE "+name); err != nil {
			t.Fatal(err)
		}
	}
	ep := realEndpoint()
	for _, tc := range []struct {
		name         string
		dbName       string
		secretDBName string
		want         string
	}{
		{"DB_NAME wins", "orders", "app", "orders"},
		{"then the secret's dbname", "", "app", "app"},
		{"else postgres", "", "", "postgres"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			// No port on the endpoint: the secret's applies.
			src := &rotatableSecret{creds: secret.Credentials{Username: "tenant", Password: "pw", Port: ep.Port, DBName: tc.secretDBName}}
			db := openAs(t, ep, Endpoint{Host: ep.Host}, tc.dbName, src)
			var user, database string
			var tls bool
			err := db.reader.do(t.Context(), func(ctx context.Context, p *pgxpool.Pool) error {
				return p.QueryRow(ctx, `SELECT current_user, current_database(), ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()`).
					Scan(&user, &database, &tls)
			})
			if err != nil {
				t.Fatal(err)
			}
			if user != "tenant" || database != tc.want || !tls {
				t.Errorf("logged in as %s to %s (TLS %v), want tenant to %s over TLS", user, database, tls, tc.want)
			}
		})
	}
}

func TestDatabase_CheckWriterFailsOnAReadOnlyDatabaseAndReconnects(t *testing.T) {
	db, _ := openReal(t, "")
	t.Cleanup(func() { setReadOnly(t, false) })
	backend := func() int32 {
		var pid int32
		if err := db.writer.pgx.QueryRow(t.Context(), "SELECT pg_backend_pid()").Scan(&pid); err != nil {
			t.Fatal(err)
		}
		return pid
	}
	if err := db.CheckWriter(t.Context()); err != nil {
		t.Fatalf("CheckWriter() on a writer: %v", err)
	}
	before := backend()

	setReadOnly(t, true) // a switchover made this host a reader
	err := db.CheckWriter(t.Context())
	if err == nil || !strings.Contains(err.Error(), "read-only") || !strings.Contains(err.Error(), "DB_WRITER_ENDPOINT") {
		t.Fatalf("CheckWriter() on a reader = %v, want a read-only error naming DB_WRITER_ENDPOINT", err)
	}
	setReadOnly(t, false)
	if err := db.CheckWriter(t.Context()); err != nil {
		t.Fatalf("CheckWriter() once the endpoint reaches a writer again: %v", err)
	}
	if backend() == before {
		t.Error("the writer pool kept its connection to the read-only host; want a new connection")
	}
}

// countingCredentials counts invalidations.
type countingCredentials struct{ invalidated int }

func (c *countingCredentials) Get(context.Context) (secret.Credentials, error) {
	return secret.Credentials{}, nil
}
func (c *countingCredentials) Invalidate() { c.invalidated++ }

func TestPoolDo_RetriesOnlyRejectedLogins(t *testing.T) {
	for _, tc := range []struct {
		name          string
		first         error
		wantCalls     int
		wantInvalided int
	}{
		{"wrong password", &pgconn.PgError{Code: codeInvalidPassword}, 2, 1},
		{"no such user", &pgconn.PgError{Code: codeInvalidAuthorization}, 2, 1},
		{"wrong password, wrapped", errors.Join(errors.New("connect"), &pgconn.PgError{Code: codeInvalidPassword}), 2, 1},
		{"syntax error", &pgconn.PgError{Code: "42601"}, 1, 0},
		{"network", errors.New("connection refused"), 1, 0},
		{"success", nil, 1, 0},
	} {
		t.Run(tc.name, func(t *testing.T) {
			creds := &countingCredentials{}
			p := &pool{creds: creds}
			calls := 0
			_ = p.do(t.Context(), func(context.Context, *pgxpool.Pool) error {
				calls++
				if calls == 1 {
					return tc.first
				}
				return nil
			})
			if calls != tc.wantCalls || creds.invalidated != tc.wantInvalided {
				t.Errorf("ran %d times and invalidated %d times, want %d and %d", calls, creds.invalidated, tc.wantCalls, tc.wantInvalided)
			}
		})
	}
}

// On the platform the writer's host is looked up (from the global cluster) before connecting;
// until the lookup works the writer check fails with its reason, and the reader is unaffected.
func TestDatabase_ConnectsToTheWriterTheResolverNames(t *testing.T) {
	ep := realEndpoint()
	lookupErr := errors.New("rds: throttled")
	resolve := func(context.Context) (string, error) {
		if lookupErr != nil {
			return "", lookupErr
		}
		return ep.Host, nil
	}
	src := &rotatableSecret{creds: secret.Credentials{Username: pgtest.User, Password: pgtest.Password}}
	db := openAs(t, Endpoint{Port: ep.Port, Resolve: resolve}, ep, "postgres", src)
	if err := db.CheckWriter(t.Context()); err == nil || !strings.Contains(err.Error(), "throttled") {
		t.Fatalf("CheckWriter() while the lookup fails = %v, want the lookup's error", err)
	}
	if err := db.CheckReader(t.Context()); err != nil {
		t.Fatalf("the reader must not depend on the writer's lookup: %v", err)
	}
	lookupErr = nil
	if err := db.CheckWriter(t.Context()); err != nil {
		t.Fatalf("CheckWriter() once the lookup works: %v", err)
	}
}

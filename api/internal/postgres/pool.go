// Package postgres connects to the Aurora PostgreSQL global database: writes through
// the global writer endpoint, reads through the region's reader endpoint, with
// credentials from Secrets Manager that are fetched again when a login fails.
package postgres

import (
	"context"
	"errors"
	"fmt"
	"net/url"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgconn"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/example/platform/api/internal/secret"
)

// Credentials supplies logins; secret.Cache implements it.
type Credentials interface {
	Get(ctx context.Context) (secret.Credentials, error)
	// Invalidate reports that the database rejected the last credentials.
	Invalidate()
}

// Endpoint is a database host; Port 0 means the secret's port, else 5432.
type Endpoint struct {
	Host string
	Port int
	// Resolve, when set, names the host instead of Host, asked before each new connection
	// (the global writer endpoint, looked up from RDS).
	Resolve func(context.Context) (string, error)
}

// name is how errors and logs call the endpoint.
func (e Endpoint) name() string {
	if e.Resolve != nil {
		return "the global writer endpoint"
	}
	return e.Host
}

// DefaultDBName is the database used when neither DB_NAME nor the secret names one.
const DefaultDBName = "postgres"

// SQLSTATE codes the package acts on.
const (
	codeInvalidPassword      = "28P01" // the password no longer matches: rotated
	codeInvalidAuthorization = "28000" // e.g. the user no longer exists
	codeReadOnlyTransaction  = "25006" // a write reached a reader: the writer moved
	codeUndefinedTable       = "42P01"
	codeDuplicateTable       = "42P07"
	codeDuplicateObject      = "42710" // e.g. the table's row type, when two CREATE TABLE race
	codeUniqueViolation      = "23505"
)

// pool is a connection pool to one endpoint that logs in with Credentials.
type pool struct {
	endpoint Endpoint
	pgx      *pgxpool.Pool
	creds    Credentials
}

func newPool(ep Endpoint, dbName string, creds Credentials) (*pool, error) {
	// sslmode=require encrypts every connection (Aurora accepts TLS on every endpoint).
	// User, password, port and database are filled in per connection by BeforeConnect.
	host := ep.Host
	if ep.Resolve != nil {
		host = "resolved-before-connect.invalid" // replaced by BeforeConnect
	}
	u := url.URL{Scheme: "postgres", Host: host, Path: "/", RawQuery: "sslmode=require&connect_timeout=5"}
	cfg, err := pgxpool.ParseConfig(u.String())
	if err != nil {
		return nil, fmt.Errorf("database endpoint %s: %w", ep.name(), err)
	}
	// Connections are opened on first use, so the service starts (and answers its health
	// check) while the database is unreachable.
	cfg.MinConns = 0
	// A connection stays with the host it resolved to. The global writer endpoint moves to
	// another region on a switchover or failover, so connections are renewed regularly.
	cfg.MaxConnLifetime = 5 * time.Minute
	cfg.MaxConnIdleTime = time.Minute
	cfg.ConnConfig.Tracer = tracer{endpoint: ep.name()}
	login := applyCredentials(creds, ep.Port, dbName)
	cfg.BeforeConnect = login
	if ep.Resolve != nil {
		cfg.BeforeConnect = func(ctx context.Context, cc *pgx.ConnConfig) error {
			host, err := ep.Resolve(ctx)
			if err != nil {
				return err
			}
			cc.Host = host
			if cc.TLSConfig != nil {
				cc.TLSConfig.ServerName = host
			}
			return login(ctx, cc)
		}
	}
	p, err := pgxpool.NewWithConfig(context.Background(), cfg)
	if err != nil {
		return nil, fmt.Errorf("database endpoint %s: %w", ep.name(), err)
	}
	return &pool{endpoint: ep, pgx: p, creds: creds}, nil
}

// applyCredentials returns the hook that gives each new connection the current login,
// so a rotated password is picked up without restarting the pool.
func applyCredentials(creds Credentials, port int, dbName string) func(context.Context, *pgx.ConnConfig) error {
	return func(ctx context.Context, cc *pgx.ConnConfig) error {
		c, err := creds.Get(ctx)
		if err != nil {
			return err
		}
		cc.User, cc.Password = c.Username, c.Password
		switch {
		case port != 0:
			cc.Port = uint16(port)
		case c.Port != 0:
			cc.Port = uint16(c.Port)
		}
		cc.Database = firstNonEmpty(dbName, c.DBName, DefaultDBName)
		return nil
	}
}

func firstNonEmpty(values ...string) string {
	for _, v := range values {
		if v != "" {
			return v
		}
	}
	return ""
}

// do runs fn against the pool. When a new connection's login is rejected, which is how
// a rotated secret shows, it invalidates the credentials and runs fn once more. Retrying
// is safe even for writes: a failed login happens before any statement is sent.
func (p *pool) do(ctx context.Context, fn func(context.Context, *pgxpool.Pool) error) error {
	err := fn(ctx, p.pgx)
	if isAuthFailure(err) {
		p.creds.Invalidate()
		err = fn(ctx, p.pgx)
	}
	return err
}

func isAuthFailure(err error) bool {
	return hasCode(err, codeInvalidPassword, codeInvalidAuthorization)
}

func hasCode(err error, codes ...string) bool {
	var pgErr *pgconn.PgError
	if !errors.As(err, &pgErr) {
		return false
	}
	for _, c := range codes {
		if pgErr.Code == c {
			return true
		}
	}
	return false
}

func (p *pool) close() { p.pgx.Close() }

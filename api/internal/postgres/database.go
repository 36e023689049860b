package postgres

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"sync/atomic"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/example/platform/api/internal/events"
	"github.com/example/platform/api/internal/items"
)

// Options configures Open.
type Options struct {
	// Writer is the global database's writer endpoint.
	Writer Endpoint
	// Reader is this region's reader endpoint.
	Reader Endpoint
	// DBName overrides the secret's dbname. Default: the secret's, else postgres.
	DBName string
	// Credentials supplies the login for both endpoints.
	Credentials Credentials
	// EventSource, when set, makes Put record each item's Item.Created event with that
	// source in the outbox, in the item's transaction (EVENT_SOURCE). Empty: no events.
	EventSource string
}

// Database is the writer and reader pools, the readiness checks on them and the item store.
type Database struct {
	writer, reader *pool
	schemaReady    atomic.Bool
	schemaMu       sync.Mutex
	eventSource    string
}

// Open prepares both pools without connecting: the first query connects.
func Open(opts Options) (*Database, error) {
	writer, err := newPool(opts.Writer, opts.DBName, opts.Credentials)
	if err != nil {
		return nil, fmt.Errorf("DB_WRITER_ENDPOINT: %w", err)
	}
	reader, err := newPool(opts.Reader, opts.DBName, opts.Credentials)
	if err != nil {
		writer.close()
		return nil, fmt.Errorf("DB_READER_ENDPOINT: %w", err)
	}
	return &Database{writer: writer, reader: reader, eventSource: opts.EventSource}, nil
}

// Close closes both pools, waiting for connections in use to be returned.
func (d *Database) Close() {
	d.writer.close()
	d.reader.close()
}

// CheckReader runs SELECT 1 on the reader endpoint.
func (d *Database) CheckReader(ctx context.Context) error {
	err := d.reader.do(ctx, func(ctx context.Context, p *pgxpool.Pool) error {
		var one int
		return p.QueryRow(ctx, "SELECT 1").Scan(&one)
	})
	if err != nil {
		return fmt.Errorf("reader %s: %w", d.reader.endpoint.name(), err)
	}
	return nil
}

// CheckWriter checks that the writer endpoint reaches a database that accepts writes: not
// a replica (in recovery), and not one whose transactions are read-only by default.
func (d *Database) CheckWriter(ctx context.Context) error {
	var inRecovery bool
	err := d.writer.do(ctx, func(ctx context.Context, p *pgxpool.Pool) error {
		return p.QueryRow(ctx, "SELECT pg_is_in_recovery() OR current_setting('transaction_read_only') = 'on'").Scan(&inRecovery)
	})
	if err != nil {
		return fmt.Errorf("writer %s: %w", d.writer.endpoint.name(), err)
	}
	if inRecovery {
		// Connections opened before a switchover still reach the old writer, now a reader:
		// drop them so the next ones resolve the endpoint again.
		d.writer.pgx.Reset()
		return fmt.Errorf("writer %s is read-only (in recovery): DB_WRITER_ENDPOINT must be the global database's writer endpoint; "+
			"right after a switchover or failover this clears by itself", d.writer.endpoint.name())
	}
	return nil
}

// Put writes item through the writer endpoint, creating the tables on first use. With an
// EventSource, the item's Item.Created event goes to the outbox in the same transaction:
// the item is stored with its event or not at all.
func (d *Database) Put(ctx context.Context, item items.Item) error {
	if err := d.ensureSchema(ctx); err != nil {
		return err
	}
	err := d.writer.do(ctx, func(ctx context.Context, p *pgxpool.Pool) error {
		return pgx.BeginFunc(ctx, p, func(tx pgx.Tx) error {
			_, err := tx.Exec(ctx, `INSERT INTO items (id, name, written_in, created_at) VALUES ($1, $2, $3, $4)
			ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, written_in = EXCLUDED.written_in, created_at = EXCLUDED.created_at`,
				item.ID, item.Name, item.WrittenIn, item.CreatedAt)
			if err != nil || d.eventSource == "" {
				return err
			}
			return insertEvent(ctx, tx, events.ForItemCreated(d.eventSource, item))
		})
	})
	if hasCode(err, codeReadOnlyTransaction) {
		d.writer.pgx.Reset() // the writer moved; see CheckWriter
	}
	if err != nil {
		return fmt.Errorf("writing item through %s: %w", d.writer.endpoint.name(), err)
	}
	return nil
}

// schema is the service's tables, created on first use; each statement is run alone so
// that one losing a race with another task's does not undo the rest.
var schema = []string{
	`CREATE TABLE IF NOT EXISTS items (
			id         text PRIMARY KEY,
			name       text NOT NULL,
			written_in text NOT NULL,
			created_at timestamptz NOT NULL
		)`,
	outboxTable,
	outboxIndex,
}

// ensureSchema creates the tables once per process (the publisher and the first request
// can ask at once). Other tasks' CREATE ... IF NOT EXISTS statements can still collide in
// PostgreSQL's catalog; the loser's error means the object exists.
func (d *Database) ensureSchema(ctx context.Context) error {
	if d.schemaReady.Load() {
		return nil
	}
	d.schemaMu.Lock()
	defer d.schemaMu.Unlock()
	if d.schemaReady.Load() {
		return nil
	}
	for _, statement := range schema {
		err := d.writer.do(ctx, func(ctx context.Context, p *pgxpool.Pool) error {
			_, err := p.Exec(ctx, statement)
			return err
		})
		if err != nil && !hasCode(err, codeDuplicateTable, codeDuplicateObject, codeUniqueViolation) {
			return fmt.Errorf("creating the service's tables through %s: %w", d.writer.endpoint.name(), err)
		}
	}
	d.schemaReady.Store(true)
	return nil
}

// Get reads an item through the region's reader endpoint.
func (d *Database) Get(ctx context.Context, id string) (items.Item, error) {
	item := items.Item{ID: id}
	err := d.reader.do(ctx, func(ctx context.Context, p *pgxpool.Pool) error {
		return p.QueryRow(ctx, `SELECT name, written_in, created_at FROM items WHERE id = $1`, id).
			Scan(&item.Name, &item.WrittenIn, &item.CreatedAt)
	})
	switch {
	case errors.Is(err, pgx.ErrNoRows):
		return items.Item{}, items.ErrNotFound
	case hasCode(err, codeUndefinedTable):
		// No item has been written anywhere yet (or replication has not brought the table here).
		return items.Item{}, items.ErrNotFound
	case err != nil:
		return items.Item{}, fmt.Errorf("reading item through %s: %w", d.reader.endpoint.name(), err)
	}
	item.CreatedAt = item.CreatedAt.UTC()
	return item, nil
}

package postgres

import (
	"context"
	"errors"
	"fmt"
	"sync/atomic"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

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
}

// Database is the writer and reader pools, the readiness checks on them and the item store.
type Database struct {
	writer, reader *pool
	schemaReady    atomic.Bool
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
	return &Database{writer: writer, reader: reader}, nil
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

// CheckWriter checks that the writer endpoint reaches a database that accepts writes.
func (d *Database) CheckWriter(ctx context.Context) error {
	var inRecovery bool
	err := d.writer.do(ctx, func(ctx context.Context, p *pgxpool.Pool) error {
		return p.QueryRow(ctx, "SELECT pg_is_in_recovery()").Scan(&inRecovery)
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

// Put writes item through the writer endpoint, creating the items table on first use.
func (d *Database) Put(ctx context.Context, item items.Item) error {
	if err := d.ensureSchema(ctx); err != nil {
		return err
	}
	err := d.writer.do(ctx, func(ctx context.Context, p *pgxpool.Pool) error {
		_, err := p.Exec(ctx, `INSERT INTO items (id, name, written_in, created_at) VALUES ($1, $2, $3, $4)
			ON CONFLICT (id) DO UPDATE SET name = EXCLUDED.name, written_in = EXCLUDED.written_in, created_at = EXCLUDED.created_at`,
			item.ID, item.Name, item.WrittenIn, item.CreatedAt)
		return err
	})
	if hasCode(err, codeReadOnlyTransaction) {
		d.writer.pgx.Reset() // the writer moved; see CheckWriter
	}
	if err != nil {
		return fmt.Errorf("writing item through %s: %w", d.writer.endpoint.name(), err)
	}
	return nil
}

// ensureSchema creates the items table once per process. Concurrent CREATE TABLE IF
// NOT EXISTS statements can still collide in PostgreSQL's catalog; the loser's error
// means the table exists.
func (d *Database) ensureSchema(ctx context.Context) error {
	if d.schemaReady.Load() {
		return nil
	}
	err := d.writer.do(ctx, func(ctx context.Context, p *pgxpool.Pool) error {
		_, err := p.Exec(ctx, `CREATE TABLE IF NOT EXISTS items (
			id         text PRIMARY KEY,
			name       text NOT NULL,
			written_in text NOT NULL,
			created_at timestamptz NOT NULL
		)`)
		return err
	})
	if err != nil && !hasCode(err, codeDuplicateTable, codeUniqueViolation) {
		return fmt.Errorf("creating the items table through %s: %w", d.writer.endpoint.name(), err)
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

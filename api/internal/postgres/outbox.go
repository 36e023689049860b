package postgres

import (
	"context"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"

	"github.com/example/platform/api/internal/events"
)

// The outbox holds each event from the transaction that wrote its item until the bus has
// accepted it. Rows are claimed with FOR UPDATE SKIP LOCKED, so any number of publishers, in
// any region's tasks, drain it together without taking the same event at once.
const (
	outboxTable = `CREATE TABLE IF NOT EXISTS outbox (
			id              text PRIMARY KEY,
			source          text NOT NULL,
			detail_type     text NOT NULL,
			detail          jsonb NOT NULL,
			occurred_at     timestamptz NOT NULL,
			created_at      timestamptz NOT NULL DEFAULT now(),
			attempts        integer NOT NULL DEFAULT 0,
			next_attempt_at timestamptz NOT NULL DEFAULT now(),
			last_error      text,
			published_at    timestamptz
		)`
	outboxIndex = `CREATE INDEX IF NOT EXISTS outbox_pending ON outbox (next_attempt_at) WHERE published_at IS NULL`
)

// MaxRetryDelay caps the wait before an event the bus refused is offered again.
const MaxRetryDelay = 5 * time.Minute

func insertEvent(ctx context.Context, tx pgx.Tx, e events.Event) error {
	_, err := tx.Exec(ctx, `INSERT INTO outbox (id, source, detail_type, detail, occurred_at) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (id) DO NOTHING`, e.ID, e.Source, e.DetailType, string(e.Detail), e.Time)
	return err
}

// Publish sends events and says, for each, nil when it was accepted or why not.
type Publish func(ctx context.Context, evs []events.Event) []error

// Drained is what one DrainOutbox did.
type Drained struct {
	// Claimed events were offered to publish; Published of them were accepted, the rest wait
	// for their next attempt.
	Claimed, Published int
}

// DrainOutbox claims up to limit events that are due, oldest first, hands them to publish
// while it holds their rows, and in the same transaction marks the accepted ones published
// and schedules the rest again with an exponential backoff. If the process dies before the
// commit, the rows are released and published again: delivery is at least once.
func (d *Database) DrainOutbox(ctx context.Context, limit int, publish Publish) (Drained, error) {
	if err := d.ensureSchema(ctx); err != nil {
		return Drained{}, err
	}
	var out Drained
	err := d.writer.do(ctx, func(ctx context.Context, p *pgxpool.Pool) error {
		out = Drained{}
		return pgx.BeginFunc(ctx, p, func(tx pgx.Tx) error {
			evs, err := claim(ctx, tx, limit)
			if err != nil || len(evs) == 0 {
				return err
			}
			out.Claimed = len(evs)
			errs := publish(ctx, evs)
			var done, failed, reasons []string
			for i, e := range evs {
				if i < len(errs) && errs[i] != nil {
					failed, reasons = append(failed, e.ID), append(reasons, errs[i].Error())
					continue
				}
				done = append(done, e.ID)
			}
			out.Published = len(done)
			if _, err := tx.Exec(ctx, `UPDATE outbox SET published_at = now(), last_error = NULL WHERE id = ANY($1)`, done); err != nil {
				return err
			}
			_, err = tx.Exec(ctx, `UPDATE outbox o SET attempts = o.attempts + 1, last_error = f.reason,
				next_attempt_at = now() + least(make_interval(secs => power(2, o.attempts) * (0.5 + random())), make_interval(secs => $3))
				FROM unnest($1::text[], $2::text[]) AS f(id, reason) WHERE o.id = f.id`, failed, reasons, MaxRetryDelay.Seconds())
			return err
		})
	})
	if hasCode(err, codeReadOnlyTransaction) {
		d.writer.pgx.Reset() // the writer moved; see CheckWriter
	}
	if err != nil {
		return Drained{}, fmt.Errorf("draining the outbox through %s: %w", d.writer.endpoint.name(), err)
	}
	return out, nil
}

func claim(ctx context.Context, tx pgx.Tx, limit int) ([]events.Event, error) {
	rows, err := tx.Query(ctx, `SELECT id, source, detail_type, detail::text, occurred_at FROM outbox
		WHERE published_at IS NULL AND next_attempt_at <= now()
		ORDER BY next_attempt_at, created_at LIMIT $1 FOR UPDATE SKIP LOCKED`, limit)
	if err != nil {
		return nil, err
	}
	return pgx.CollectRows(rows, func(row pgx.CollectableRow) (events.Event, error) {
		var e events.Event
		var detail string
		err := row.Scan(&e.ID, &e.Source, &e.DetailType, &detail, &e.Time)
		e.Detail, e.Time = []byte(detail), e.Time.UTC()
		return e, err
	})
}

// OutboxLag is the age of the oldest event not yet published, and how many wait.
func (d *Database) OutboxLag(ctx context.Context) (time.Duration, int64, error) {
	if err := d.ensureSchema(ctx); err != nil {
		return 0, 0, err
	}
	var seconds float64
	var pending int64
	err := d.writer.do(ctx, func(ctx context.Context, p *pgxpool.Pool) error {
		return p.QueryRow(ctx, `SELECT coalesce(extract(epoch FROM now() - min(created_at)), 0)::float8, count(*)
			FROM outbox WHERE published_at IS NULL`).Scan(&seconds, &pending)
	})
	if err != nil {
		return 0, 0, fmt.Errorf("reading the outbox's lag through %s: %w", d.writer.endpoint.name(), err)
	}
	return time.Duration(seconds * float64(time.Second)), pending, nil
}

// PruneOutbox deletes events published more than age ago, and says how many.
func (d *Database) PruneOutbox(ctx context.Context, age time.Duration) (int64, error) {
	var n int64
	err := d.writer.do(ctx, func(ctx context.Context, p *pgxpool.Pool) error {
		tag, err := p.Exec(ctx, `DELETE FROM outbox WHERE published_at < now() - make_interval(secs => $1)`, age.Seconds())
		n = tag.RowsAffected()
		return err
	})
	if err != nil {
		return 0, fmt.Errorf("pruning the outbox through %s: %w", d.writer.endpoint.name(), err)
	}
	return n, nil
}

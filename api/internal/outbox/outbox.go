// Package outbox drains the database's outbox to the event sinks (the bus, the stream): in
// batches, marking what they accepted, leaving the rest to be retried with backoff, and
// waking as soon as an item is written.
package outbox

import (
	"context"
	"log/slog"
	"sync/atomic"
	"time"

	"github.com/example/platform/api/internal/events"
	"github.com/example/platform/api/internal/postgres"
)

// Store is the outbox; *postgres.Database implements it.
type Store interface {
	DrainOutbox(ctx context.Context, limit int, publish postgres.Publish) (postgres.Drained, error)
	PruneOutbox(ctx context.Context, age time.Duration) (int64, error)
}

// Sink takes events and says, per event, nil when it accepted it.
type Sink interface {
	Publish(ctx context.Context, evs []events.Event) []error
}

// Defaults for the Publisher's settings.
const (
	DefaultBatch    = 100
	DefaultInterval = time.Second
	// DefaultRetention keeps published events a day, to look into after an incident.
	DefaultRetention = 24 * time.Hour
)

// Publisher drains Store to every Sink. An event counts as published once every sink has
// accepted it; one a sink refused is offered to all again later (consumers drop duplicates
// by the event's ID).
type Publisher struct {
	Store Store
	Sinks []Sink
	// Batch is the most events claimed at once; Interval how often the outbox is read when
	// nothing wakes the publisher. Zero: the defaults.
	Batch    int
	Interval time.Duration
	Logger   *slog.Logger

	wake      chan struct{}
	published atomic.Int64
}

// New returns a Publisher ready to Run.
func New(store Store, logger *slog.Logger, sinks ...Sink) *Publisher {
	return &Publisher{Store: store, Sinks: sinks, Logger: logger, wake: make(chan struct{}, 1)}
}

// Wake makes a running publisher read the outbox now (after an item is written).
func (p *Publisher) Wake() {
	select {
	case p.wake <- struct{}{}:
	default:
	}
}

// Published is how many events this publisher has had accepted.
func (p *Publisher) Published() int64 { return p.published.Load() }

// DrainOnce publishes one batch.
func (p *Publisher) DrainOnce(ctx context.Context) (postgres.Drained, error) {
	batch := p.Batch
	if batch <= 0 {
		batch = DefaultBatch
	}
	res, err := p.Store.DrainOutbox(ctx, batch, p.publish)
	p.published.Add(int64(res.Published))
	return res, err
}

func (p *Publisher) publish(ctx context.Context, evs []events.Event) []error {
	errs := make([]error, len(evs))
	for _, sink := range p.Sinks {
		for i, err := range sink.Publish(ctx, evs) {
			if err != nil && errs[i] == nil {
				errs[i] = err
			}
		}
	}
	return errs
}

// Run drains until ctx ends: at once while batches come back full, else on Wake or every
// Interval; after an error it waits, doubling the wait up to a minute.
func (p *Publisher) Run(ctx context.Context) {
	interval := p.Interval
	if interval <= 0 {
		interval = DefaultInterval
	}
	batch := p.Batch
	if batch <= 0 {
		batch = DefaultBatch
	}
	backoff, lastPrune := interval, time.Time{}
	for ctx.Err() == nil {
		res, err := p.DrainOnce(ctx)
		wait := interval
		switch {
		case err != nil && ctx.Err() == nil:
			p.Logger.Warn("outbox: draining failed; retrying", "error", err.Error(), "in", backoff.String())
			wait, backoff = backoff, min(2*backoff, time.Minute)
		case err == nil:
			backoff = interval
			if res.Claimed > res.Published {
				p.Logger.Warn("outbox: sinks refused events; they are retried with backoff", "refused", res.Claimed-res.Published)
			}
			if res.Claimed == batch {
				continue
			}
		}
		if time.Since(lastPrune) > time.Hour {
			if _, err := p.Store.PruneOutbox(ctx, DefaultRetention); err == nil {
				lastPrune = time.Now()
			}
		}
		select {
		case <-ctx.Done():
		case <-p.wake:
		case <-time.After(wait):
		}
	}
}

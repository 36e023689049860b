package main

import (
	"context"
	"errors"
	"log/slog"
	"math"
	"sync"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/metric"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/eventbridge"
	"github.com/aws/aws-sdk-go-v2/service/kinesis"
	"github.com/aws/aws-sdk-go-v2/service/sqs"

	"github.com/example/platform/api/internal/config"
	"github.com/example/platform/api/internal/dynamo"
	"github.com/example/platform/api/internal/eventbus"
	"github.com/example/platform/api/internal/items"
	"github.com/example/platform/api/internal/outbox"
	"github.com/example/platform/api/internal/postgres"
	"github.com/example/platform/api/internal/processing"
	"github.com/example/platform/api/internal/stream"
	"github.com/example/platform/api/internal/worker"
)

// lagLogInterval is how often the outbox's lag is logged (the outboxLagSeconds field).
const lagLogInterval = time.Minute

// startBackground starts what runs beside the HTTP server, each until ctx ends: the outbox
// publisher (with EVENT_SOURCE and a bus or stream), its lag report, and the work queue's
// worker (WORKER). Wait returns once all have stopped.
func startBackground(ctx context.Context, cfg config.Config, awsCfg aws.Config, db *postgres.Database,
	table *dynamo.Table, svc *items.Service, logger *slog.Logger) *sync.WaitGroup {
	var wg sync.WaitGroup
	var sinks []outbox.Sink
	if cfg.EventBusName != "" {
		sinks = append(sinks, &eventbus.Bus{API: eventbridge.NewFromConfig(awsCfg), Name: cfg.EventBusName})
	}
	if cfg.EventStreamName != "" {
		sinks = append(sinks, &stream.Stream{API: kinesis.NewFromConfig(awsCfg), Name: cfg.EventStreamName, Region: cfg.Region})
	}
	meter := otel.Meter("github.com/example/platform/api")
	if cfg.EventSource != "" && len(sinks) > 0 {
		pub := outbox.New(db, logger, sinks...)
		svc.Created = pub.Wake
		var lag lagReport
		wg.Go(func() { pub.Run(ctx) })
		wg.Go(func() { lag.run(ctx, db, logger) })
		registerOutboxMetrics(meter, pub, &lag, logger)
		logger.Info("publishing the outbox", "bus", cfg.EventBusName, "stream", cfg.EventStreamName, "source", cfg.EventSource)
	}
	if cfg.Worker {
		w := &worker.Worker{API: sqs.NewFromConfig(awsCfg), QueueURL: cfg.WorkQueueURL, Logger: logger,
			Handle: processing.Handler(table, cfg.Region, logger)}
		wg.Go(func() { w.Run(ctx) })
		registerWorkerMetrics(meter, w, logger)
		logger.Info("consuming the work queue", "queue", cfg.WorkQueueURL)
	}
	return &wg
}

// lagReport reads the outbox's lag every lagLogInterval, logs it and keeps it for the metrics.
type lagReport struct {
	seconds  atomic.Uint64 // math.Float64bits
	pending  atomic.Int64
	lastRead time.Time     // when the lag was last read; zero before the first read
	lastLag  time.Duration // the lag read then
}

// lagReader is what the report reads: the writer's outbox (postgres.Database).
type lagReader interface {
	OutboxLag(ctx context.Context) (time.Duration, int64, error)
}

func (l *lagReport) run(ctx context.Context, db lagReader, logger *slog.Logger) {
	t := time.NewTicker(lagLogInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case now := <-t.C:
			l.report(ctx, db, logger, now)
		}
	}
}

// report reads the lag once and logs it for the platform's alarm (a metric filter on the log
// group reads outboxLagSeconds). While the writer cannot be read, the lag it reports grows with
// the time since the last read, so the alarm fires on an unreachable writer rather than going
// quiet for want of data.
func (l *lagReport) report(ctx context.Context, db lagReader, logger *slog.Logger, now time.Time) {
	lag, pending, err := db.OutboxLag(ctx)
	if err != nil {
		if l.lastRead.IsZero() {
			l.lastRead = now
		}
		unknown := l.lastLag + now.Sub(l.lastRead)
		l.seconds.Store(math.Float64bits(unknown.Seconds()))
		logger.Warn("outbox: reading the lag failed", "error", err.Error(), "outboxLagSeconds", unknown.Seconds(), "outboxLagUnknown", true)
		return
	}
	l.lastRead, l.lastLag = now, lag
	l.seconds.Store(math.Float64bits(lag.Seconds()))
	l.pending.Store(pending)
	logger.Info("outbox", "outboxLagSeconds", lag.Seconds(), "outboxPending", pending)
}

// registerOutboxMetrics exports the outbox's lag, its backlog and the events published.
func registerOutboxMetrics(meter metric.Meter, pub *outbox.Publisher, lag *lagReport, logger *slog.Logger) {
	lagGauge, err1 := meter.Float64ObservableGauge("outbox.lag", metric.WithUnit("s"),
		metric.WithDescription("Age of the oldest event in the outbox not yet published"))
	pending, err2 := meter.Int64ObservableGauge("outbox.pending", metric.WithDescription("Events in the outbox not yet published"))
	published, err3 := meter.Int64ObservableCounter("outbox.published", metric.WithDescription("Events the bus and stream accepted"))
	_, err4 := meter.RegisterCallback(func(_ context.Context, o metric.Observer) error {
		o.ObserveFloat64(lagGauge, math.Float64frombits(lag.seconds.Load()))
		o.ObserveInt64(pending, lag.pending.Load())
		o.ObserveInt64(published, pub.Published())
		return nil
	}, lagGauge, pending, published)
	if err := errors.Join(err1, err2, err3, err4); err != nil {
		logger.Warn("metrics: the outbox's are not exported", "error", err.Error())
	}
}

// registerWorkerMetrics exports the work queue's messages handled, failed and released.
func registerWorkerMetrics(meter metric.Meter, w *worker.Worker, logger *slog.Logger) {
	counter, err1 := meter.Int64ObservableCounter("queue.messages", metric.WithDescription("Work queue messages by outcome"))
	_, err2 := meter.RegisterCallback(func(_ context.Context, o metric.Observer) error {
		s := w.Stats()
		o.ObserveInt64(counter, s.Handled, metric.WithAttributes(attribute.String("outcome", "handled")))
		o.ObserveInt64(counter, s.Failed, metric.WithAttributes(attribute.String("outcome", "failed")))
		o.ObserveInt64(counter, s.Released, metric.WithAttributes(attribute.String("outcome", "released")))
		return nil
	}, counter)
	if err := errors.Join(err1, err2); err != nil {
		logger.Warn("metrics: the worker's are not exported", "error", err.Error())
	}
}

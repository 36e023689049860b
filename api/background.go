package main

import (
	"context"
	"log/slog"
	"sync"
	"time"

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
	if cfg.EventSource != "" && len(sinks) > 0 {
		pub := outbox.New(db, logger, sinks...)
		svc.Created = pub.Wake
		wg.Go(func() { pub.Run(ctx) })
		wg.Go(func() { reportLag(ctx, db, logger) })
		logger.Info("publishing the outbox", "bus", cfg.EventBusName, "stream", cfg.EventStreamName, "source", cfg.EventSource)
	}
	if cfg.Worker {
		w := &worker.Worker{API: sqs.NewFromConfig(awsCfg), QueueURL: cfg.WorkQueueURL, Logger: logger,
			Handle: processing.Handler(table, cfg.Region, logger)}
		wg.Go(func() { w.Run(ctx) })
		logger.Info("consuming the work queue", "queue", cfg.WorkQueueURL)
	}
	return &wg
}

// reportLag logs the age of the oldest unpublished event and how many wait, every minute.
func reportLag(ctx context.Context, db *postgres.Database, logger *slog.Logger) {
	t := time.NewTicker(lagLogInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		lag, pending, err := db.OutboxLag(ctx)
		if err != nil {
			logger.Warn("outbox: reading the lag failed", "error", err.Error())
			continue
		}
		logger.Info("outbox", "outboxLagSeconds", lag.Seconds(), "outboxPending", pending)
	}
}

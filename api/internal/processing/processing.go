// Package processing is what the worker does with the service's events: for each
// Item.Created, record once, in the region's table replica, that the item was processed.
package processing

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"time"

	"github.com/example/platform/api/internal/events"
	"github.com/example/platform/api/internal/items"
)

// Recorder keeps processing records; *dynamo.Table implements it.
type Recorder interface {
	MarkProcessed(ctx context.Context, p items.Processing) (first bool, err error)
}

// Handler returns the worker's handler: idempotent, since the record is written only once
// per item whatever the number of deliveries.
func Handler(rec Recorder, region string, logger *slog.Logger) func(context.Context, events.Envelope) error {
	return func(ctx context.Context, e events.Envelope) error {
		if e.DetailType != events.ItemCreated {
			logger.Debug("worker: ignoring an event it has no use for", "detailType", e.DetailType)
			return nil
		}
		var d events.ItemDetail
		if err := json.Unmarshal(e.Detail, &d); err != nil || d.ItemID == "" {
			return fmt.Errorf("an Item.Created event without an itemId: %s", e.Detail)
		}
		first, err := rec.MarkProcessed(ctx, items.Processing{ItemID: d.ItemID, EventID: d.EventID, ProcessedIn: region, ProcessedAt: time.Now()})
		if err != nil {
			return err
		}
		if !first {
			logger.Info("worker: event already processed; dropped", "eventId", d.EventID)
		}
		return nil
	}
}

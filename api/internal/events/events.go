// Package events is the service's domain events: what the outbox stores, the publisher
// sends to the region's EventBridge bus and Kinesis stream, and the worker receives from
// the work queue in EventBridge's envelope.
package events

import (
	"encoding/json"
	"fmt"
	"time"

	"github.com/example/platform/api/internal/items"
)

// ItemCreated is the detail-type of the event written with each new item.
const ItemCreated = "Item.Created"

// Event is one domain event. ID is the event's own identity, carried in the detail as
// eventId: delivery is at least once, so consumers drop an ID they have already handled.
type Event struct {
	ID         string
	Source     string
	DetailType string
	Detail     json.RawMessage
	Time       time.Time
}

// ItemDetail is the detail of an Item.Created event.
type ItemDetail struct {
	EventID string    `json:"eventId"`
	ItemID  string    `json:"itemId"`
	Name    string    `json:"name"`
	Region  string    `json:"writtenIn"`
	Created time.Time `json:"createdAt"`
}

// ForItemCreated is the Item.Created event of item. Its ID derives from the item's, so
// writing the same item twice records one event.
func ForItemCreated(source string, item items.Item) Event {
	id := "item-created-" + item.ID
	detail, _ := json.Marshal(ItemDetail{EventID: id, ItemID: item.ID, Name: item.Name, Region: item.WrittenIn, Created: item.CreatedAt})
	return Event{ID: id, Source: source, DetailType: ItemCreated, Detail: detail, Time: item.CreatedAt}
}

// Envelope is an event as EventBridge delivers it to a target such as the work queue, and
// as the stream's records carry it.
type Envelope struct {
	Version    string          `json:"version"`
	ID         string          `json:"id"`
	DetailType string          `json:"detail-type"`
	Source     string          `json:"source"`
	Time       time.Time       `json:"time"`
	Region     string          `json:"region,omitempty"`
	Resources  []string        `json:"resources"`
	Detail     json.RawMessage `json:"detail"`
}

// ToEnvelope is e in EventBridge's envelope, with e.ID as the envelope's id.
func (e Event) ToEnvelope(region string) Envelope {
	return Envelope{Version: "0", ID: e.ID, DetailType: e.DetailType, Source: e.Source, Time: e.Time.UTC(),
		Region: region, Resources: []string{}, Detail: e.Detail}
}

// ParseEnvelope reads an event delivered in EventBridge's envelope.
func ParseEnvelope(body []byte) (Envelope, error) {
	var env Envelope
	if err := json.Unmarshal(body, &env); err != nil {
		return Envelope{}, fmt.Errorf("not an EventBridge event: %w", err)
	}
	if env.DetailType == "" || len(env.Detail) == 0 {
		return Envelope{}, fmt.Errorf("not an EventBridge event: no detail-type or detail")
	}
	return env, nil
}

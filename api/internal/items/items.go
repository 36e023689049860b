// Package items is the service's small demonstration API: an item is written to
// both stores in the region that receives it, and read back from the local
// replicas, which shows the database's and the table's cross-region replication.
package items

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"regexp"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// MaxNameLength bounds an item's name in characters.
const MaxNameLength = 200

// Item is what the API stores.
type Item struct {
	ID   string
	Name string
	// WrittenIn is the region whose task accepted the write.
	WrittenIn string
	CreatedAt time.Time
}

// ErrNotFound is what a Store returns for an ID it does not hold.
var ErrNotFound = errors.New("item not found")

// Store keeps items. The database and the table each implement it.
type Store interface {
	Put(ctx context.Context, item Item) error
	Get(ctx context.Context, id string) (Item, error)
}

// InvalidError is a request the caller must change.
type InvalidError struct{ Reason string }

func (e *InvalidError) Error() string { return e.Reason }

// StoreError is a store that failed; Store names it ("database" or "table").
type StoreError struct {
	Store string
	Err   error
}

func (e *StoreError) Error() string { return e.Store + ": " + e.Err.Error() }
func (e *StoreError) Unwrap() error { return e.Err }

// Store names, as StoreError and Found report them.
const (
	StoreDatabase = "database"
	StoreTable    = "table"
)

// Service writes items to both stores and reads them back.
type Service struct {
	// Database is written through the global writer endpoint and read through the
	// region's reader endpoint.
	Database Store
	// Table is the region's replica of the global table.
	Table Store
	// Region is recorded on each item written.
	Region string
	// Processed reads the worker's processing records (the table); nil: none are kept.
	Processed ProcessingReader
	// Created, when set, is called after each item is stored (it wakes the event publisher).
	Created func()
	// Now and NewID are replaceable in tests. Defaults: time.Now and NewID.
	Now   func() time.Time
	NewID func() string
}

// NewID returns a random 26-character ID (128 bits of entropy, base32).
func NewID() string { return rand.Text() }

var idPattern = regexp.MustCompile(`^[A-Z2-7]{26}$`)

// Create stores a new item named name. The database is written first: if it fails,
// nothing is stored. If the table then fails, the row stays in the database (there
// is no transaction across the two) and the caller gets an error naming the table.
func (s *Service) Create(ctx context.Context, name string) (Item, error) {
	name = strings.TrimSpace(name)
	switch {
	case name == "":
		return Item{}, &InvalidError{Reason: `name is required: send {"name": "..."}`}
	case !utf8.ValidString(name):
		return Item{}, &InvalidError{Reason: "name must be UTF-8 text"}
	case utf8.RuneCountInString(name) > MaxNameLength:
		return Item{}, &InvalidError{Reason: fmt.Sprintf("name is longer than %d characters", MaxNameLength)}
	}
	now, newID := time.Now, NewID
	if s.Now != nil {
		now = s.Now
	}
	if s.NewID != nil {
		newID = s.NewID
	}
	// Microseconds: what PostgreSQL's timestamptz keeps, so both stores agree.
	item := Item{ID: newID(), Name: name, WrittenIn: s.Region, CreatedAt: now().UTC().Truncate(time.Microsecond)}
	if err := s.Database.Put(ctx, item); err != nil {
		return Item{}, &StoreError{Store: StoreDatabase, Err: err}
	}
	if s.Created != nil {
		s.Created() // the item's event is in the outbox from here on
	}
	if err := s.Table.Put(ctx, item); err != nil {
		return Item{}, &StoreError{Store: StoreTable, Err: err}
	}
	return item, nil
}

// Found is an item and which of this region's stores hold it. An item written in
// another region appears in each store once replication has brought it here.
type Found struct {
	Item    Item
	FoundIn map[string]bool
}

// Get reads the item from both stores at once. It returns ErrNotFound when neither
// holds it, and a StoreError when either fails: a partial answer would hide the failure.
func (s *Service) Get(ctx context.Context, id string) (Found, error) {
	if !idPattern.MatchString(id) {
		return Found{}, &InvalidError{Reason: "id must be 26 characters A-Z and 2-7, as returned by POST /items"}
	}
	stores := map[string]Store{StoreDatabase: s.Database, StoreTable: s.Table}
	type result struct {
		item Item
		err  error
	}
	results := make(map[string]result, len(stores))
	var mu sync.Mutex
	var wg sync.WaitGroup
	for name, store := range stores {
		wg.Go(func() {
			item, err := store.Get(ctx, id)
			mu.Lock()
			defer mu.Unlock()
			results[name] = result{item, err}
		})
	}
	wg.Wait()

	found := Found{FoundIn: map[string]bool{}}
	// The database's copy wins when both have one; they are written with the same values.
	for _, name := range []string{StoreTable, StoreDatabase} {
		r := results[name]
		switch {
		case r.err == nil:
			found.Item, found.FoundIn[name] = r.item, true
		case errors.Is(r.err, ErrNotFound):
			found.FoundIn[name] = false
		default:
			return Found{}, &StoreError{Store: name, Err: r.err}
		}
	}
	if !found.FoundIn[StoreDatabase] && !found.FoundIn[StoreTable] {
		return Found{}, ErrNotFound
	}
	return found, nil
}

// Processing is the record the worker keeps of having handled an item's Item.Created event.
type Processing struct {
	ItemID      string    `json:"itemId"`
	EventID     string    `json:"eventId"`
	ProcessedIn string    `json:"processedIn"`
	ProcessedAt time.Time `json:"processedAt"`
}

// ProcessingReader reads processing records; *dynamo.Table implements it.
type ProcessingReader interface {
	Processing(ctx context.Context, id string) (Processing, error)
}

// Processing returns the record of item id's Item.Created event having been processed by a
// worker, from this region's table replica, or ErrNotFound while it has not been.
func (s *Service) Processing(ctx context.Context, id string) (Processing, error) {
	if !idPattern.MatchString(id) {
		return Processing{}, &InvalidError{Reason: "id must be 26 characters A-Z and 2-7, as returned by POST /items"}
	}
	if s.Processed == nil {
		return Processing{}, ErrNotFound
	}
	p, err := s.Processed.Processing(ctx, id)
	if err != nil && !errors.Is(err, ErrNotFound) {
		return Processing{}, &StoreError{Store: StoreTable, Err: err}
	}
	return p, err
}

// Package itemstest provides an in-memory items.Store for tests.
package itemstest

import (
	"context"
	"sync"

	"github.com/example/platform/api/internal/items"
)

// Store is an in-memory items.Store. Set Err to make every call fail with it.
type Store struct {
	mu    sync.Mutex
	items map[string]items.Item
	Err   error
}

// NewStore returns an empty Store.
func NewStore() *Store { return &Store{items: map[string]items.Item{}} }

func (s *Store) Put(_ context.Context, item items.Item) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.Err != nil {
		return s.Err
	}
	s.items[item.ID] = item
	return nil
}

func (s *Store) Get(_ context.Context, id string) (items.Item, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.Err != nil {
		return items.Item{}, s.Err
	}
	item, ok := s.items[id]
	if !ok {
		return items.Item{}, items.ErrNotFound
	}
	return item, nil
}

// Len is how many items the store holds.
func (s *Store) Len() int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return len(s.items)
}

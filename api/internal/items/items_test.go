package items_test

import (
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/example/platform/api/internal/items"
	"github.com/example/platform/api/internal/items/itemstest"
)

const id = "ABCDEFGHIJKLMNOPQRSTUVWXYZ"

var now = time.Date(2026, 11, 23, 12, 0, 0, 123456789, time.UTC)

func newService() (*items.Service, *itemstest.Store, *itemstest.Store) {
	db, table := itemstest.NewStore(), itemstest.NewStore()
	return &items.Service{
		Database: db, Table: table, Region: "eu-west-1",
		Now: func() time.Time { return now }, NewID: func() string { return id },
	}, db, table
}

func TestService_CreateWritesBothStores(t *testing.T) {
	svc, db, table := newService()
	item, err := svc.Create(t.Context(), "  first  ")
	if err != nil {
		t.Fatal(err)
	}
	want := items.Item{ID: id, Name: "first", WrittenIn: "eu-west-1", CreatedAt: now.Truncate(time.Microsecond)}
	if item != want {
		t.Errorf("Create() = %+v, want %+v", item, want)
	}
	for name, store := range map[string]*itemstest.Store{"database": db, "table": table} {
		if got, err := store.Get(t.Context(), id); err != nil || got != want {
			t.Errorf("%s holds %+v, %v; want %+v", name, got, err, want)
		}
	}
}

func TestService_CreateRejectsBadNames(t *testing.T) {
	svc, db, _ := newService()
	for _, name := range []string{"", "   ", strings.Repeat("x", items.MaxNameLength+1), "\xff"} {
		_, err := svc.Create(t.Context(), name)
		var invalid *items.InvalidError
		if !errors.As(err, &invalid) {
			t.Errorf("Create(%q) error = %v, want an InvalidError", name, err)
		}
	}
	if db.Len() != 0 {
		t.Errorf("rejected names were stored")
	}
}

func TestService_CreateNamesTheStoreThatFailed(t *testing.T) {
	svc, db, table := newService()
	table.Err = errors.New("throttled")
	_, err := svc.Create(t.Context(), "x")
	var storeErr *items.StoreError
	if !errors.As(err, &storeErr) || storeErr.Store != items.StoreTable {
		t.Fatalf("Create() error = %v, want a StoreError for the table", err)
	}

	db.Err, table.Err = errors.New("connection refused"), nil
	_, err = svc.Create(t.Context(), "y")
	if !errors.As(err, &storeErr) || storeErr.Store != items.StoreDatabase {
		t.Fatalf("Create() error = %v, want a StoreError for the database", err)
	}
	if table.Len() != 0 {
		t.Error("the table was written although the database write failed first")
	}
}

func TestService_GetReportsWhichStoresHoldTheItem(t *testing.T) {
	svc, db, table := newService()
	item := items.Item{ID: id, Name: "replicated", WrittenIn: "us-east-1", CreatedAt: now}
	// Written in another region: the table has replicated it, the database not yet.
	if err := table.Put(t.Context(), item); err != nil {
		t.Fatal(err)
	}
	found, err := svc.Get(t.Context(), id)
	if err != nil {
		t.Fatal(err)
	}
	if found.Item != item || !found.FoundIn["table"] || found.FoundIn["database"] {
		t.Errorf("Get() = %+v, want the item found in the table only", found)
	}

	_ = db.Put(t.Context(), item)
	found, _ = svc.Get(t.Context(), id)
	if !found.FoundIn["table"] || !found.FoundIn["database"] {
		t.Errorf("Get() = %+v, want the item found in both", found)
	}
}

func TestService_GetErrors(t *testing.T) {
	svc, db, _ := newService()
	if _, err := svc.Get(t.Context(), id); !errors.Is(err, items.ErrNotFound) {
		t.Errorf("Get(unknown) = %v, want ErrNotFound", err)
	}
	var invalid *items.InvalidError
	if _, err := svc.Get(t.Context(), "../etc"); !errors.As(err, &invalid) {
		t.Errorf("Get(malformed id) = %v, want an InvalidError", err)
	}
	db.Err = errors.New("connection refused")
	var storeErr *items.StoreError
	if _, err := svc.Get(t.Context(), id); !errors.As(err, &storeErr) || storeErr.Store != items.StoreDatabase {
		t.Errorf("Get() with the database down = %v, want a StoreError for the database", err)
	}
}

func TestNewID_MatchesWhatGetAccepts(t *testing.T) {
	db, table := itemstest.NewStore(), itemstest.NewStore()
	svc := &items.Service{Database: db, Table: table}
	item, err := svc.Create(t.Context(), "x")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := svc.Get(t.Context(), item.ID); err != nil {
		t.Errorf("Get(%q) of a created item: %v", item.ID, err)
	}
}

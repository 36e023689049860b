package httpapi_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"testing/synctest"
	"time"

	"github.com/example/platform/api/internal/httpapi"
	"github.com/example/platform/api/internal/items"
	"github.com/example/platform/api/internal/items/itemstest"
	"github.com/example/platform/api/internal/readiness"
)

// failingReadiness fails the test if the handler runs the dependency checks.
type failingReadiness struct{ t *testing.T }

func (f failingReadiness) Run(context.Context) readiness.Report {
	f.t.Error("the route ran the dependency checks")
	return readiness.Report{}
}

func newHandler(t *testing.T, ready httpapi.Readiness, svc httpapi.Items) (http.Handler, *bytes.Buffer) {
	t.Helper()
	var logs bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	return httpapi.New(httpapi.Config{Service: "api", Region: "eu-west-1", Readiness: ready, Items: svc, Logger: logger}), &logs
}

func do(h http.Handler, method, path, body string) *httptest.ResponseRecorder {
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(method, path, strings.NewReader(body)))
	return rec
}

func decode[T any](t *testing.T, rec *httptest.ResponseRecorder) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(rec.Body.Bytes(), &v); err != nil {
		t.Fatalf("response %q is not JSON: %v", rec.Body.String(), err)
	}
	return v
}

func TestHealth_AnswersOKWithoutTouchingDependencies(t *testing.T) {
	// Every dependency is down, and the checks must not even be run.
	db, table := itemstest.NewStore(), itemstest.NewStore()
	db.Err, table.Err = errors.New("down"), errors.New("down")
	h, _ := newHandler(t, failingReadiness{t}, &items.Service{Database: db, Table: table})

	for _, method := range []string{http.MethodGet, http.MethodHead} {
		rec := do(h, method, "/health", "")
		if rec.Code != http.StatusOK {
			t.Errorf("%s /health = %d, want 200", method, rec.Code)
		}
		if method == http.MethodGet && rec.Body.String() != "ok" {
			t.Errorf("GET /health body = %q, want ok", rec.Body.String())
		}
	}
}

// A route that a region's health check may call answers while the writer, in another region,
// is down: it never runs /ready's checks, and /ready/region checks the region's reader and table
// replica alone. /ready, which checks the writer, is not one of them.
func TestRegionLocalPaths_AnswerWhileTheWriterIsDown(t *testing.T) {
	db, table := itemstest.NewStore(), itemstest.NewStore()
	db.Err, table.Err = errors.New("down"), errors.New("down")
	var ran []string
	local := readiness.New(time.Second, map[string]readiness.Check{
		"databaseReader": func(context.Context) error { ran = append(ran, "databaseReader"); return nil },
		"table":          func(context.Context) error { return nil },
	})
	var logs bytes.Buffer
	h := httpapi.New(httpapi.Config{Service: "api", Region: "eu-west-1", Readiness: failingReadiness{t}, RegionReadiness: local,
		Items: &items.Service{Database: db, Table: table}, Logger: slog.New(slog.NewJSONHandler(&logs, nil))})
	for _, path := range httpapi.RegionLocalPaths {
		if rec := do(h, http.MethodGet, path, ""); rec.Code != http.StatusOK {
			t.Errorf("GET %s = %d while the writer is down, want 200", path, rec.Code)
		}
	}
	if !slices.Contains(ran, "databaseReader") {
		t.Errorf("GET %s did not check the region's reader", httpapi.RegionReadyPath)
	}
	if slices.Contains(httpapi.RegionLocalPaths, httpapi.ReadyPath) {
		t.Errorf("RegionLocalPaths lists %s, whose databaseWriter check reaches the primary region", httpapi.ReadyPath)
	}
}

// /ready/region fails when the region's own reader or table replica does, naming it.
func TestRegionReady_503WhenTheRegionsTableFails(t *testing.T) {
	local := readiness.New(time.Second, map[string]readiness.Check{
		"databaseReader": func(context.Context) error { return nil },
		"table":          func(context.Context) error { return errors.New("AccessDeniedException") },
	})
	var logs bytes.Buffer
	h := httpapi.New(httpapi.Config{Service: "api", Region: "eu-west-1", Readiness: failingReadiness{t}, RegionReadiness: local,
		Logger: slog.New(slog.NewJSONHandler(&logs, nil))})
	rec := do(h, http.MethodGet, httpapi.RegionReadyPath, "")
	body := decode[readyBody](t, rec)
	if c := body.Checks["table"]; rec.Code != http.StatusServiceUnavailable || c.OK == nil || *c.OK || len(body.Checks) != 2 {
		t.Errorf("GET %s = %d %+v, want 503 naming the table among the region's two checks", httpapi.RegionReadyPath, rec.Code, body)
	}
}

type readyBody struct {
	Status string `json:"status"`
	Region string `json:"region"`
	Checks map[string]struct {
		OK        *bool  `json:"ok"`
		LatencyMs *int64 `json:"latencyMs"`
		Error     string `json:"error"`
	} `json:"checks"`
}

func checker(timeout time.Duration, table readiness.Check) *readiness.Checker {
	pass := func(context.Context) error { return nil }
	return readiness.New(timeout, map[string]readiness.Check{"databaseReader": pass, "databaseWriter": pass, "table": table})
}

func TestReady_200WhenEveryCheckPasses(t *testing.T) {
	h, _ := newHandler(t, checker(time.Second, func(context.Context) error { return nil }), nil)
	rec := do(h, http.MethodGet, "/ready", "")
	body := decode[readyBody](t, rec)
	if rec.Code != http.StatusOK || body.Status != "ok" || body.Region != "eu-west-1" {
		t.Errorf("GET /ready = %d %+v, want 200, ok, eu-west-1", rec.Code, body)
	}
	for _, name := range []string{"databaseReader", "databaseWriter", "table"} {
		c, found := body.Checks[name]
		if !found || c.OK == nil || !*c.OK || c.LatencyMs == nil || c.Error != "" {
			t.Errorf("checks.%s = %+v, want ok true with latencyMs", name, c)
		}
	}
}

func TestReady_503NamingTheFailingCheckWithoutExposingTheCause(t *testing.T) {
	cause := errors.New("reading table acme-prod-main: AccessDeniedException")
	h, logs := newHandler(t, checker(time.Second, func(context.Context) error { return cause }), nil)
	rec := do(h, http.MethodGet, "/ready", "")
	body := decode[readyBody](t, rec)
	if rec.Code != http.StatusServiceUnavailable || body.Status != "degraded" {
		t.Fatalf("GET /ready = %d %+v, want 503 degraded", rec.Code, body)
	}
	if c := body.Checks["table"]; *c.OK || c.Error != "failed" {
		t.Errorf("checks.table = %+v, want ok false, error failed", c)
	}
	if c := body.Checks["databaseReader"]; !*c.OK {
		t.Errorf("checks.databaseReader = %+v, want ok true", c)
	}
	if strings.Contains(rec.Body.String(), "acme-prod-main") {
		t.Errorf("the response shows the cause: %s", rec.Body.String())
	}
	if !strings.Contains(logs.String(), "AccessDeniedException") {
		t.Errorf("the cause is not logged:\n%s", logs.String())
	}
}

func TestReady_ASlowDependencyTimesOut(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		hangs := func(context.Context) error { time.Sleep(time.Minute); return nil }
		h, _ := newHandler(t, checker(2*time.Second, hangs), nil)
		start := time.Now()
		rec := do(h, http.MethodGet, "/ready", "")
		if took := time.Since(start); took != 2*time.Second {
			t.Errorf("GET /ready took %s, want the 2s timeout", took)
		}
		body := decode[readyBody](t, rec)
		if rec.Code != http.StatusServiceUnavailable || body.Checks["table"].Error != "timeout" {
			t.Errorf("GET /ready = %d %+v, want 503 with the table timed out", rec.Code, body)
		}
		time.Sleep(time.Minute) // let the abandoned check finish
	})
}

type itemBody struct {
	ID        string          `json:"id"`
	Name      string          `json:"name"`
	WrittenIn string          `json:"writtenIn"`
	CreatedAt time.Time       `json:"createdAt"`
	Region    string          `json:"region"`
	FoundIn   map[string]bool `json:"foundIn"`
	Error     string          `json:"error"`
}

func TestItems_CreateThenReadBack(t *testing.T) {
	db, table := itemstest.NewStore(), itemstest.NewStore()
	h, _ := newHandler(t, nil, &items.Service{Database: db, Table: table, Region: "eu-west-1"})

	rec := do(h, http.MethodPost, "/items", `{"name":"first"}`)
	created := decode[itemBody](t, rec)
	if rec.Code != http.StatusCreated || created.Name != "first" || created.WrittenIn != "eu-west-1" || created.ID == "" {
		t.Fatalf("POST /items = %d %s", rec.Code, rec.Body)
	}
	if loc := rec.Header().Get("Location"); loc != "/items/"+created.ID {
		t.Errorf("Location = %q, want /items/%s", loc, created.ID)
	}

	rec = do(h, http.MethodGet, "/items/"+created.ID, "")
	got := decode[itemBody](t, rec)
	if rec.Code != http.StatusOK || got.ID != created.ID || got.Name != "first" || !got.CreatedAt.Equal(created.CreatedAt) {
		t.Fatalf("GET /items/%s = %d %s", created.ID, rec.Code, rec.Body)
	}
	if !got.FoundIn["database"] || !got.FoundIn["table"] || got.Region != "eu-west-1" {
		t.Errorf("GET = %+v, want found in both stores of eu-west-1", got)
	}
}

func TestItems_ErrorStatuses(t *testing.T) {
	db, table := itemstest.NewStore(), itemstest.NewStore()
	h, logs := newHandler(t, nil, &items.Service{Database: db, Table: table})
	for _, tc := range []struct {
		method, path, body string
		want               int
	}{
		{http.MethodPost, "/items", `not json`, http.StatusBadRequest},
		{http.MethodPost, "/items", `{"name":"x","extra":1}`, http.StatusBadRequest},
		{http.MethodPost, "/items", `{"name":""}`, http.StatusBadRequest},
		{http.MethodPost, "/items", `{"name":"` + strings.Repeat("x", 70<<10) + `"}`, http.StatusBadRequest},
		{http.MethodGet, "/items/lowercase", "", http.StatusBadRequest},
		{http.MethodGet, "/items/ABCDEFGHIJKLMNOPQRSTUVWXYZ", "", http.StatusNotFound},
		{http.MethodDelete, "/items/ABCDEFGHIJKLMNOPQRSTUVWXYZ", "", http.StatusMethodNotAllowed},
		{http.MethodGet, "/nothing-here", "", http.StatusNotFound},
	} {
		if rec := do(h, tc.method, tc.path, tc.body); rec.Code != tc.want {
			t.Errorf("%s %s %.40s = %d %s, want %d", tc.method, tc.path, tc.body, rec.Code, rec.Body, tc.want)
		}
	}

	table.Err = errors.New("ProvisionedThroughputExceededException on acme-prod-main")
	rec := do(h, http.MethodPost, "/items", `{"name":"x"}`)
	body := decode[itemBody](t, rec)
	if rec.Code != http.StatusServiceUnavailable || !strings.Contains(body.Error, "table") || strings.Contains(body.Error, "acme-prod-main") {
		t.Errorf("POST with the table failing = %d %q, want 503 naming the table but not its details", rec.Code, body.Error)
	}
	if !strings.Contains(logs.String(), "acme-prod-main") {
		t.Errorf("the store's error is not logged:\n%s", logs.String())
	}
}

func TestIndex_SaysWhichRegionAnswered(t *testing.T) {
	h, _ := newHandler(t, nil, nil)
	rec := do(h, http.MethodGet, "/", "")
	body := decode[map[string]string](t, rec)
	if rec.Code != http.StatusOK || body["region"] != "eu-west-1" || body["service"] != "api" {
		t.Errorf("GET / = %d %v", rec.Code, body)
	}
}

func TestLogRequests_LogsEachRequestAsJSON(t *testing.T) {
	h, logs := newHandler(t, nil, &items.Service{Database: itemstest.NewStore(), Table: itemstest.NewStore()})
	do(h, http.MethodGet, "/items/ABCDEFGHIJKLMNOPQRSTUVWXYZ", "")
	do(h, http.MethodGet, "/health", "")
	lines := strings.Split(strings.TrimSpace(logs.String()), "\n")
	if len(lines) != 2 {
		t.Fatalf("logged %d lines, want 2:\n%s", len(lines), logs)
	}
	var first, second map[string]any
	if json.Unmarshal([]byte(lines[0]), &first) != nil || json.Unmarshal([]byte(lines[1]), &second) != nil {
		t.Fatalf("log lines are not JSON:\n%s", logs)
	}
	if first["level"] != "INFO" || first["route"] != "GET /items/{id}" || first["status"] != float64(404) {
		t.Errorf("item request logged as %v", first)
	}
	if second["level"] != "DEBUG" || second["status"] != float64(200) {
		t.Errorf("health check logged as %v, want DEBUG (two load balancers ask every few seconds)", second)
	}
}

type panickingItems struct{}

func (panickingItems) Create(context.Context, string) (items.Item, error)           { panic("bug") }
func (panickingItems) Get(context.Context, string) (items.Found, error)             { panic("bug") }
func (panickingItems) Processing(context.Context, string) (items.Processing, error) { panic("bug") }

func TestLogRequests_TurnsAPanicIntoA500(t *testing.T) {
	h, logs := newHandler(t, nil, panickingItems{})
	rec := do(h, http.MethodPost, "/items", `{"name":"x"}`)
	if rec.Code != http.StatusInternalServerError || !strings.Contains(logs.String(), "handler panicked") {
		t.Errorf("panic gave %d, logs:\n%s", rec.Code, logs)
	}
}

type processedTable map[string]items.Processing

func (p processedTable) Processing(_ context.Context, id string) (items.Processing, error) {
	if r, ok := p[id]; ok {
		return r, nil
	}
	return items.Processing{}, items.ErrNotFound
}

func TestProcessing_SaysWhetherTheWorkerHasProcessedTheItem(t *testing.T) {
	const done, waiting = "AAAAAAAAAAAAAAAAAAAAAAAAAA", "BBBBBBBBBBBBBBBBBBBBBBBBBB"
	svc := &items.Service{Database: itemstest.NewStore(), Table: itemstest.NewStore(),
		Processed: processedTable{done: {ItemID: done, EventID: "item-created-" + done, ProcessedIn: "us-east-1"}}}
	h, _ := newHandler(t, nil, svc)
	for id, want := range map[string]int{done: http.StatusOK, waiting: http.StatusNotFound, "nope": http.StatusBadRequest} {
		rec := httptest.NewRecorder()
		h.ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/items/"+id+"/processing", nil))
		if rec.Code != want {
			t.Errorf("GET /items/%s/processing = %d %s, want %d", id, rec.Code, rec.Body, want)
		}
		if want == http.StatusOK && !strings.Contains(rec.Body.String(), `"processed":true`) {
			t.Errorf("body %s, want processed true", rec.Body)
		}
	}
}

// Package httpapi maps the service's routes to the readiness checker and the item
// service, and logs every request as JSON.
package httpapi

import (
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"net/http"
	"time"

	"github.com/example/platform/api/internal/items"
	"github.com/example/platform/api/internal/readiness"
)

// Routes the load balancers, canaries and operators rely on.
const (
	HealthPath = "/health"
	ReadyPath  = "/ready"
	// RegionReadyPath checks only the dependencies of the task's own region (Config.RegionReadiness).
	RegionReadyPath = "/ready/region"
)

// RegionLocalPaths are the GET routes that read nothing outside the task's own region: the only
// ones a check of the region's own health may call, such as the platform's region canaries (a
// test of the platform reads this list). ReadyPath is not one: its databaseWriter check reaches
// the writer, which lives in the primary region, so a secondary's /ready fails while the primary
// is down; nor are the item routes.
var RegionLocalPaths = []string{HealthPath, "/", RegionReadyPath}

// maxBodyBytes bounds a request body. The edge's WAF already blocks bodies over 8 KB.
const maxBodyBytes = 64 << 10

// Readiness runs the dependency checks; *readiness.Checker implements it.
type Readiness interface {
	Run(ctx context.Context) readiness.Report
}

// Items creates and reads items; *items.Service implements it.
type Items interface {
	Create(ctx context.Context, name string) (items.Item, error)
	Get(ctx context.Context, id string) (items.Found, error)
	Processing(ctx context.Context, id string) (items.Processing, error)
}

// Config is what the handler needs.
type Config struct {
	// Service and Region are reported by GET / and /ready.
	Service string
	Region  string
	// GlobalCluster is reported by GET /; informational.
	GlobalCluster string
	// Readiness checks every dependency (GET /ready); RegionReadiness only those of the task's
	// region, the reader endpoint of its own cluster and its table replica (GET /ready/region).
	Readiness       Readiness
	RegionReadiness Readiness
	Items           Items
	Logger          *slog.Logger
}

// New returns the service's HTTP handler.
func New(cfg Config) http.Handler {
	h := &handler{cfg: cfg}
	mux := http.NewServeMux()
	mux.HandleFunc("GET "+HealthPath, h.health)
	mux.HandleFunc("GET "+ReadyPath, func(w http.ResponseWriter, r *http.Request) { h.ready(w, r, cfg.Readiness) })
	mux.HandleFunc("GET "+RegionReadyPath, func(w http.ResponseWriter, r *http.Request) { h.ready(w, r, cfg.RegionReadiness) })
	mux.HandleFunc("GET /{$}", h.index)
	mux.HandleFunc("POST /items", h.createItem)
	mux.HandleFunc("GET /items/{id}", h.getItem)
	mux.HandleFunc("GET /items/{id}/processing", h.getProcessing)
	return logRequests(cfg.Logger, mux)
}

type handler struct{ cfg Config }

// health is the load balancers' liveness check. It touches no dependency: a database
// outage must not make every task fail its check and be replaced, which would turn a
// degraded region into an empty one.
func (h *handler) health(w http.ResponseWriter, _ *http.Request) {
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	_, _ = w.Write([]byte("ok"))
}

func (h *handler) index(w http.ResponseWriter, _ *http.Request) {
	writeJSON(w, http.StatusOK, map[string]string{
		"service": h.cfg.Service, "region": h.cfg.Region, "globalCluster": h.cfg.GlobalCluster,
	})
}

type readyResponse struct {
	Status string                 `json:"status"`
	Region string                 `json:"region"`
	Checks map[string]checkResult `json:"checks"`
}

type checkResult struct {
	OK        bool  `json:"ok"`
	LatencyMs int64 `json:"latencyMs"`
	// Error is "timeout" or "failed"; the cause, which names hosts and resources, is
	// logged rather than shown to whoever can reach the route.
	Error string `json:"error,omitempty"`
}

func (h *handler) ready(w http.ResponseWriter, r *http.Request, checks Readiness) {
	report := checks.Run(r.Context())
	resp := readyResponse{Status: "ok", Region: h.cfg.Region, Checks: make(map[string]checkResult, len(report.Checks))}
	var causes []slog.Attr
	for name, res := range report.Checks {
		c := checkResult{OK: res.OK, LatencyMs: res.Latency.Milliseconds()}
		switch {
		case res.TimedOut:
			c.Error = "timeout"
		case !res.OK:
			c.Error = "failed"
		}
		if !res.OK {
			causes = append(causes, slog.String(name, res.Err.Error()))
		}
		resp.Checks[name] = c
	}
	status := http.StatusOK
	if !report.OK {
		resp.Status, status = "degraded", http.StatusServiceUnavailable
		h.cfg.Logger.LogAttrs(r.Context(), slog.LevelWarn, "not ready",
			slog.Any("failed", report.Failed()), slog.Any("causes", slog.GroupValue(causes...)))
	}
	writeJSON(w, status, resp)
}

type itemResponse struct {
	ID        string          `json:"id"`
	Name      string          `json:"name"`
	WrittenIn string          `json:"writtenIn"`
	CreatedAt time.Time       `json:"createdAt"`
	Region    string          `json:"region"`
	FoundIn   map[string]bool `json:"foundIn,omitempty"`
}

func (h *handler) itemResponse(item items.Item) itemResponse {
	return itemResponse{ID: item.ID, Name: item.Name, WrittenIn: item.WrittenIn, CreatedAt: item.CreatedAt, Region: h.cfg.Region}
}

func (h *handler) createItem(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Name string `json:"name"`
	}
	dec := json.NewDecoder(http.MaxBytesReader(w, r.Body, maxBodyBytes))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		writeError(w, http.StatusBadRequest, `the body must be JSON such as {"name": "first"}: `+err.Error())
		return
	}
	item, err := h.cfg.Items.Create(r.Context(), req.Name)
	if err != nil {
		h.fail(w, r, err)
		return
	}
	w.Header().Set("Location", "/items/"+item.ID)
	writeJSON(w, http.StatusCreated, h.itemResponse(item))
}

func (h *handler) getItem(w http.ResponseWriter, r *http.Request) {
	found, err := h.cfg.Items.Get(r.Context(), r.PathValue("id"))
	if err != nil {
		h.fail(w, r, err)
		return
	}
	resp := h.itemResponse(found.Item)
	resp.FoundIn = found.FoundIn
	writeJSON(w, http.StatusOK, resp)
}

// getProcessing says whether a worker has processed the item's Item.Created event: 200 with
// the record once it has (in any region: the record replicates with the table), else 404.
func (h *handler) getProcessing(w http.ResponseWriter, r *http.Request) {
	p, err := h.cfg.Items.Processing(r.Context(), r.PathValue("id"))
	if errors.Is(err, items.ErrNotFound) {
		writeJSON(w, http.StatusNotFound, map[string]any{"processed": false, "region": h.cfg.Region})
		return
	}
	if err != nil {
		h.fail(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"processed": true, "region": h.cfg.Region, "processing": p})
}

// fail answers an error from the item service with the status it calls for. Store
// failures are 503: the request may succeed once the dependency is back.
func (h *handler) fail(w http.ResponseWriter, r *http.Request, err error) {
	var invalid *items.InvalidError
	var store *items.StoreError
	switch {
	case errors.As(err, &invalid):
		writeError(w, http.StatusBadRequest, invalid.Reason)
	case errors.Is(err, items.ErrNotFound):
		writeError(w, http.StatusNotFound, "no item with this id in this region (an item written elsewhere appears once replicated)")
	case errors.As(err, &store):
		h.cfg.Logger.ErrorContext(r.Context(), "store failed", "store", store.Store, "error", store.Err)
		// The detail stays in the log: it names hosts and tables.
		writeError(w, http.StatusServiceUnavailable, "the "+store.Store+" is unavailable; try again")
	default:
		h.cfg.Logger.ErrorContext(r.Context(), "request failed", "error", err)
		writeError(w, http.StatusInternalServerError, "internal error")
	}
}

func writeError(w http.ResponseWriter, status int, message string) {
	writeJSON(w, status, map[string]string{"error": message})
}

func writeJSON(w http.ResponseWriter, status int, body any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(body)
}

package server_test

import (
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/example/platform/api/internal/server"
)

// slowHandler tells when a request has started and answers once released.
type slowHandler struct {
	started chan struct{}
	release chan struct{}
}

func (h slowHandler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	h.started <- struct{}{}
	select {
	case <-h.release:
		_, _ = io.WriteString(w, "done")
	case <-r.Context().Done():
	}
}

func start(t *testing.T, h http.Handler, drain time.Duration) (addr string, stop context.CancelFunc, served <-chan error) {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(t.Context())
	errs := make(chan error, 1)
	go func() { errs <- server.Serve(ctx, server.New(h, slog.New(slog.DiscardHandler)), l, drain) }()
	return l.Addr().String(), cancel, errs
}

func get(addr string) <-chan string {
	out := make(chan string, 1)
	go func() {
		resp, err := http.Get("http://" + addr + "/")
		if err != nil {
			out <- "error: " + err.Error()
			return
		}
		defer resp.Body.Close()
		body, _ := io.ReadAll(resp.Body)
		out <- resp.Status + " " + string(body)
	}()
	return out
}

func TestServe_StopsAcceptingAndDrainsInFlightRequests(t *testing.T) {
	h := slowHandler{started: make(chan struct{}), release: make(chan struct{})}
	addr, sigterm, served := start(t, h, 5*time.Second)
	response := get(addr)
	<-h.started

	sigterm()
	// New connections are refused as soon as the shutdown begins.
	deadline := time.Now().Add(2 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", addr, 100*time.Millisecond)
		if err != nil {
			break
		}
		c.Close()
		if time.Now().After(deadline) {
			t.Fatal("the server still accepts connections after the shutdown began")
		}
		time.Sleep(10 * time.Millisecond)
	}
	select {
	case err := <-served:
		t.Fatalf("Serve returned (%v) while a request was in flight", err)
	case <-time.After(50 * time.Millisecond):
	}

	close(h.release)
	if got := <-response; got != "200 OK done" {
		t.Errorf("the in-flight request got %q, want 200 OK done", got)
	}
	select {
	case err := <-served:
		if err != nil {
			t.Errorf("Serve() = %v after a clean drain, want nil", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Serve did not return after the last request finished")
	}
}

func TestServe_CutsOffRequestsStillRunningAtTheDeadline(t *testing.T) {
	h := slowHandler{started: make(chan struct{}), release: make(chan struct{})}
	defer close(h.release)
	addr, sigterm, served := start(t, h, 100*time.Millisecond)
	response := get(addr)
	<-h.started

	begun := time.Now()
	sigterm()
	select {
	case err := <-served:
		if err == nil || !strings.Contains(err.Error(), "cut off") {
			t.Errorf("Serve() = %v, want an error saying requests were cut off", err)
		}
		if took := time.Since(begun); took > 2*time.Second {
			t.Errorf("Serve took %s to give up, want about the 100ms drain timeout", took)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Serve did not return at the drain deadline")
	}
	if got := <-response; !strings.HasPrefix(got, "error:") {
		t.Errorf("the cut-off request got %q, want a broken connection", got)
	}
}

func TestNew_OutlastsTheLoadBalancersIdleTimeout(t *testing.T) {
	// The ALB keeps idle connections 60 s by default; closing them first causes 502s.
	if srv := server.New(http.NotFoundHandler(), slog.New(slog.DiscardHandler)); srv.IdleTimeout <= 60*time.Second {
		t.Errorf("IdleTimeout = %s, want more than 60s", srv.IdleTimeout)
	}
}

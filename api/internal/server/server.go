// Package server runs the HTTP server until its context ends, then drains it: ECS
// stops a task with SIGTERM and kills it after the task's stopTimeout.
package server

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"time"
)

// New returns an http.Server with timeouts suited to sitting behind an ALB.
func New(handler http.Handler, logger *slog.Logger) *http.Server {
	return &http.Server{
		Handler:           handler,
		ReadHeaderTimeout: 5 * time.Second,
		ReadTimeout:       15 * time.Second,
		WriteTimeout:      30 * time.Second,
		// Longer than the ALB's idle timeout (60 s by default): if the server closed an
		// idle connection first, the ALB could send a request into the closing connection
		// and answer 502.
		IdleTimeout: 75 * time.Second,
		ErrorLog:    slog.NewLogLogger(logger.Handler(), slog.LevelWarn),
	}
}

// Serve serves on l until ctx is done, then stops accepting connections and gives
// in-flight requests up to drain to finish; requests still running then are cut off.
// It returns nil after a clean drain.
func Serve(ctx context.Context, srv *http.Server, l net.Listener, drain time.Duration) error {
	serveErr := make(chan error, 1)
	go func() { serveErr <- srv.Serve(l) }()

	select {
	case err := <-serveErr:
		return fmt.Errorf("serving on %s: %w", l.Addr(), err)
	case <-ctx.Done():
	}

	// The shutdown must outlive ctx, which is already done.
	shutdownCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), drain)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		closeErr := srv.Close()
		return fmt.Errorf("requests still running after %s were cut off: %w", drain, errors.Join(err, closeErr))
	}
	// Serve returns ErrServerClosed as soon as Shutdown begins.
	if err := <-serveErr; !errors.Is(err, http.ErrServerClosed) {
		return err
	}
	return nil
}

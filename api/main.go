// Command api is the service the platform's pipeline ships: a small HTTP API over the
// region's Aurora PostgreSQL endpoints and DynamoDB table replica, with a liveness
// route for the load balancers and a readiness route that checks each dependency.
// See README.md for its environment and routes.
package main

import (
	"context"
	"fmt"
	"log/slog"
	"net"
	"net/http"
	"os"
	"os/signal"
	"strconv"
	"syscall"
	"time"

	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
	"go.opentelemetry.io/contrib/instrumentation/github.com/aws/aws-sdk-go-v2/otelaws"
	"go.opentelemetry.io/contrib/instrumentation/net/http/otelhttp"

	"github.com/example/platform/api/internal/config"
	"github.com/example/platform/api/internal/dynamo"
	"github.com/example/platform/api/internal/globalwriter"
	"github.com/example/platform/api/internal/httpapi"
	"github.com/example/platform/api/internal/items"
	"github.com/example/platform/api/internal/postgres"
	"github.com/example/platform/api/internal/readiness"
	"github.com/example/platform/api/internal/secret"
	"github.com/example/platform/api/internal/server"
	"github.com/example/platform/api/internal/telemetry"
)

// secretMinRefresh is the least time between two fetches of the database secret after
// logins fail, however many connections fail at once.
const secretMinRefresh = 5 * time.Second

func main() {
	if err := run(); err != nil {
		slog.New(slog.NewJSONHandler(os.Stderr, nil)).Error("api stopped", "error", err.Error())
		os.Exit(1)
	}
}

func run() error {
	cfg, err := config.Load(os.LookupEnv)
	if err != nil {
		return err
	}
	logger := slog.New(slog.NewJSONHandler(os.Stdout, &slog.HandlerOptions{Level: cfg.LogLevel})).
		With("service", cfg.ServiceName, "region", cfg.Region)
	slog.SetDefault(logger)

	// ECS sends SIGTERM to stop a task; Ctrl-C stops a local run the same way.
	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGTERM, os.Interrupt)
	defer stop()
	// After the first signal, restore the default handling: a second one ends the process at once.
	go func() { <-ctx.Done(); stop() }()

	// The default credential chain: the task role in ECS, the usual profile or variables locally.
	awsCfg, err := awsconfig.LoadDefaultConfig(ctx, awsconfig.WithRegion(cfg.Region))
	if err != nil {
		return fmt.Errorf("loading the AWS SDK configuration: %w", err)
	}
	shutdownTelemetry, err := telemetry.Setup(ctx, cfg.OTLPEndpoint, cfg.Region)
	if err != nil {
		return fmt.Errorf("OTEL_EXPORTER_OTLP_ENDPOINT: %w", err)
	}
	defer func() {
		flush, cancel := context.WithTimeout(context.Background(), 3*time.Second)
		defer cancel()
		_ = shutdownTelemetry(flush)
	}()
	// A span for each AWS call, in the trace of the request or message that made it.
	otelaws.AppendMiddlewares(&awsCfg.APIOptions)
	creds := secret.NewCache(secret.FromSecretsManager(secretsmanager.NewFromConfig(awsCfg), cfg.SecretName), secretMinRefresh)
	writer := postgres.Endpoint{Host: cfg.WriterEndpoint.Host, Port: cfg.WriterEndpoint.Port}
	if writer.Host == "" {
		writer.Resolve = globalwriter.New(rds.NewFromConfig(awsCfg), cfg.GlobalCluster).Endpoint
	}
	db, err := postgres.Open(postgres.Options{
		Writer:      writer,
		Reader:      postgres.Endpoint{Host: cfg.ReaderEndpoint.Host, Port: cfg.ReaderEndpoint.Port},
		DBName:      cfg.DBName,
		Credentials: creds,
		EventSource: cfg.EventSource,
	})
	if err != nil {
		return err
	}
	defer db.Close()
	table := dynamo.New(dynamodb.NewFromConfig(awsCfg), cfg.TableName)
	svc := &items.Service{Database: db, Table: table, Region: cfg.Region, Processed: table}
	// The publisher and the worker stop with the process: on SIGTERM, or when serving fails.
	bgCtx, stopBackground := context.WithCancel(ctx)
	background := startBackground(bgCtx, cfg, awsCfg, db, table, svc, logger)
	defer func() { stopBackground(); background.Wait() }()

	handler := httpapi.New(httpapi.Config{
		Service:       cfg.ServiceName,
		Region:        cfg.Region,
		GlobalCluster: cfg.GlobalCluster,
		Readiness: readiness.New(cfg.ReadyTimeout, map[string]readiness.Check{
			"databaseReader": db.CheckReader,
			"databaseWriter": db.CheckWriter,
			"table":          table.Check,
		}),
		// The writer is left out: it lives in the primary region.
		RegionReadiness: readiness.New(cfg.ReadyTimeout, map[string]readiness.Check{
			"databaseReader": db.CheckReader,
			"table":          table.Check,
		}),
		Items:  svc,
		Logger: logger,
	})

	l, err := net.Listen("tcp", net.JoinHostPort("", strconv.Itoa(cfg.Port)))
	if err != nil {
		return fmt.Errorf("listening on port %d (PORT): %w", cfg.Port, err)
	}
	logger.Info("serving", "port", cfg.Port, "writer", cfg.WriterEndpoint.String(), "reader", cfg.ReaderEndpoint.String(),
		"table", cfg.TableName, "globalCluster", cfg.GlobalCluster)
	traced := otelhttp.NewHandler(handler, "http.server", otelhttp.WithFilter(func(r *http.Request) bool {
		return r.URL.Path != httpapi.HealthPath // the load balancers' checks would crowd out the rest
	}))
	if err := server.Serve(ctx, server.New(traced, logger), l, cfg.ShutdownTimeout); err != nil {
		return err
	}
	logger.Info("stopped after draining requests")
	return nil
}

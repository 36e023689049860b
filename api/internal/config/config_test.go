package config_test

import (
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"

	"github.com/example/platform/api/internal/config"
)

// env is a minimal valid environment, as the ECS task definition provides it.
func env(overrides map[string]string) func(string) (string, bool) {
	vars := map[string]string{
		"AWS_REGION":         "eu-west-1",
		"DB_WRITER_ENDPOINT": "acme-prod.global-abc123.global.rds.amazonaws.com",
		"DB_READER_ENDPOINT": "acme-prod-eu-west-1.cluster-ro-xyz.eu-west-1.rds.amazonaws.com",
		"DB_SECRET_NAME":     "acme/prod/database",
		"TABLE_NAME":         "acme-prod-main",
	}
	for k, v := range overrides {
		if v == "" {
			delete(vars, k)
		} else {
			vars[k] = v
		}
	}
	return func(name string) (string, bool) {
		v, ok := vars[name]
		return v, ok
	}
}

func TestLoad_AppliesDefaultsToOptionalVariables(t *testing.T) {
	cfg, err := config.Load(env(nil))
	if err != nil {
		t.Fatal(err)
	}
	want := config.Config{
		Port:            8080,
		Region:          "eu-west-1",
		ServiceName:     "api",
		WriterEndpoint:  config.Endpoint{Host: "acme-prod.global-abc123.global.rds.amazonaws.com"},
		ReaderEndpoint:  config.Endpoint{Host: "acme-prod-eu-west-1.cluster-ro-xyz.eu-west-1.rds.amazonaws.com"},
		SecretName:      "acme/prod/database",
		TableName:       "acme-prod-main",
		ReadyTimeout:    2 * time.Second,
		ShutdownTimeout: 25 * time.Second,
		LogLevel:        slog.LevelInfo,
	}
	if cfg != want {
		t.Errorf("Load() =\n%+v\nwant\n%+v", cfg, want)
	}
}

func TestLoad_ReadsOptionalVariables(t *testing.T) {
	cfg, err := config.Load(env(map[string]string{
		"PORT": "9000", "OTEL_SERVICE_NAME": "orders", "DB_NAME": "app", "DB_GLOBAL_CLUSTER": "acme-prod",
		"DB_READER_ENDPOINT": "localhost:15433", "READY_TIMEOUT": "500ms", "SHUTDOWN_TIMEOUT": "10s", "LOG_LEVEL": "debug",
	}))
	if err != nil {
		t.Fatal(err)
	}
	if cfg.Port != 9000 || cfg.ServiceName != "orders" || cfg.DBName != "app" || cfg.GlobalCluster != "acme-prod" ||
		cfg.ReadyTimeout != 500*time.Millisecond || cfg.ShutdownTimeout != 10*time.Second || cfg.LogLevel != slog.LevelDebug {
		t.Errorf("Load() = %+v", cfg)
	}
	if want := (config.Endpoint{Host: "localhost", Port: 15433}); cfg.ReaderEndpoint != want {
		t.Errorf("ReaderEndpoint = %+v, want %+v", cfg.ReaderEndpoint, want)
	}
}

func TestLoad_NamesEveryMissingRequiredVariable(t *testing.T) {
	_, err := config.Load(func(string) (string, bool) { return "", false })
	var cfgErr *config.Error
	if !errors.As(err, &cfgErr) {
		t.Fatalf("Load() error = %v, want a *config.Error", err)
	}
	// DB_GLOBAL_CLUSTER stands for the writer: the service looks its endpoint up unless
	// DB_WRITER_ENDPOINT names one.
	required := []string{"AWS_REGION", "DB_GLOBAL_CLUSTER", "DB_READER_ENDPOINT", "DB_SECRET_NAME", "TABLE_NAME"}
	if len(cfgErr.Problems) != len(required) {
		t.Errorf("got %d problems, want %d: %v", len(cfgErr.Problems), len(required), cfgErr.Problems)
	}
	for _, name := range required {
		if !strings.Contains(err.Error(), name+": required") && !strings.Contains(err.Error(), name+": required unless") {
			t.Errorf("error does not say %s is required:\n%v", name, err)
		}
	}
}

func TestLoad_RejectsInvalidValuesNamingTheVariable(t *testing.T) {
	for _, tc := range []struct{ name, value, says string }{
		{"PORT", "http", "not a TCP port"},
		{"PORT", "70000", "not a TCP port"},
		{"AWS_REGION", "   ", "required"},
		{"DB_WRITER_ENDPOINT", "postgres://db.example.com/app", "not a host name"},
		{"DB_READER_ENDPOINT", "db.example.com:0", "not a TCP port"},
		{"READY_TIMEOUT", "2", "not a positive duration"},
		{"SHUTDOWN_TIMEOUT", "-1s", "not a positive duration"},
		{"LOG_LEVEL", "loud", "not a log level"},
	} {
		t.Run(tc.name+"="+tc.value, func(t *testing.T) {
			_, err := config.Load(env(map[string]string{tc.name: tc.value}))
			if err == nil {
				t.Fatalf("Load() accepted %s=%q", tc.name, tc.value)
			}
			if !strings.Contains(err.Error(), tc.name+": ") || !strings.Contains(err.Error(), tc.says) {
				t.Errorf("error does not name %s and say %q:\n%v", tc.name, tc.says, err)
			}
		})
	}
}

// On the platform the task gets the global cluster's name, not its writer endpoint, which the
// service looks up; a local run may name an endpoint instead.
func TestLoad_TheWriterIsTheGlobalClustersUnlessAnEndpointIsGiven(t *testing.T) {
	base := map[string]string{"AWS_REGION": "eu-west-1", "DB_READER_ENDPOINT": "r.example.com", "DB_SECRET_NAME": "s", "TABLE_NAME": "t"}
	lookup := func(extra map[string]string) func(string) (string, bool) {
		return func(name string) (string, bool) {
			if v, ok := extra[name]; ok {
				return v, true
			}
			v, ok := base[name]
			return v, ok
		}
	}
	cfg, err := config.Load(lookup(map[string]string{"DB_GLOBAL_CLUSTER": "acme-prod"}))
	if err != nil || cfg.WriterEndpoint.Host != "" || cfg.GlobalCluster != "acme-prod" {
		t.Errorf("with DB_GLOBAL_CLUSTER only: %+v, %v; want no writer host and the global cluster", cfg, err)
	}
	cfg, err = config.Load(lookup(map[string]string{"DB_WRITER_ENDPOINT": "localhost:15432"}))
	if err != nil || cfg.WriterEndpoint != (config.Endpoint{Host: "localhost", Port: 15432}) {
		t.Errorf("with DB_WRITER_ENDPOINT only: %+v, %v", cfg, err)
	}
}

func TestLoad_TheEventTierAndTheWorker(t *testing.T) {
	base := map[string]string{"AWS_REGION": "eu-west-1", "DB_WRITER_ENDPOINT": "w", "DB_READER_ENDPOINT": "r", "DB_SECRET_NAME": "s", "TABLE_NAME": "t"}
	env := func(extra map[string]string) func(string) (string, bool) {
		return func(k string) (string, bool) {
			if v, ok := extra[k]; ok {
				return v, true
			}
			v, ok := base[k]
			return v, ok
		}
	}
	c, err := config.Load(env(map[string]string{"EVENT_BUS_NAME": "bus", "EVENT_SOURCE": "acme.api", "WORK_QUEUE_URL": "https://q"}))
	if err != nil || !c.Worker || c.EventBusName != "bus" || c.EventSource != "acme.api" {
		t.Errorf("Load() = %+v, %v; want the bus, the source and the worker on (a queue is set)", c, err)
	}
	if c, err := config.Load(env(map[string]string{"WORK_QUEUE_URL": "https://q", "WORKER": "off"})); err != nil || c.Worker {
		t.Errorf("WORKER=off: Worker = %v, %v", c.Worker, err)
	}
	for name, extra := range map[string]map[string]string{
		"WORKER":       {"WORKER": "on"},
		"EVENT_SOURCE": {"EVENT_BUS_NAME": "bus"},
	} {
		if _, err := config.Load(env(extra)); err == nil || !strings.Contains(err.Error(), name+":") {
			t.Errorf("Load(%v) = %v, want a problem naming %s", extra, err, name)
		}
	}
}

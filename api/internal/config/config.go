// Package config reads the service's settings from the environment the ECS task
// definition provides, and says which variable is wrong when one is.
package config

import (
	"fmt"
	"log/slog"
	"net"
	"regexp"
	"strconv"
	"strings"
	"time"
)

// Defaults for the optional variables.
const (
	// DefaultPort is unprivileged: the container runs as a non-root user, which cannot bind 80.
	DefaultPort        = 8080
	DefaultServiceName = "api"
	// DefaultReadyTimeout bounds each readiness check, so /ready answers in about this long
	// even when a dependency hangs.
	DefaultReadyTimeout = 2 * time.Second
	// DefaultShutdownTimeout leaves 5 s of ECS's default 30 s stopTimeout (SIGTERM, then
	// SIGKILL) for closing the database pools and flushing logs.
	DefaultShutdownTimeout = 25 * time.Second
)

// Config is the service's validated configuration.
type Config struct {
	// Port is the TCP port the HTTP server listens on (PORT).
	Port int
	// Region is the AWS region the task runs in (AWS_REGION, set by ECS).
	Region string
	// ServiceName names the service in logs (OTEL_SERVICE_NAME, default api).
	ServiceName string

	// WriterEndpoint is the writer endpoint (DB_WRITER_ENDPOINT): the platform sets it to a
	// regional cluster's own (footprint.globalDatabase off). Empty: the service looks up the
	// global writer endpoint, which follows the writer across regions after a switchover or
	// failover, from the global cluster (DB_GLOBAL_CLUSTER).
	WriterEndpoint Endpoint
	// ReaderEndpoint is this region's Aurora reader endpoint (DB_READER_ENDPOINT).
	ReaderEndpoint Endpoint
	// SecretName is the Secrets Manager secret holding the database credentials (DB_SECRET_NAME).
	SecretName string
	// DBName is the database to connect to (DB_NAME). Empty: the secret's dbname, else postgres.
	DBName string
	// GlobalCluster is the Aurora global cluster's identifier (DB_GLOBAL_CLUSTER), whose writer
	// endpoint the service looks up when DB_WRITER_ENDPOINT is not set.
	GlobalCluster string

	// TableName is the DynamoDB global table, whose replica in Region the service uses (TABLE_NAME).
	TableName string

	// EventBusName is this region's EventBridge bus (EVENT_BUS_NAME) and EventSource the source
	// the service's events carry (EVENT_SOURCE). With both, items are written with their
	// Item.Created event (the outbox) and the service publishes the outbox to the bus.
	EventBusName string
	EventSource  string
	// EventStreamName is this region's Kinesis stream (EVENT_STREAM_NAME): the publisher puts
	// each event there too, for the lake.
	EventStreamName string
	// OTLPEndpoint is the OpenTelemetry collector's OTLP/HTTP endpoint
	// (OTEL_EXPORTER_OTLP_ENDPOINT); empty: no traces or metrics are sent.
	OTLPEndpoint string
	// WorkQueueURL is this region's SQS work queue (WORK_QUEUE_URL).
	WorkQueueURL string
	// Worker runs the work queue's consumer in the process (WORKER: on or off; default on when
	// WORK_QUEUE_URL is set).
	Worker bool

	// ReadyTimeout bounds each readiness check (READY_TIMEOUT, a Go duration such as 2s).
	ReadyTimeout time.Duration
	// ShutdownTimeout is how long in-flight requests may run after SIGTERM (SHUTDOWN_TIMEOUT).
	ShutdownTimeout time.Duration
	// LogLevel is the lowest level logged (LOG_LEVEL: debug, info, warn or error; default info).
	LogLevel slog.Level
}

// Endpoint is a database host, with a port only when the variable names one
// (such as localhost:15432 through a tunnel); otherwise the secret's port applies.
type Endpoint struct {
	Host string
	Port int
}

func (e Endpoint) String() string {
	if e.Port == 0 {
		return e.Host
	}
	return net.JoinHostPort(e.Host, strconv.Itoa(e.Port))
}

// Error lists every variable that is missing or invalid, one per line.
type Error struct {
	Problems []string
}

func (e *Error) Error() string {
	return fmt.Sprintf("configuration: %d problem(s) in the environment:\n  %s", len(e.Problems), strings.Join(e.Problems, "\n  "))
}

// Load reads the configuration through lookup (os.LookupEnv in production).
func Load(lookup func(string) (string, bool)) (Config, error) {
	r := reader{lookup: lookup}
	c := Config{
		Port:            r.port("PORT", DefaultPort),
		Region:          r.required("AWS_REGION", "the task's AWS region; ECS sets it, locally export AWS_REGION=us-east-1"),
		ServiceName:     r.optional("OTEL_SERVICE_NAME", DefaultServiceName),
		WriterEndpoint:  r.optionalEndpoint("DB_WRITER_ENDPOINT"),
		ReaderEndpoint:  r.endpoint("DB_READER_ENDPOINT", "this region's Aurora reader endpoint"),
		SecretName:      r.required("DB_SECRET_NAME", "the Secrets Manager secret with the database username and password"),
		DBName:          r.optional("DB_NAME", ""),
		GlobalCluster:   r.optional("DB_GLOBAL_CLUSTER", ""),
		TableName:       r.required("TABLE_NAME", "the DynamoDB table's name"),
		ReadyTimeout:    r.duration("READY_TIMEOUT", DefaultReadyTimeout),
		ShutdownTimeout: r.duration("SHUTDOWN_TIMEOUT", DefaultShutdownTimeout),
		LogLevel:        r.logLevel("LOG_LEVEL"),
		EventBusName:    r.optional("EVENT_BUS_NAME", ""),
		EventSource:     r.optional("EVENT_SOURCE", ""),
		EventStreamName: r.optional("EVENT_STREAM_NAME", ""),
		WorkQueueURL:    r.optional("WORK_QUEUE_URL", ""),
		OTLPEndpoint:    r.optional("OTEL_EXPORTER_OTLP_ENDPOINT", ""),
	}
	c.Worker = r.onOff("WORKER", c.WorkQueueURL != "")
	if c.Worker && c.WorkQueueURL == "" {
		r.addf("WORKER", "is on but WORK_QUEUE_URL is not set: set the queue's URL, or WORKER=off")
	}
	if (c.EventBusName != "" || c.EventStreamName != "") && c.EventSource == "" {
		r.addf("EVENT_SOURCE", "required with EVENT_BUS_NAME or EVENT_STREAM_NAME: the source the service's events carry, such as acme.api")
	}
	if c.WriterEndpoint.Host == "" && c.GlobalCluster == "" {
		r.addf("DB_GLOBAL_CLUSTER", "required unless DB_WRITER_ENDPOINT is set: the Aurora global cluster whose writer endpoint the service looks up")
	}
	if len(r.problems) > 0 {
		return Config{}, &Error{Problems: r.problems}
	}
	return c, nil
}

// reader collects problems instead of stopping at the first, so one start shows them all.
type reader struct {
	lookup   func(string) (string, bool)
	problems []string
}

func (r *reader) addf(name, format string, args ...any) {
	r.problems = append(r.problems, name+": "+fmt.Sprintf(format, args...))
}

func (r *reader) get(name string) string {
	v, _ := r.lookup(name)
	return strings.TrimSpace(v)
}

func (r *reader) required(name, what string) string {
	v := r.get(name)
	if v == "" {
		r.addf(name, "required: %s", what)
	}
	return v
}

func (r *reader) optional(name, def string) string {
	if v := r.get(name); v != "" {
		return v
	}
	return def
}

func (r *reader) port(name string, def int) int {
	v := r.get(name)
	if v == "" {
		return def
	}
	p, err := strconv.Atoi(v)
	if err != nil || p < 1 || p > 65535 {
		r.addf(name, "%q is not a TCP port; use 1 to 65535", v)
	}
	return p
}

// hostPattern admits DNS names and IPv4 addresses: what Aurora endpoints and tunnels use.
var hostPattern = regexp.MustCompile(`^[A-Za-z0-9]([A-Za-z0-9.-]*[A-Za-z0-9])?$`)

func (r *reader) endpoint(name, what string) Endpoint {
	r.required(name, what)
	return r.optionalEndpoint(name)
}

func (r *reader) optionalEndpoint(name string) Endpoint {
	v := r.get(name)
	if v == "" {
		return Endpoint{}
	}
	notHost := func() Endpoint {
		r.addf(name, "%q is not a host name; give the endpoint's host (optionally host:port), without a scheme or path", v)
		return Endpoint{}
	}
	if strings.Contains(v, "/") {
		return notHost()
	}
	e := Endpoint{Host: v}
	if host, port, err := net.SplitHostPort(v); err == nil {
		p, perr := strconv.Atoi(port)
		if perr != nil || p < 1 || p > 65535 {
			r.addf(name, "%q: port %q is not a TCP port; use 1 to 65535", v, port)
			return Endpoint{}
		}
		e = Endpoint{Host: host, Port: p}
	}
	if !hostPattern.MatchString(e.Host) {
		return notHost()
	}
	return e
}

func (r *reader) duration(name string, def time.Duration) time.Duration {
	v := r.get(name)
	if v == "" {
		return def
	}
	d, err := time.ParseDuration(v)
	if err != nil || d <= 0 {
		r.addf(name, "%q is not a positive duration; write one such as 2s or 500ms", v)
	}
	return d
}

func (r *reader) onOff(name string, def bool) bool {
	switch v := strings.ToLower(r.get(name)); v {
	case "":
		return def
	case "on", "true", "1":
		return true
	case "off", "false", "0":
		return false
	default:
		r.addf(name, "%q is neither on nor off", v)
		return def
	}
}

func (r *reader) logLevel(name string) slog.Level {
	v := r.get(name)
	if v == "" {
		return slog.LevelInfo
	}
	var l slog.Level
	if err := l.UnmarshalText([]byte(v)); err != nil {
		r.addf(name, "%q is not a log level; use debug, info, warn or error", v)
	}
	return l
}

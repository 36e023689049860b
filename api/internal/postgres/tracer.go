package postgres

import (
	"context"

	"github.com/jackc/pgx/v5"
	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/trace"
)

// tracer makes a client span of each statement (pgx's QueryTracer), named after its first
// word, with the statement's text; arguments are never recorded.
type tracer struct{ endpoint string }

func (t tracer) TraceQueryStart(ctx context.Context, _ *pgx.Conn, data pgx.TraceQueryStartData) context.Context {
	op := data.SQL
	for i, r := range op {
		if r == ' ' || r == '\n' || r == '\t' {
			op = op[:i]
			break
		}
	}
	ctx, _ = otel.Tracer("github.com/example/platform/api/internal/postgres").Start(ctx, "postgresql "+op,
		trace.WithSpanKind(trace.SpanKindClient),
		trace.WithAttributes(attribute.String("db.system", "postgresql"), attribute.String("db.query.text", data.SQL),
			attribute.String("server.address", t.endpoint)))
	return ctx
}

func (t tracer) TraceQueryEnd(ctx context.Context, _ *pgx.Conn, data pgx.TraceQueryEndData) {
	span := trace.SpanFromContext(ctx)
	if data.Err != nil {
		span.RecordError(data.Err)
		span.SetStatus(codes.Error, data.Err.Error())
	}
	span.End()
}

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"log/slog"
	"strings"
	"testing"
	"time"
)

// lagSequence answers OutboxLag from a list: a lag, or an error where the writer is unreachable.
type lagSequence struct {
	answers []error
	lag     time.Duration
	i       int
}

func (s *lagSequence) OutboxLag(context.Context) (time.Duration, int64, error) {
	err := s.answers[s.i]
	s.i++
	if err != nil {
		return 0, 0, err
	}
	return s.lag, 3, nil
}

// The platform's outbox-lag alarm reads outboxLagSeconds from the log and treats a minute without
// it as not breaching: while the writer cannot be read, the lag the service logs must keep
// growing, or the alarm would go quiet exactly when the writer is gone.
func TestLagReport_AnUnreadableWriterReportsALagThatGrowsWithTheTimeSinceTheLastRead(t *testing.T) {
	var out bytes.Buffer
	logger := slog.New(slog.NewJSONHandler(&out, nil))
	down := errors.New("connection refused")
	db := &lagSequence{answers: []error{nil, down, down}, lag: 20 * time.Second}
	var l lagReport
	start := time.Date(2026, 12, 4, 3, 0, 0, 0, time.UTC)
	for i := range 3 {
		l.report(context.Background(), db, logger, start.Add(time.Duration(i)*time.Minute))
	}
	var got []float64
	for _, line := range strings.Split(strings.TrimSpace(out.String()), "\n") {
		var entry map[string]any
		if err := json.Unmarshal([]byte(line), &entry); err != nil {
			t.Fatalf("log line %q: %v", line, err)
		}
		lag, ok := entry["outboxLagSeconds"].(float64)
		if !ok {
			t.Fatalf("log line %q has no outboxLagSeconds: the alarm's metric filter would get no data", line)
		}
		got = append(got, lag)
	}
	want := []float64{20, 80, 140}
	if len(got) != len(want) || got[0] != want[0] || got[1] != want[1] || got[2] != want[2] {
		t.Errorf("logged lags %v, want %v (the last lag read, then growing a minute a minute)", got, want)
	}
}

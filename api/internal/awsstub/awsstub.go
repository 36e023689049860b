// Package awsstub is a local stand-in for the AWS APIs the service calls (EventBridge
// PutEvents, Kinesis PutRecords, SQS and DynamoDB's item calls), for tests that drive the
// SDK's own clients against it. It records every request, and injects throttling and
// per-entry failures. Its SQS queue models visibility timeouts and a redrive policy: a
// message received MaxReceiveCount times and not deleted moves to the dead-letter queue.
package awsstub

import (
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
)

// Request is one call the stub received.
type Request struct {
	Target string // e.g. AWSEvents.PutEvents
	Body   []byte
}

// Stub is the stand-in server. Its fields are read and set under Lock.
type Stub struct {
	srv *httptest.Server
	mu  sync.Mutex

	requests []Request
	// Throttle makes the next Throttle calls of any operation fail whole with a throttling error.
	Throttle int
	// FailEntry, when set, decides per PutEvents entry or PutRecords record (by its position in
	// the call and the call's number) whether it fails and with which code; "" accepts it.
	FailEntry func(target string, call, index int, body json.RawMessage) string

	// RouteToQueue delivers each accepted PutEvents entry to the work queue in EventBridge's
	// envelope, as the platform's rule does.
	RouteToQueue bool

	// Events are the PutEvents entries accepted, Records the PutRecords data accepted.
	Events  []json.RawMessage
	Records [][]byte

	queue *queue
	items map[string]map[string]any
	calls map[string]int
}

// New starts a stub; it stops with the test.
func New(t interface{ Cleanup(func()) }) *Stub {
	s := &Stub{queue: newQueue(), items: map[string]map[string]any{}, calls: map[string]int{}}
	s.srv = httptest.NewServer(http.HandlerFunc(s.serve))
	t.Cleanup(s.srv.Close)
	return s
}

// Config is an SDK configuration that reaches the stub, with no retries of the SDK's own so
// that the code under test sees every failure.
func (s *Stub) Config() aws.Config {
	return aws.Config{
		Region:       "eu-west-1",
		BaseEndpoint: aws.String(s.srv.URL),
		Credentials:  credentials.NewStaticCredentialsProvider("AKID", "SECRET", ""),
		Retryer:      func() aws.Retryer { return aws.NopRetryer{} },
	}
}

// Lock runs fn with the stub's state locked.
func (s *Stub) Lock(fn func(s *Stub)) {
	s.mu.Lock()
	defer s.mu.Unlock()
	fn(s)
}

// Requests returns the calls made to target so far.
func (s *Stub) Requests(target string) []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	var out []Request
	for _, r := range s.requests {
		if r.Target == target {
			out = append(out, r)
		}
	}
	return out
}

func (s *Stub) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	target := r.Header.Get("X-Amz-Target")
	s.mu.Lock()
	locked := true
	defer func() {
		if locked {
			s.mu.Unlock()
		}
	}()
	s.requests = append(s.requests, Request{Target: target, Body: body})
	s.calls[target]++
	contentType := "application/x-amz-json-1.1"
	if strings.HasPrefix(target, "AmazonSQS.") || strings.HasPrefix(target, "DynamoDB_") {
		contentType = "application/x-amz-json-1.0"
	}
	w.Header().Set("Content-Type", contentType)
	if s.Throttle > 0 {
		s.Throttle--
		code := "ThrottlingException"
		if strings.HasPrefix(target, "Kinesis_") {
			code = "ProvisionedThroughputExceededException"
		}
		writeError(w, http.StatusBadRequest, code, "Rate exceeded")
		return
	}
	var out any
	var err *apiError
	switch target {
	case "AWSEvents.PutEvents":
		out, err = s.putEvents(body)
	case "Kinesis_20131202.PutRecords":
		out, err = s.putRecords(body)
	case "AmazonSQS.ReceiveMessage":
		// A long poll waits without holding the stub.
		s.mu.Unlock()
		locked = false
		out, err = s.queue.receive(body)
	case "AmazonSQS.DeleteMessage":
		out, err = s.queue.delete(body)
	case "AmazonSQS.ChangeMessageVisibility":
		out, err = s.queue.changeVisibility(body)
	case "AmazonSQS.SendMessage":
		out, err = s.queue.send(body)
	case "DynamoDB_20120810.PutItem":
		out, err = s.putItem(body)
	case "DynamoDB_20120810.GetItem":
		out, err = s.getItem(body)
	default:
		err = &apiError{http.StatusBadRequest, "UnknownOperationException", "the stub does not serve " + target}
	}
	if err != nil {
		writeError(w, err.status, err.code, err.message)
		return
	}
	_ = json.NewEncoder(w).Encode(out)
}

type apiError struct {
	status        int
	code, message string
}

func badRequest(format string, args ...any) *apiError {
	return &apiError{http.StatusBadRequest, "ValidationException", fmt.Sprintf(format, args...)}
}

func writeError(w http.ResponseWriter, status int, code, message string) {
	w.Header().Set("X-Amzn-Query-Error", code+";Sender")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]string{"__type": code, "message": message})
}

func (s *Stub) putEvents(body []byte) (any, *apiError) {
	var in struct{ Entries []json.RawMessage }
	if err := json.Unmarshal(body, &in); err != nil {
		return nil, badRequest("%v", err)
	}
	if len(in.Entries) > 10 {
		return nil, badRequest("%d entries; PutEvents takes at most 10", len(in.Entries))
	}
	if len(body) > 256*1024+1024 {
		return nil, badRequest("the request's entries total more than 256 KB")
	}
	type entry struct {
		EventId, ErrorCode, ErrorMessage string `json:",omitempty"`
	}
	out := struct {
		FailedEntryCount int
		Entries          []entry
	}{}
	for i, e := range in.Entries {
		if code := s.failEntry("AWSEvents.PutEvents", i, e); code != "" {
			out.FailedEntryCount++
			out.Entries = append(out.Entries, entry{ErrorCode: code, ErrorMessage: "injected"})
			continue
		}
		s.Events = append(s.Events, e)
		id := fmt.Sprintf("eb-%d", len(s.Events))
		out.Entries = append(out.Entries, entry{EventId: id})
		if s.RouteToQueue {
			s.routeToQueue(id, e)
		}
	}
	return out, nil
}

func (s *Stub) failEntry(target string, i int, e json.RawMessage) string {
	if s.FailEntry == nil {
		return ""
	}
	return s.FailEntry(target, s.calls[target], i, e)
}

func (s *Stub) putRecords(body []byte) (any, *apiError) {
	var in struct {
		Records []struct {
			Data         []byte
			PartitionKey string
		}
	}
	if err := json.Unmarshal(body, &in); err != nil {
		return nil, badRequest("%v", err)
	}
	if len(in.Records) > 500 {
		return nil, badRequest("%d records; PutRecords takes at most 500", len(in.Records))
	}
	type record struct {
		SequenceNumber, ShardId, ErrorCode, ErrorMessage string `json:",omitempty"`
	}
	out := struct {
		FailedRecordCount int
		Records           []record
	}{}
	for i, r := range in.Records {
		if code := s.failEntry("Kinesis_20131202.PutRecords", i, r.Data); code != "" {
			out.FailedRecordCount++
			out.Records = append(out.Records, record{ErrorCode: code, ErrorMessage: "injected"})
			continue
		}
		s.Records = append(s.Records, r.Data)
		out.Records = append(out.Records, record{SequenceNumber: fmt.Sprint(len(s.Records)), ShardId: "shardId-000000000000"})
	}
	return out, nil
}

// routeToQueue puts an accepted entry on the work queue as EventBridge delivers it.
func (s *Stub) routeToQueue(id string, raw json.RawMessage) {
	var e struct {
		Source, DetailType, Detail string
		Time                       float64
	}
	_ = json.Unmarshal(raw, &e)
	body, _ := json.Marshal(map[string]any{
		"version": "0", "id": id, "detail-type": e.DetailType, "source": e.Source, "account": "111111111111",
		"time": time.Unix(int64(e.Time), 0).UTC().Format(time.RFC3339), "region": "eu-west-1", "resources": []string{},
		"detail": json.RawMessage(e.Detail),
	})
	s.Enqueue(string(body))
}

package preflight

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
)

// reply is a recorded AWS response: a status, a body and, for REST JSON errors, the error type.
type reply struct {
	status    int
	body      string
	errorType string
}

// Recorded responses in each protocol's shape (the services' API references).
func ok(body string) reply { return reply{status: 200, body: body} }

// jsonError is an error of a JSON 1.0/1.1 protocol service (SSM, Config, KMS, ...).
func jsonError(code, message string) reply {
	return reply{status: 400, body: fmt.Sprintf(`{"__type":%q,"message":%q}`, code, message)}
}

// restError is an error of a REST JSON service (GuardDuty, Security Hub, Backup, Inspector).
func restError(status int, code, message string) reply {
	return reply{status: status, body: fmt.Sprintf(`{"message":%q}`, message), errorType: code}
}

// xmlError is an error of a query or REST XML service (CloudFormation, IAM, RDS, Route 53).
func xmlError(status int, code, message string) reply {
	return reply{status: status, body: fmt.Sprintf(`<ErrorResponse><Error><Type>Sender</Type><Code>%s</Code><Message>%s</Message></Error><RequestId>r</RequestId></ErrorResponse>`, code, message)}
}

// stub is a local AWS: it answers each operation with its recorded reply. An operation is
// named by its X-Amz-Target's last part (JSON protocols), its Action (query protocols) or
// "METHOD /path" (REST protocols, matched by prefix); an unexpected call fails the test.
type stub struct {
	t       *testing.T
	mu      sync.Mutex
	replies map[string]reply
	calls   []string
}

func newStub(t *testing.T, replies map[string]reply) *Inputs {
	s := &stub{t: t, replies: replies}
	server := httptest.NewServer(s)
	t.Cleanup(server.Close)
	return &Inputs{
		AWS: func(_ context.Context, account, region string) (aws.Config, error) {
			return aws.Config{
				Region:           region,
				Credentials:      credentials.NewStaticCredentialsProvider("AKIDSTUB", "stub-secret", ""),
				BaseEndpoint:     aws.String(server.URL),
				RetryMaxAttempts: 1,
			}, nil
		},
		Modes:    func(Service, string, string) Mode { return Create },
		Assembly: &Assembly{BootstrapVersion: 6},
	}
}

func (s *stub) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	op := r.Method + " " + r.URL.Path
	if target := r.Header.Get("X-Amz-Target"); target != "" {
		op = target[strings.LastIndex(target, ".")+1:]
	} else if form, err := url.ParseQuery(string(body)); err == nil && form.Get("Action") != "" {
		op = form.Get("Action")
	}
	s.mu.Lock()
	s.calls = append(s.calls, op)
	s.mu.Unlock()
	rep, found := s.replies[op]
	if !found {
		for key, candidate := range s.replies {
			if strings.Contains(key, " ") && strings.HasPrefix(op, key) {
				rep, found = candidate, true
			}
		}
	}
	if !found {
		s.t.Errorf("unexpected call %s", op)
		rep = reply{status: 500, body: `{}`}
	}
	if rep.errorType != "" {
		w.Header().Set("X-Amzn-ErrorType", rep.errorType)
	}
	if strings.HasPrefix(rep.body, "<") {
		w.Header().Set("Content-Type", "text/xml")
	} else {
		w.Header().Set("Content-Type", "application/json")
	}
	w.WriteHeader(rep.status)
	io.WriteString(w, rep.body)
}

// only is the one finding of check among findings.
func only(t *testing.T, findings []Finding, check string) Finding {
	t.Helper()
	var found []Finding
	for _, f := range findings {
		if f.Check == check {
			found = append(found, f)
		}
	}
	if len(found) != 1 {
		t.Fatalf("want one %q finding, got %+v", check, findings)
	}
	return found[0]
}

func expect(t *testing.T, f Finding, state State, detail string) {
	t.Helper()
	if f.State != state || !strings.Contains(f.Detail+" | "+f.Fix, detail) {
		t.Errorf("%s: got %s %q (fix %q); want %s mentioning %q", f.Check, f.State, f.Detail, f.Fix, state, detail)
	}
}

var target = Target{Account: "111111111111", Region: "eu-west-1"}

package main

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/example/platform/internal/preflight"
	"github.com/example/platform/lib/config"
	"github.com/example/platform/lib/plan"
)

const fixture = "test/testdata/two-environments.json"

// denyingAWS is a local AWS that refuses every call, in each protocol's error shape.
func denyingAWS(t *testing.T) *preflight.Inputs {
	server := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		message := "User: arn:aws:sts::111111111111:assumed-role/ReadOnly/op is not authorized to perform this operation"
		xml := strings.HasPrefix(r.Header.Get("Content-Type"), "application/x-www-form-urlencoded") || strings.HasPrefix(r.URL.Path, "/2013-04-01") || r.Method == http.MethodHead
		w.Header().Set("X-Amzn-ErrorType", "AccessDeniedException")
		w.WriteHeader(http.StatusForbidden)
		if xml {
			fmt.Fprintf(w, `<ErrorResponse><Error><Type>Sender</Type><Code>AccessDenied</Code><Message>%s</Message></Error></ErrorResponse>`, message)
		} else {
			fmt.Fprintf(w, `{"__type":"AccessDeniedException","message":%q}`, message)
		}
	}))
	t.Cleanup(server.Close)
	return &preflight.Inputs{AWS: func(_ context.Context, _, region string) (aws.Config, error) {
		return aws.Config{Region: region, BaseEndpoint: aws.String(server.URL), RetryMaxAttempts: 1,
			Credentials: credentials.NewStaticCredentialsProvider("AKIDSTUB", "stub-secret", "")}, nil
	}}
}

func TestPreflight_WithoutCredentialsSaysSoInOneLineAndFails(t *testing.T) {
	t.Chdir("../..")
	var stdout, stderr bytes.Buffer
	none := &preflight.Inputs{AWS: func(context.Context, string, string) (aws.Config, error) {
		return aws.Config{}, errors.New("no AWS credentials for account 333333333333")
	}}
	status := run(context.Background(), []string{"-config", fixture, "-assembly", "internal/preflight/testdata/assembly"}, &stdout, &stderr, none)
	if status != 1 || stdout.Len() != 0 || strings.Count(stderr.String(), "\n") != 1 || !strings.Contains(stderr.String(), "no AWS credentials") {
		t.Errorf("status %d, stdout %q, stderr %q; want 1, nothing, one line saying there are no credentials", status, stdout.String(), stderr.String())
	}
}

func TestPreflight_AccessDeniedEverywhereIsCouldNotCheckInEveryAccountRegion(t *testing.T) {
	t.Chdir("../..")
	var stdout, stderr bytes.Buffer
	status := run(context.Background(), []string{"-config", fixture, "-assembly", "internal/preflight/testdata/assembly"}, &stdout, &stderr, denyingAWS(t))
	if status != 0 {
		t.Errorf("status %d (stderr %q); what could not be checked does not block", status, stderr.String())
	}
	platform, err := config.Load(fixture)
	if err != nil {
		t.Fatal(err)
	}
	for _, ar := range plan.New(platform).AccountRegions {
		if header := fmt.Sprintf("== account %s, %s\n", ar.Account, ar.Region); !strings.Contains(stdout.String(), header) {
			t.Errorf("no table for %s %s in\n%s", ar.Account, ar.Region, stdout.String())
		}
	}
	for _, line := range strings.Split(stdout.String(), "\n") {
		if strings.Contains(line, "could not check") && !strings.Contains(line, "needs ") {
			t.Errorf("a check that could not run names no permission: %s", line)
		}
	}
}

func TestPreflight_JSONListsTheFindings(t *testing.T) {
	t.Chdir("../..")
	var stdout, stderr bytes.Buffer
	run(context.Background(), []string{"-config", fixture, "-assembly", "internal/preflight/testdata/assembly", "-json"}, &stdout, &stderr, denyingAWS(t))
	var report struct {
		Blocks   bool
		Findings []preflight.Finding
	}
	if err := json.Unmarshal(stdout.Bytes(), &report); err != nil || len(report.Findings) == 0 || report.Blocks {
		t.Errorf("JSON %v: %d findings, blocks %v; want findings and no block\n%s", err, len(report.Findings), report.Blocks, stdout.String())
	}
}

package globalwriter_test

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/rds"
	"github.com/aws/aws-sdk-go-v2/service/rds/types"

	"github.com/example/platform/api/internal/globalwriter"
)

type fakeRDS struct {
	calls    int
	fail     error
	endpoint *string
	asked    string
}

func (f *fakeRDS) DescribeGlobalClusters(_ context.Context, in *rds.DescribeGlobalClustersInput, _ ...func(*rds.Options)) (*rds.DescribeGlobalClustersOutput, error) {
	f.calls++
	f.asked = *in.GlobalClusterIdentifier
	if f.fail != nil {
		return nil, f.fail
	}
	return &rds.DescribeGlobalClustersOutput{GlobalClusters: []types.GlobalCluster{{Endpoint: f.endpoint}}}, nil
}

func TestResolver_AsksForTheNamedGlobalClusterOnceAndKeepsTheEndpoint(t *testing.T) {
	endpoint := "acme-prod.global-abc123.global.rds.amazonaws.com"
	api := &fakeRDS{endpoint: &endpoint}
	r := globalwriter.New(api, "acme-prod")
	for range 3 {
		got, err := r.Endpoint(context.Background())
		if err != nil || got != endpoint {
			t.Fatalf("Endpoint() = %q, %v; want %q", got, err, endpoint)
		}
	}
	if api.calls != 1 || api.asked != "acme-prod" {
		t.Errorf("asked RDS %d times for %q, want once for acme-prod", api.calls, api.asked)
	}
}

func TestResolver_TriesAgainAfterAFailedLookup(t *testing.T) {
	endpoint := "acme-prod.global-abc123.global.rds.amazonaws.com"
	api := &fakeRDS{fail: errors.New("throttled"), endpoint: &endpoint}
	r := globalwriter.New(api, "acme-prod")
	if _, err := r.Endpoint(context.Background()); err == nil || !strings.Contains(err.Error(), "DB_GLOBAL_CLUSTER") {
		t.Fatalf("a failed lookup returned %v, want an error naming DB_GLOBAL_CLUSTER", err)
	}
	api.fail = nil
	if got, err := r.Endpoint(context.Background()); err != nil || got != endpoint {
		t.Fatalf("after RDS recovered, Endpoint() = %q, %v", got, err)
	}
}

func TestResolver_SaysWhenTheClusterHasNoWriterEndpoint(t *testing.T) {
	r := globalwriter.New(&fakeRDS{}, "acme-prod")
	if _, err := r.Endpoint(context.Background()); err == nil || !strings.Contains(err.Error(), "no writer endpoint") {
		t.Fatalf("Endpoint() error = %v, want one saying there is no writer endpoint", err)
	}
}

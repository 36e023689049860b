// Package globalwriter finds the Aurora global database's writer endpoint: the one name that
// always reaches the writer instance of the current primary cluster, in whichever region a
// switchover or failover put it. CloudFormation cannot hand it to the task (the endpoint's name
// carries a part Aurora generates), so the service asks RDS for it, once, and keeps it: the
// endpoint's name never changes, only where it points.
package globalwriter

import (
	"context"
	"fmt"
	"sync"

	"github.com/aws/aws-sdk-go-v2/service/rds"
)

// API is the part of the RDS client the resolver uses.
type API interface {
	DescribeGlobalClusters(ctx context.Context, in *rds.DescribeGlobalClustersInput, opts ...func(*rds.Options)) (*rds.DescribeGlobalClustersOutput, error)
}

// Resolver looks the endpoint up on first use and caches it; a failed lookup is tried again on
// the next use.
type Resolver struct {
	api           API
	globalCluster string

	mu       sync.Mutex
	endpoint string
}

// New returns a resolver for the global cluster named globalCluster.
func New(api API, globalCluster string) *Resolver {
	return &Resolver{api: api, globalCluster: globalCluster}
}

// Endpoint returns the global writer endpoint's host name.
func (r *Resolver) Endpoint(ctx context.Context) (string, error) {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.endpoint != "" {
		return r.endpoint, nil
	}
	out, err := r.api.DescribeGlobalClusters(ctx, &rds.DescribeGlobalClustersInput{GlobalClusterIdentifier: &r.globalCluster})
	if err != nil {
		return "", fmt.Errorf("looking up global cluster %s (DB_GLOBAL_CLUSTER) for its writer endpoint: %w", r.globalCluster, err)
	}
	if len(out.GlobalClusters) != 1 || out.GlobalClusters[0].Endpoint == nil || *out.GlobalClusters[0].Endpoint == "" {
		return "", fmt.Errorf("global cluster %s (DB_GLOBAL_CLUSTER) has no writer endpoint: is it an Aurora global database, and does it have a primary cluster?", r.globalCluster)
	}
	r.endpoint = *out.GlobalClusters[0].Endpoint
	return r.endpoint, nil
}

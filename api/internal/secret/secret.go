// Package secret fetches the database credentials from Secrets Manager and caches
// them until a failed login says they have been rotated.
package secret

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"
)

// Credentials are the fields of an RDS database secret that a client needs.
type Credentials struct {
	Username string
	Password string
	// Port is 0 when the secret has none.
	Port int
	// DBName is empty when the secret has none.
	DBName string
}

// Parse reads an RDS-style secret: JSON with username and password, and optionally
// port (a number or a string) and dbname. Other fields (host, engine, ...) are ignored.
func Parse(secretString string) (Credentials, error) {
	var raw struct {
		Username string          `json:"username"`
		Password string          `json:"password"`
		Port     json.RawMessage `json:"port"`
		DBName   string          `json:"dbname"`
	}
	if err := json.Unmarshal([]byte(secretString), &raw); err != nil {
		// The error text may quote the secret; say where it failed, not what it holds.
		return Credentials{}, errors.New("the secret is not a JSON object; store {\"username\": ..., \"password\": ...}")
	}
	if raw.Username == "" || raw.Password == "" {
		return Credentials{}, errors.New("the secret lacks username or password; store {\"username\": ..., \"password\": ...}")
	}
	port, err := parsePort(raw.Port)
	if err != nil {
		return Credentials{}, err
	}
	return Credentials{Username: raw.Username, Password: raw.Password, Port: port, DBName: raw.DBName}, nil
}

func parsePort(raw json.RawMessage) (int, error) {
	if len(raw) == 0 || string(raw) == "null" {
		return 0, nil
	}
	var s string
	if json.Unmarshal(raw, &s) != nil {
		s = string(raw)
	}
	p, err := strconv.Atoi(s)
	if err != nil || p < 1 || p > 65535 {
		return 0, fmt.Errorf("the secret's port %s is not a TCP port; store a number from 1 to 65535 or leave it out", raw)
	}
	return p, nil
}

// Fetcher retrieves the current credentials.
type Fetcher func(ctx context.Context) (Credentials, error)

// GetSecretValueAPI is the part of the Secrets Manager client FromSecretsManager uses.
type GetSecretValueAPI interface {
	GetSecretValue(ctx context.Context, in *secretsmanager.GetSecretValueInput, opts ...func(*secretsmanager.Options)) (*secretsmanager.GetSecretValueOutput, error)
}

// FromSecretsManager fetches the AWSCURRENT version of the secret name (or ARN).
func FromSecretsManager(client GetSecretValueAPI, name string) Fetcher {
	return func(ctx context.Context) (Credentials, error) {
		out, err := client.GetSecretValue(ctx, &secretsmanager.GetSecretValueInput{SecretId: aws.String(name)})
		if err != nil {
			return Credentials{}, fmt.Errorf("reading secret %s (the task role needs secretsmanager:GetSecretValue on it and kms:Decrypt on its key): %w", name, err)
		}
		if out.SecretString == nil {
			return Credentials{}, fmt.Errorf("secret %s has no string value; store the credentials as JSON text", name)
		}
		c, err := Parse(*out.SecretString)
		if err != nil {
			return Credentials{}, fmt.Errorf("secret %s: %w", name, err)
		}
		return c, nil
	}
}

// Cache holds the credentials from one successful fetch until Invalidate is called.
// Callers invalidate when the database rejects a login, which is how a rotation
// (every 30 days) shows up; the next Get fetches again.
type Cache struct {
	fetch Fetcher
	// minRefresh is the least time between two fetches after an invalidation: when
	// many connections fail at once, or the secret is in the middle of a rotation,
	// this keeps them from all calling Secrets Manager.
	minRefresh time.Duration
	now        func() time.Time

	// sem serializes fetches (so concurrent callers share one) and, unlike a mutex,
	// lets a waiting caller give up when its context ends.
	sem chan struct{}

	mu        sync.Mutex
	creds     Credentials
	have      bool
	stale     bool
	fetchedAt time.Time
}

// NewCache returns a cache that fetches with fetch, at most once per minRefresh after
// an invalidation.
func NewCache(fetch Fetcher, minRefresh time.Duration) *Cache {
	return &Cache{fetch: fetch, minRefresh: minRefresh, now: time.Now, sem: make(chan struct{}, 1)}
}

// Get returns the cached credentials, fetching them when there are none yet or when
// they were invalidated at least minRefresh after the last fetch.
func (c *Cache) Get(ctx context.Context) (Credentials, error) {
	if creds, ok := c.cached(); ok {
		return creds, nil
	}
	select {
	case c.sem <- struct{}{}:
		defer func() { <-c.sem }()
	case <-ctx.Done():
		return Credentials{}, fmt.Errorf("waiting for database credentials: %w", ctx.Err())
	}
	// Another caller may have fetched while this one waited.
	if creds, ok := c.cached(); ok {
		return creds, nil
	}
	creds, err := c.fetch(ctx)
	if err != nil {
		return Credentials{}, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.creds, c.have, c.stale, c.fetchedAt = creds, true, false, c.now()
	return creds, nil
}

// cached reports the cached credentials and whether they may be used without a fetch.
func (c *Cache) cached() (Credentials, bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if !c.have {
		return Credentials{}, false
	}
	if c.stale && c.now().Sub(c.fetchedAt) >= c.minRefresh {
		return Credentials{}, false
	}
	return c.creds, true
}

// Invalidate marks the credentials as rejected, so that the next Get fetches them again.
func (c *Cache) Invalidate() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.stale = true
}

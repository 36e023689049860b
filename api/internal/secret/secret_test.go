package secret_test

import (
	"context"
	"errors"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/secretsmanager"

	"github.com/example/platform/api/internal/secret"
)

func TestParse_ReadsAnRDSSecret(t *testing.T) {
	for _, tc := range []struct {
		name, json string
		want       secret.Credentials
	}{
		{"port as number", `{"engine":"postgres","host":"h","username":"admin","password":"p@ss","port":5432,"dbname":"app"}`,
			secret.Credentials{Username: "admin", Password: "p@ss", Port: 5432, DBName: "app"}},
		{"port as string", `{"username":"admin","password":"p","port":"6432"}`,
			secret.Credentials{Username: "admin", Password: "p", Port: 6432}},
		{"no port or dbname", `{"username":"admin","password":"p"}`,
			secret.Credentials{Username: "admin", Password: "p"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := secret.Parse(tc.json)
			if err != nil {
				t.Fatal(err)
			}
			if got != tc.want {
				t.Errorf("Parse() = %+v, want %+v", got, tc.want)
			}
		})
	}
}

func TestParse_RejectsIncompleteSecretsWithoutQuotingThem(t *testing.T) {
	for _, s := range []string{`not json hunter2`, `{"username":"admin"}`, `{"password":"hunter2"}`, `{"username":"a","password":"hunter2","port":"x"}`} {
		_, err := secret.Parse(s)
		if err == nil {
			t.Errorf("Parse(%q) succeeded", s)
			continue
		}
		if strings.Contains(err.Error(), "hunter2") {
			t.Errorf("Parse(%q) error quotes the password: %v", s, err)
		}
	}
}

type fakeSecretsManager struct {
	value *string
	err   error
	asked string
}

func (f *fakeSecretsManager) GetSecretValue(_ context.Context, in *secretsmanager.GetSecretValueInput, _ ...func(*secretsmanager.Options)) (*secretsmanager.GetSecretValueOutput, error) {
	f.asked = aws.ToString(in.SecretId)
	return &secretsmanager.GetSecretValueOutput{SecretString: f.value}, f.err
}

func TestFromSecretsManager_FetchesTheNamedSecret(t *testing.T) {
	sm := &fakeSecretsManager{value: aws.String(`{"username":"admin","password":"p"}`)}
	got, err := secret.FromSecretsManager(sm, "acme/prod/database")(t.Context())
	if err != nil {
		t.Fatal(err)
	}
	if sm.asked != "acme/prod/database" || got.Username != "admin" {
		t.Errorf("asked for %q, got %+v", sm.asked, got)
	}
}

func TestFromSecretsManager_SaysWhichPermissionAFailureMayNeed(t *testing.T) {
	sm := &fakeSecretsManager{err: errors.New("AccessDeniedException")}
	_, err := secret.FromSecretsManager(sm, "acme/prod/database")(t.Context())
	if err == nil || !strings.Contains(err.Error(), "secretsmanager:GetSecretValue") || !strings.Contains(err.Error(), "acme/prod/database") {
		t.Errorf("error = %v, want the secret's name and the permission", err)
	}
}

// rotatingSecret returns a new password on each fetch, as if rotated in between.
type rotatingSecret struct{ fetches atomic.Int32 }

func (r *rotatingSecret) fetch(context.Context) (secret.Credentials, error) {
	n := r.fetches.Add(1)
	return secret.Credentials{Username: "admin", Password: "password-" + string('0'+rune(n))}, nil
}

func TestCache_FetchesOnceUntilInvalidated(t *testing.T) {
	src := &rotatingSecret{}
	cache := secret.NewCache(src.fetch, 0)
	for range 3 {
		c, err := cache.Get(t.Context())
		if err != nil || c.Password != "password-1" {
			t.Fatalf("Get() = %+v, %v; want the first fetch's password", c, err)
		}
	}
	cache.Invalidate()
	c, err := cache.Get(t.Context())
	if err != nil || c.Password != "password-2" {
		t.Fatalf("after Invalidate, Get() = %+v, %v; want a fresh fetch", c, err)
	}
	if n := src.fetches.Load(); n != 2 {
		t.Errorf("fetched %d times, want 2", n)
	}
}

func TestCache_RefetchesAtMostOncePerMinRefresh(t *testing.T) {
	// In a synctest bubble the clock moves only when every goroutine waits, so the
	// sleep below takes no real time.
	synctest.Test(t, func(t *testing.T) {
		src := &rotatingSecret{}
		cache := secret.NewCache(src.fetch, 5*time.Second)
		if _, err := cache.Get(t.Context()); err != nil {
			t.Fatal(err)
		}
		// Logins fail right after the fetch (a rotation in progress): keep the credentials.
		cache.Invalidate()
		c, _ := cache.Get(t.Context())
		if c.Password != "password-1" || src.fetches.Load() != 1 {
			t.Fatalf("refetched %s after an invalidation within minRefresh", c.Password)
		}
		time.Sleep(5 * time.Second)
		c, _ = cache.Get(t.Context())
		if c.Password != "password-2" {
			t.Fatalf("after minRefresh, Get() = %s, want a fresh fetch", c.Password)
		}
	})
}

func TestCache_ConcurrentCallersShareOneFetch(t *testing.T) {
	var fetches atomic.Int32
	release := make(chan struct{})
	cache := secret.NewCache(func(context.Context) (secret.Credentials, error) {
		fetches.Add(1)
		<-release
		return secret.Credentials{Username: "u", Password: "p"}, nil
	}, 0)
	var wg sync.WaitGroup
	for range 10 {
		wg.Go(func() {
			if _, err := cache.Get(t.Context()); err != nil {
				t.Error(err)
			}
		})
	}
	time.Sleep(10 * time.Millisecond)
	close(release)
	wg.Wait()
	if n := fetches.Load(); n != 1 {
		t.Errorf("10 concurrent Gets fetched %d times, want 1", n)
	}
}

func TestCache_DoesNotKeepAFailedFetch(t *testing.T) {
	var fail atomic.Bool
	fail.Store(true)
	cache := secret.NewCache(func(context.Context) (secret.Credentials, error) {
		if fail.Load() {
			return secret.Credentials{}, errors.New("throttled")
		}
		return secret.Credentials{Username: "u", Password: "p"}, nil
	}, time.Hour)
	if _, err := cache.Get(t.Context()); err == nil {
		t.Fatal("Get() succeeded while the fetch failed")
	}
	fail.Store(false)
	if _, err := cache.Get(t.Context()); err != nil {
		t.Fatalf("Get() after the secret became readable: %v", err)
	}
}

func TestCache_WaitingCallerGivesUpWithItsContext(t *testing.T) {
	release := make(chan struct{})
	defer close(release)
	cache := secret.NewCache(func(context.Context) (secret.Credentials, error) {
		<-release
		return secret.Credentials{}, nil
	}, 0)
	go func() { _, _ = cache.Get(context.Background()) }() // holds the fetch
	time.Sleep(10 * time.Millisecond)
	ctx, cancel := context.WithTimeout(t.Context(), 20*time.Millisecond)
	defer cancel()
	if _, err := cache.Get(ctx); !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("Get() = %v, want the caller's deadline", err)
	}
}

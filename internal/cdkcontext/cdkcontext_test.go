package cdkcontext_test

import (
	"errors"
	"strings"
	"testing"

	"github.com/example/platform/internal/cdkcontext"
)

func env(values map[string]string) func(string) string {
	return func(key string) string { return values[key] }
}

// The CLI hands -c values in CDK_CONTEXT_JSON, or, for a large context, in a file whose keys win.
func TestRead_TakesTheEnvironmentThenTheOverflowFile(t *testing.T) {
	files := map[string]string{"/tmp/ctx.json": `{"imageDigest":"sha256:abc","config":"config/big.json"}`}
	readFile := func(path string) ([]byte, error) {
		if data, ok := files[path]; ok {
			return []byte(data), nil
		}
		return nil, errors.New("no such file")
	}
	context, err := cdkcontext.Read(env(map[string]string{"CDK_CONTEXT_JSON": `{"config":"config/small.json","n":1}`}), readFile)
	if err != nil || context.String("config") != "config/small.json" || context.String("n") != "" || context.String("imageDigest") != "" {
		t.Fatalf("from the environment: %v, %v", context, err)
	}
	context, err = cdkcontext.Read(env(map[string]string{"CDK_CONTEXT_JSON": `{"config":"config/small.json"}`, "CONTEXT_OVERFLOW_LOCATION_ENV": "/tmp/ctx.json"}), readFile)
	if err != nil || context.String("config") != "config/big.json" || context.String("imageDigest") != "sha256:abc" {
		t.Fatalf("with the overflow file: %v, %v", context, err)
	}
	if _, err := cdkcontext.Read(env(map[string]string{"CONTEXT_OVERFLOW_LOCATION_ENV": "/tmp/missing.json"}), readFile); err == nil || !strings.Contains(err.Error(), "CONTEXT_OVERFLOW_LOCATION_ENV") {
		t.Fatalf("a missing overflow file: %v", err)
	}
	if _, err := cdkcontext.Read(env(map[string]string{"CDK_CONTEXT_JSON": `{`}), readFile); err == nil || !strings.Contains(err.Error(), "CDK_CONTEXT_JSON") {
		t.Fatalf("bad JSON: %v", err)
	}
}

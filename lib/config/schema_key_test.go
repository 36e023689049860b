package config_test

import (
	"strings"
	"testing"

	"github.com/example/platform/lib/config"
)

// "$schema" points an editor at config/schema.json; the loader takes it and nothing follows from it.
func TestLoad_AcceptsTheSchemaKeyAndIgnoresIt(t *testing.T) {
	plain := readFile(t, "testdata/valid-minimal.json")
	data := strings.Replace(plain, "{", `{"$schema": "./schema.json",`, 1)
	withSchema, err := config.Parse("with-schema.json", []byte(data))
	if err != nil {
		t.Fatalf("a config with $schema must load: %v", err)
	}
	without, err := config.Parse("without.json", []byte(plain))
	if err != nil {
		t.Fatal(err)
	}
	if withSchema.Name != without.Name || len(withSchema.Environments) != len(without.Environments) {
		t.Errorf("$schema changed what loaded: %+v, want %+v", withSchema, without)
	}
}

// Only the top level takes "$schema": elsewhere it is an unknown field like any other.
func TestLoad_RejectsTheSchemaKeyInsideAnObject(t *testing.T) {
	data := strings.Replace(readFile(t, "testdata/valid-minimal.json"), `"pipeline": {`, `"pipeline": {"$schema": "x",`, 1)
	_, err := config.Parse("nested-schema.json", []byte(data))
	if err == nil || !strings.Contains(err.Error(), "pipeline.$schema: unknown field") {
		t.Errorf("want pipeline.$schema refused as an unknown field, got %v", err)
	}
}

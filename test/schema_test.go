package test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/example/platform/internal/configdoc"
	"github.com/example/platform/test/constructkit"
)

// configSchema is config/schema.json compiled, and the minimal config of docs/configuration.md.
func configSchema(t *testing.T) (*jsonschema.Schema, []byte) {
	t.Helper()
	root := constructkit.RepoRoot(t)
	doc, err := os.ReadFile(filepath.Join(root, "docs", "configuration.md"))
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(root, "config", "schema.json")
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	doc2, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	compiler := jsonschema.NewCompiler()
	if err := compiler.AddResource(file, doc2); err != nil {
		t.Fatal(err)
	}
	schema, err := compiler.Compile(file)
	if err != nil {
		t.Fatalf("config/schema.json does not compile: %v", err)
	}
	return schema, minimalConfigOf(t, string(doc))
}

func validateConfig(t *testing.T, schema *jsonschema.Schema, data []byte) error {
	t.Helper()
	value, err := jsonschema.UnmarshalJSON(bytes.NewReader(data))
	if err != nil {
		t.Fatal(err)
	}
	return schema.Validate(value)
}

// config/schema.json is lib/config's, generated from its types, doc comments and defaults.
func TestSchema_IsTheCodes(t *testing.T) {
	root := constructkit.RepoRoot(t)
	doc, err := os.ReadFile(filepath.Join(root, "docs", "configuration.md"))
	if err != nil {
		t.Fatal(err)
	}
	want, err := configdoc.Schema(filepath.Join(root, "lib", "config"), minimalConfigOf(t, string(doc)))
	if err != nil {
		t.Fatal(err)
	}
	file := filepath.Join(root, "config", "schema.json")
	got, _ := os.ReadFile(file)
	if bytes.Equal(got, want) {
		return
	}
	if os.Getenv("UPDATE_GOLDEN") == "1" {
		if err := os.WriteFile(file, want, 0o644); err != nil {
			t.Fatal(err)
		}
		t.Log("rewrote config/schema.json")
		return
	}
	t.Errorf("config/schema.json is not lib/config's: run UPDATE_GOLDEN=1 go test ./test -run TestSchema_IsTheCodes")
}

// Every config the project ships, and the minimal one of the docs, names the schema and meets it.
func TestSchema_ShippedConfigsNameAndMeetIt(t *testing.T) {
	schema, minimal := configSchema(t)
	files, err := filepath.Glob(filepath.Join(constructkit.RepoRoot(t), "config", "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	configs := map[string][]byte{"docs/configuration.md's minimal config": minimal}
	for _, file := range files {
		if filepath.Base(file) == "schema.json" {
			continue
		}
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		configs["config/"+filepath.Base(file)] = data
	}
	for name, data := range configs {
		var head struct {
			Schema string `json:"$schema"`
		}
		if err := json.Unmarshal(data, &head); err != nil || head.Schema != "./schema.json" {
			t.Errorf("%s does not name the schema: want \"$schema\": \"./schema.json\", got %q", name, head.Schema)
		}
		if err := validateConfig(t, schema, data); err != nil {
			t.Errorf("%s does not meet config/schema.json: %v", name, err)
		}
	}
}

// An editor flags what the loader refuses: unknown fields, wrong types, missing required fields,
// values outside an enum or a range.
func TestSchema_RefusesABrokenConfig(t *testing.T) {
	schema, minimal := configSchema(t)
	for _, c := range []struct{ name, from, to string }{
		{"unknown top-level field", `"owner":`, `"ownr": "x", "owner":`},
		{"unknown nested field", `"region": "us-east-1",`, `"region": "us-east-1", "zone": "a",`},
		{"wrong type", `"cidr": "10.0.0.0/16"`, `"cidr": 10`},
		{"missing required field", `"owner": "platform-team",`, ``},
		{"value outside the enum", `"account": "111111111111",`, `"account": "111111111111", "deployment": {"strategy": "rolling"},`},
		{"value outside the range", `"cidr": "10.0.0.0/16"`, `"cidr": "10.0.0.0/16", "natGateways": 4`},
	} {
		broken := strings.Replace(string(minimal), c.from, c.to, 1)
		if broken == string(minimal) {
			t.Fatalf("%s: the minimal config has no %s", c.name, c.from)
		}
		if err := validateConfig(t, schema, []byte(broken)); err == nil {
			t.Errorf("%s: config/schema.json accepts it:\n%s", c.name, broken)
		}
	}
}

package test

import (
	"bytes"
	"encoding/json"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"

	"github.com/example/platform/internal/configdoc"
	platformconfig "github.com/example/platform/lib/config"
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
		{"account that is not 12 digits", `"account": "111111111111",`, `"account": "7777",`},
		{"region AWS does not have", `"region": "us-east-1",`, `"region": "us-east1",`},
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

// schemaRule is one constraint of config/schema.json at a field's path ("[]" for a list's items).
type schemaRule struct {
	path             string
	schema           map[string]any
	requiredChildren []string
}

// schemaRules lists every property of the schema, depth first. An object keyed by name (an
// account, a region) is probed at the key keyOf gives its path.
func schemaRules(s map[string]any, path string, keyOf func(path string) string, out *[]schemaRule) {
	switch s["type"] {
	case "object":
		var required []string
		for _, r := range asList(s["required"]) {
			required = append(required, r.(string))
		}
		*out = append(*out, schemaRule{path: path, schema: s, requiredChildren: required})
		if values, keyed := s["additionalProperties"].(map[string]any); keyed {
			schemaRules(values, joinPath(path, keyOf(path)), keyOf, out)
		}
		properties, _ := s["properties"].(map[string]any)
		for name, child := range properties {
			schemaRules(child.(map[string]any), joinPath(path, name), keyOf, out)
		}
	case "array":
		schemaRules(s["items"].(map[string]any), path+"[]", keyOf, out)
	default:
		*out = append(*out, schemaRule{path: path, schema: s})
	}
}

func joinPath(path, name string) string {
	if path == "" {
		return name
	}
	return path + "." + name
}

// setAt sets the field at path (a schema path; each list's first item) in config, creating the
// objects on the way, and returns the loader's path of it.
func setAt(config map[string]any, path string, value any) string {
	parts := strings.Split(path, ".")
	var loaderPath []string
	object := config
	for i, part := range parts {
		name, list := strings.CutSuffix(part, "[]")
		if list {
			loaderPath = append(loaderPath, name+"[0]")
		} else {
			loaderPath = append(loaderPath, name)
		}
		if i == len(parts)-1 {
			object[name] = value
			break
		}
		if list {
			items := asList(object[name])
			if len(items) == 0 {
				items = []any{map[string]any{}}
				object[name] = items
			}
			object = items[0].(map[string]any)
			continue
		}
		next, ok := object[name].(map[string]any)
		if !ok {
			next = map[string]any{}
			object[name] = next
		}
		object = next
	}
	return strings.Join(loaderPath, ".")
}

// loaderProblems loads config and returns its problems by path (none if it loads).
func loaderProblems(t *testing.T, config map[string]any) map[string]string {
	t.Helper()
	data, err := json.Marshal(config)
	if err != nil {
		t.Fatal(err)
	}
	_, err = platformconfig.Parse("schema-probe.json", data)
	found := map[string]string{}
	var cfgErr *platformconfig.Error
	if errors.As(err, &cfgErr) {
		for _, p := range cfgErr.Problems {
			found[p.Path] = p.Message
		}
	} else if err != nil {
		t.Fatal(err)
	}
	return found
}

// The schema refuses nothing the loader takes for lack of it: every enum and range it states is one
// the loader enforces (a value past either end, or outside the enum, is refused at that field),
// and every field it requires, the loader requires.
func TestSchema_ConstraintsAreTheLoaders(t *testing.T) {
	root := constructkit.RepoRoot(t)
	data, err := os.ReadFile(filepath.Join(root, "config", "schema.json"))
	if err != nil {
		t.Fatal(err)
	}
	var schema map[string]any
	if err := json.Unmarshal(data, &schema); err != nil {
		t.Fatal(err)
	}
	_, minimal := configSchema(t)
	// fresh is the minimal config to probe path in; a connection's fields are probed in a
	// pipeline that builds from a connection, since a source takes only one.
	fresh := func(path string) map[string]any {
		var config map[string]any
		if err := json.Unmarshal(minimal, &config); err != nil {
			t.Fatal(err)
		}
		if strings.HasPrefix(path, "pipeline.source.codeConnections") {
			config["pipeline"].(map[string]any)["source"] = map[string]any{"codeConnections": map[string]any{
				"connectionArn": "arn:aws:codeconnections:us-east-1:333333333333:connection/11111111-2222-3333-4444-555555555555",
				"repository":    "owner/name",
			}}
		}
		return config
	}
	// The minimal config's tooling account and its region are the keys of the baseline's
	// accounts and regions.
	var head struct {
		Pipeline struct{ Account, Region string }
	}
	if err := json.Unmarshal(minimal, &head); err != nil {
		t.Fatal(err)
	}
	keyOf := func(path string) string {
		if strings.HasSuffix(path, ".regions") {
			return head.Pipeline.Region
		}
		return head.Pipeline.Account
	}
	var rules []schemaRule
	schemaRules(schema, "", keyOf, &rules)
	for _, rule := range rules {
		var outside []any
		if min, ok := rule.schema["minimum"].(float64); ok {
			outside = append(outside, min-1, rule.schema["maximum"].(float64)+1)
		}
		if _, ok := rule.schema["pattern"].(string); ok {
			outside = append(outside, "not a match!")
		}
		if enum := asList(rule.schema["enum"]); enum != nil {
			if rule.schema["type"] == "integer" {
				outside = append(outside, 7777)
			} else {
				outside = append(outside, "not-one-of-them")
			}
		}
		for _, value := range outside {
			// 0 reads as left out: the loader fills the default, and the schema refuses it
			// because it does not mean zero (natGateways 0 is 3 NAT gateways).
			if _, defaulted := rule.schema["default"]; value == 0.0 && defaulted {
				continue
			}
			config := fresh(rule.path)
			path := setAt(config, rule.path, value)
			if _, refused := loaderProblems(t, config)[path]; !refused {
				t.Errorf("%s: config/schema.json refuses %v, but the loader takes it", path, value)
			}
		}
		for _, name := range rule.requiredChildren {
			config := fresh(joinPath(rule.path, name))
			if rule.path != "" {
				parent, ok := lookup(config, rule.path)
				if !ok {
					continue // the minimal config has no such object to leave the field out of
				}
				delete(parent, name)
			} else {
				delete(config, name)
			}
			if len(loaderProblems(t, config)) == 0 {
				t.Errorf("%s: config/schema.json requires it, but the loader takes a config without it", joinPath(rule.path, name))
			}
		}
	}
}

// lookup is the object at a schema path in config (each list's first item), if it is there.
func lookup(config map[string]any, path string) (map[string]any, bool) {
	object := config
	for _, part := range strings.Split(path, ".") {
		name, list := strings.CutSuffix(part, "[]")
		value := object[name]
		if list {
			items := asList(value)
			if len(items) == 0 {
				return nil, false
			}
			value = items[0]
		}
		next, ok := value.(map[string]any)
		if !ok {
			return nil, false
		}
		object = next
	}
	return object, true
}

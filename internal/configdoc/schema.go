package configdoc

import (
	"encoding/json"
	"reflect"
	"regexp"
	"strconv"
	"strings"

	"github.com/example/platform/lib/config"
)

// SchemaDialect is JSON Schema draft-07, the draft both VS Code and JetBrains IDEs support in full.
const SchemaDialect = "http://json-schema.org/draft-07/schema#"

// enums are the closed sets of values lib/config validates against, by type and field.
var enums = map[string]map[string][]any{
	"CodeConnectionsSource": {"Provider": strings2any(config.ProviderGitHub, config.ProviderGitLab, config.ProviderBitbucket)},
	"Edge":                  {"PriceClass": strings2any(config.PriceClass100, config.PriceClass200, config.PriceClassAll)},
	"Accelerator":           {"HealthCheckIntervalSeconds": {10, 30}},
	"Service":               {"ScanThreshold": strings2any(config.ScanSeverities...)},
	"Deployment":            {"Strategy": strings2any(config.StrategyBlueGreen, config.StrategyLinear, config.StrategyCanary)},
	"Recovery":              {"Tier": strings2any(config.RecoveryTiers...)},
	"Backup":                {"FrequencyHours": ints2any(config.BackupFrequencies...)},
	"Monitoring":            {"LogRetentionDays": ints2any(config.LogRetentionPeriods...)},
	"VaultLock":             {"Mode": strings2any(config.LockGovernance, config.LockCompliance)},
	"Baseline":              {"SecurityHubStandards": strings2any(config.StandardsOurs, config.StandardsOrganization)},
	"AccountBaseline":       {"SecurityHubStandards": strings2any(config.StandardsOurs, config.StandardsOrganization)},
	"RegionBaseline":        {"SecurityHubStandards": strings2any(config.StandardsOurs, config.StandardsOrganization)},
	"Pipeline":              {"Region": strings2any(config.Regions()...)},
	"Region":                {"Region": strings2any(config.Regions()...)},
}

// accountID is the pattern of a 12-digit AWS account ID, and policyName IAM's rule for a managed
// policy's name (CreatePolicy's PolicyName), as lib/config validates them.
const (
	accountID  = `^[0-9]{12}$`
	policyName = `^[A-Za-z0-9_+=,.@-]{1,128}$`
)

// patterns are the string patterns lib/config validates against, by type and field, so an editor
// flags a mistyped account or policy name while typing.
var patterns = map[string]map[string]string{
	"Pipeline":            {"Account": accountID},
	"Environment":         {"Account": accountID},
	"AccountBoundary":     {"Account": accountID, "PolicyName": policyName},
	"PermissionsBoundary": {"PolicyName": policyName},
}

// mapKeys are the patterns of the keys of the config's objects keyed by name, by path.
var mapKeys = map[string]string{
	"baseline.accounts":           `^[0-9]{12}$`,
	"baseline.accounts.*.regions": `^[a-z]{2}(-[a-z]+)+-[0-9]$`,
}

// serviceMode is the type of the baseline's modes, which read a mode or an earlier config's boolean.
var serviceMode = reflect.TypeOf(config.ServiceMode(""))

// unreached are the defaults of fields inside optional objects a minimal config leaves out.
var unreached = map[string]map[string]any{
	"CodeConnectionsSource": {"Provider": config.DefaultProvider},
}

// contextual are the fields whose default depends on the environment's place or region, so no
// single default is true of them.
var contextual = map[string]bool{
	"environments[].manualApproval":                   true,
	"environments[].observerRegion":                   true,
	"environments[].regions[].availabilityZones":      true,
	"environments[].regions[].cloudFrontPrefixListId": true,
}

// rangeOf is the first "N to M" of an integer field's doc comment, where lib/config states the
// range it validates.
var rangeOf = regexp.MustCompile(`\b(\d+) to (\d+)\b`)

// Schema is the JSON Schema of a config file: every field of lib/config's types with its doc
// comment, the default loading fills in (from minimal, as Reference reads it), the enums and
// ranges lib/config states, and no field the loader would call unknown. srcDir is lib/config's
// source directory.
func Schema(srcDir string, minimal []byte) ([]byte, error) {
	d, err := fieldDocs(srcDir)
	if err != nil {
		return nil, err
	}
	platform, err := config.Parse("minimal config", minimal)
	if err != nil {
		return nil, err
	}
	var raw any
	if err := json.Unmarshal(minimal, &raw); err != nil {
		return nil, err
	}
	root := object(d, reflect.ValueOf(platform).Elem(), reflect.TypeOf(*platform), raw, "")
	root["$schema"] = SchemaDialect
	root["title"] = "Platform configuration"
	root["properties"].(map[string]any)[config.SchemaKey] = map[string]any{
		"type":        "string",
		"description": "The JSON Schema an editor checks this file with (config/schema.json, e.g. ./schema.json); loading ignores it.",
	}
	data, err := json.MarshalIndent(root, "", "  ")
	if err != nil {
		return nil, err
	}
	return append(data, '\n'), nil
}

// object is the schema of struct type t (value v as loaded, raw as the file wrote it).
func object(d docs, v reflect.Value, t reflect.Type, raw any, path string) map[string]any {
	written, _ := raw.(map[string]any)
	properties := map[string]any{}
	required := []string{}
	for i := 0; i < t.NumField(); i++ {
		field := t.Field(i)
		name, options, _ := strings.Cut(field.Tag.Get("json"), ",")
		if !field.IsExported() || name == "" || name == "-" {
			continue
		}
		if !strings.Contains(options, "omitempty") {
			required = append(required, name)
		}
		fieldPath := name
		if path != "" {
			fieldPath = path + "." + name
		}
		var value reflect.Value
		if v.IsValid() {
			value = v.Field(i)
		}
		rawValue, isWritten := written[name]
		s := property(d, field.Type, value, rawValue, fieldPath)
		description := d[t.Name()][field.Name]
		if elem := elemOf(field.Type); description == "" && elem.Kind() == reflect.Struct {
			description = d[elem.Name()][""]
		}
		if description != "" {
			s["description"] = strings.ReplaceAll(description, `\|`, "|")
		}
		if pattern, ok := patterns[t.Name()][field.Name]; ok {
			s["pattern"] = pattern
		}
		if values, ok := enums[t.Name()][field.Name]; ok {
			s["enum"] = values
		} else if m := rangeOf.FindStringSubmatch(description); m != nil && s["type"] == "integer" {
			s["minimum"], _ = strconv.Atoi(m[1])
			s["maximum"], _ = strconv.Atoi(m[2])
		}
		if def, ok := defaultValue(value, isWritten); ok && !contextual[fieldPath] {
			s["default"] = def
		} else if def, ok := unreached[t.Name()][field.Name]; ok {
			s["default"] = def
		}
		properties[name] = s
	}
	s := map[string]any{"type": "object", "properties": properties, "additionalProperties": false}
	if len(required) > 0 {
		s["required"] = required
	}
	return s
}

// property is the schema of one field's type.
func property(d docs, t reflect.Type, v reflect.Value, raw any, path string) map[string]any {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
		if v.IsValid() {
			v = reflect.Indirect(v)
		}
	}
	if t == serviceMode {
		values := []any{}
		for _, m := range config.ServiceModes {
			values = append(values, string(m))
		}
		return map[string]any{"type": []any{"string", "boolean"}, "enum": append(values, true, false)}
	}
	switch t.Kind() {
	case reflect.Struct:
		return object(d, v, t, raw, path)
	case reflect.Map:
		// A map's values are described without defaults: the config names its keys.
		s := map[string]any{"type": "object", "additionalProperties": property(d, t.Elem(), reflect.Value{}, nil, path+".*")}
		if pattern, ok := mapKeys[path]; ok {
			s["propertyNames"] = map[string]any{"pattern": pattern}
		}
		if elem := t.Elem(); elem.Kind() == reflect.Struct {
			if description := d[elem.Name()][""]; description != "" {
				s["additionalProperties"].(map[string]any)["description"] = description
			}
		}
		return s
	case reflect.Slice:
		// A list of objects is described by its first element, as Reference does.
		var first reflect.Value
		if v.IsValid() && v.Len() > 0 {
			first = v.Index(0)
		}
		var firstRaw any
		if list, ok := raw.([]any); ok && len(list) > 0 {
			firstRaw = list[0]
		}
		return map[string]any{"type": "array", "items": property(d, t.Elem(), first, firstRaw, path+"[]")}
	case reflect.Int, reflect.Int32, reflect.Int64:
		return map[string]any{"type": "integer"}
	case reflect.Bool:
		return map[string]any{"type": "boolean"}
	}
	return map[string]any{"type": "string"}
}

// defaultValue is what loading filled in for a field the file left out, if anything.
func defaultValue(v reflect.Value, written bool) (any, bool) {
	if written || !v.IsValid() {
		return nil, false
	}
	for v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return nil, false
		}
		v = v.Elem()
	}
	switch {
	case v.Kind() == reflect.Struct:
		return nil, false
	case v.Kind() == reflect.Bool:
		return v.Bool(), true
	case v.IsZero() || (v.Kind() == reflect.Slice && v.Len() == 0):
		return nil, false
	}
	return v.Interface(), true
}

func elemOf(t reflect.Type) reflect.Type {
	for t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Map {
		t = t.Elem()
	}
	return t
}

func strings2any(values ...string) []any {
	out := make([]any, len(values))
	for i, v := range values {
		out[i] = v
	}
	return out
}

func ints2any(values ...int) []any {
	out := make([]any, len(values))
	for i, v := range values {
		out[i] = v
	}
	return out
}

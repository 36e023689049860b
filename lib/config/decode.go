package config

import (
	"encoding/json"
	"fmt"
	"reflect"
	"sort"
	"strings"
)

// SchemaKey is the top-level key that names the JSON Schema an editor checks the file with.
const SchemaKey = "$schema"

// movedFields are fields an earlier version of the config had elsewhere, with where they went.
var movedFields = map[string]string{
	"dns": "moved: each environment has its own dns {domainName, hostedZoneId} (a hosted zone in the environment's account); " +
		"move it into environments[].dns",
}

// decodeStrict decodes data into v and reports every unknown field and mistyped value, not just
// the first as json.Decoder.DisallowUnknownFields would: a user fixing a config file should see
// all of its problems in one run. It returns the paths whose values could not be decoded, so
// that validation does not report them a second time, and false if nothing could be decoded.
func decodeStrict(data []byte, v any, found *problems) (undecoded []string, ok bool) {
	if message := checkEncoding(data); message != "" {
		found.add("", message)
		return nil, false
	}
	before := len(found.list)
	raw, ok := readJSON(data, found)
	if !ok {
		return nil, false
	}
	for _, p := range found.list[before:] {
		undecoded = append(undecoded, p.Path) // a duplicate key: validation need not judge what was kept
	}
	if _, isObject := raw.(map[string]any); !isObject {
		found.add("", "the file must hold one JSON object (see config/example.json)")
		return nil, false
	}
	shape := &problems{}
	checkShape(raw, reflect.TypeOf(v).Elem(), "", shape)
	for _, p := range shape.list {
		found.add(p.Path, p.Message)
		undecoded = append(undecoded, p.Path)
	}
	// Unmarshal skips unknown fields and values of the wrong type and fills the rest, which
	// is what validation needs to report the remaining problems alongside these.
	_ = json.Unmarshal(data, v)
	return undecoded, true
}

func position(data []byte, offset int64) (line, col int) {
	line, col = 1, 1
	for i := int64(0); i < offset && i < int64(len(data)); i++ {
		if data[i] == '\n' {
			line, col = line+1, 1
		} else {
			col++
		}
	}
	return line, col
}

// shapeChecker is a type that reads more than one JSON type (UnmarshalJSON) and says what it
// accepts: "" for a value it reads, else the problem.
type shapeChecker interface{ checkJSON(value any) string }

// checkShape compares a decoded JSON value with the Go type it must fill.
func checkShape(value any, t reflect.Type, path string, problems *problems) {
	if value == nil {
		return // null leaves the zero value; validation reports it if it is required
	}
	if t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	if checker, ok := reflect.Zero(t).Interface().(shapeChecker); ok {
		if message := checker.checkJSON(value); message != "" {
			problems.add(path, message)
		}
		return
	}
	switch t.Kind() {
	case reflect.Map:
		object, ok := value.(map[string]any)
		if !ok {
			problems.add(path, fmt.Sprintf("%s: expected an object", describe(value)))
			return
		}
		keys := make([]string, 0, len(object))
		for key := range object {
			keys = append(keys, key)
		}
		sort.Strings(keys)
		for _, key := range keys {
			checkShape(object[key], t.Elem(), join(path, key), problems)
		}
	case reflect.Struct:
		object, ok := value.(map[string]any)
		if !ok {
			problems.add(path, fmt.Sprintf("%s: expected an object", describe(value)))
			return
		}
		fields := jsonFields(t)
		keys := make([]string, 0, len(object))
		for key := range object {
			keys = append(keys, key)
		}
		sort.Strings(keys)
		for _, key := range keys {
			field, known := fields[key]
			if !known && path == "" && key == SchemaKey {
				continue // an editor's pointer to the config's JSON Schema: loading ignores it
			}
			if !known {
				names := fieldNames(t)
				message := "unknown field; known fields are " + strings.Join(names, ", ")
				if guess := closest(key, names); guess != "" {
					message = "unknown field; did you mean " + guess + "? known fields are " + strings.Join(names, ", ")
				}
				if hint, moved := movedFields[join(path, key)]; moved {
					message = hint
				}
				problems.add(join(path, key), message)
				continue
			}
			checkShape(object[key], field.Type, join(path, key), problems)
		}
	case reflect.Slice:
		list, ok := value.([]any)
		if !ok {
			problems.add(path, fmt.Sprintf("%s: expected a list", describe(value)))
			return
		}
		for i, item := range list {
			checkShape(item, t.Elem(), fmt.Sprintf("%s[%d]", path, i), problems)
		}
	case reflect.String:
		if _, ok := value.(string); !ok {
			problems.add(path, stringExpected(value))
		}
	case reflect.Bool:
		if _, ok := value.(bool); !ok {
			problems.add(path, fmt.Sprintf("%s: expected true or false", describe(value)))
		}
	case reflect.Int:
		number, ok := value.(json.Number)
		if !ok {
			problems.add(path, fmt.Sprintf("%s: expected a whole number", describe(value)))
			return
		}
		if _, err := number.Int64(); err != nil || strings.ContainsAny(number.String(), ".eE") {
			problems.add(path, fmt.Sprintf("%s: expected a whole number", number))
		}
	default:
		panic(fmt.Sprintf("config: checkShape does not handle %s", t.Kind()))
	}
}

// stringExpected says a value must be a string; for a number that looks like an account ID it
// says how to quote it, since a JSON number drops an account's leading zero.
func stringExpected(value any) string {
	number, isNumber := value.(json.Number)
	digits := isNumber && strings.Trim(number.String(), "0123456789") == ""
	switch {
	case digits && len(number) == 12:
		return fmt.Sprintf("%s: an account ID written as a number; quote it: \"%s\"", number, number)
	case digits && len(number) == 11:
		return fmt.Sprintf("%s: an 11-digit number where a string is expected; an account ID has 12 digits in quotes, "+
			"and a number loses the leading zero: write \"0%s\" if that is the account", number, number)
	}
	return fmt.Sprintf("%s: expected a string", describe(value))
}

func describe(value any) string {
	switch v := value.(type) {
	case string:
		return fmt.Sprintf("%q", v)
	case json.Number:
		return v.String()
	case bool:
		return fmt.Sprint(v)
	case []any:
		return "a list"
	case map[string]any:
		return "an object"
	}
	return fmt.Sprint(value)
}

func jsonFields(t reflect.Type) map[string]reflect.StructField {
	fields := map[string]reflect.StructField{}
	for i := range t.NumField() {
		field := t.Field(i)
		name, _, _ := strings.Cut(field.Tag.Get("json"), ",")
		if name != "" && name != "-" {
			fields[name] = field
		}
	}
	return fields
}

func fieldNames(t reflect.Type) []string {
	var names []string
	for i := range t.NumField() {
		name, _, _ := strings.Cut(t.Field(i).Tag.Get("json"), ",")
		if name != "" && name != "-" {
			names = append(names, name)
		}
	}
	return names
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

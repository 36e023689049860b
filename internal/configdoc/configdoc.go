// Package configdoc renders the configuration reference of docs/configuration.md from the code:
// every field of lib/config's types with its JSON path, its type, the default loading fills in,
// and its doc comment, so the reference cannot drift from what the loader accepts.
package configdoc

import (
	"encoding/json"
	"fmt"
	"go/ast"
	"go/parser"
	"go/token"
	"os"
	"path/filepath"
	"reflect"
	"strings"

	"github.com/example/platform/lib/config"
)

// Reference is the Markdown table of every config field. srcDir is lib/config's source directory
// (the doc comments are read from it); minimal is a config file that loads, whose defaults fill
// the Default column for every field it leaves out.
func Reference(srcDir string, minimal []byte) (string, error) {
	docs, err := fieldDocs(srcDir)
	if err != nil {
		return "", err
	}
	platform, err := config.Parse("minimal config", minimal)
	if err != nil {
		return "", err
	}
	var raw any
	if err := json.Unmarshal(minimal, &raw); err != nil {
		return "", err
	}
	var out strings.Builder
	out.WriteString("| Field | Type | Default | Description |\n|---|---|---|---|\n")
	walk(&out, docs, reflect.ValueOf(platform).Elem(), reflect.TypeOf(*platform), raw, "")
	return out.String(), nil
}

// docs holds the doc comments of lib/config: by type, then by field ("" is the type's own).
type docs map[string]map[string]string

// fieldDocs parses lib/config's non-test files for their struct types' comments.
func fieldDocs(srcDir string) (docs, error) {
	files, err := filepath.Glob(filepath.Join(srcDir, "*.go"))
	if err != nil {
		return nil, err
	}
	out := docs{}
	fset := token.NewFileSet()
	for _, file := range files {
		if strings.HasSuffix(file, "_test.go") {
			continue
		}
		src, err := os.ReadFile(file)
		if err != nil {
			return nil, err
		}
		f, err := parser.ParseFile(fset, file, src, parser.ParseComments)
		if err != nil {
			return nil, err
		}
		for _, decl := range f.Decls {
			gen, ok := decl.(*ast.GenDecl)
			if !ok || gen.Tok != token.TYPE {
				continue
			}
			for _, spec := range gen.Specs {
				ts := spec.(*ast.TypeSpec)
				st, ok := ts.Type.(*ast.StructType)
				if !ok {
					continue
				}
				fields := map[string]string{"": oneLine(gen.Doc, ts.Doc)}
				for _, field := range st.Fields.List {
					for _, name := range field.Names {
						fields[name.Name] = oneLine(field.Doc, field.Comment)
					}
				}
				out[ts.Name.Name] = fields
			}
		}
	}
	return out, nil
}

// oneLine is the first non-empty comment group as one line, safe in a table cell.
func oneLine(groups ...*ast.CommentGroup) string {
	for _, g := range groups {
		if text := strings.Join(strings.Fields(g.Text()), " "); text != "" {
			return strings.ReplaceAll(text, "|", `\|`)
		}
	}
	return ""
}

// walk writes a row per JSON field of t (value v, as loaded; raw, as the file wrote it), then the
// rows of its nested objects. A list of objects is described by its first element.
func walk(out *strings.Builder, d docs, v reflect.Value, t reflect.Type, raw any, path string) {
	object, _ := raw.(map[string]any)
	for i := 0; i < t.NumField(); i++ {
		field := t.Field(i)
		name, _, _ := strings.Cut(field.Tag.Get("json"), ",")
		if !field.IsExported() || name == "" || name == "-" {
			continue
		}
		fieldPath := name
		if path != "" {
			fieldPath = path + "." + name
		}
		var value reflect.Value
		if v.IsValid() {
			value = v.Field(i)
		}
		rawValue, written := object[name]
		elem := field.Type
		for elem.Kind() == reflect.Pointer || elem.Kind() == reflect.Slice || elem.Kind() == reflect.Map {
			elem = elem.Elem()
		}
		description := d[t.Name()][field.Name]
		if description == "" && elem.Kind() == reflect.Struct {
			description = d[elem.Name()][""]
		}
		fmt.Fprintf(out, "| `%s` | %s | %s | %s |\n", fieldPath, typeName(field.Type), defaultOf(value, written), description)
		if elem.Kind() != reflect.Struct {
			continue
		}
		nested, nestedRaw := value, rawValue
		if field.Type.Kind() == reflect.Map {
			// An object keyed by name (an account, a region) is described by its values' fields.
			fieldPath += ".<" + mapKeyNames[field.Name] + ">"
			nested, nestedRaw = reflect.Value{}, nil
		}
		if field.Type.Kind() == reflect.Slice {
			fieldPath += "[]"
			nested = reflect.Value{}
			if value.IsValid() && value.Len() > 0 {
				nested = value.Index(0)
			}
			if list, ok := rawValue.([]any); ok && len(list) > 0 {
				nestedRaw = list[0]
			}
		}
		for nested.IsValid() && nested.Kind() == reflect.Pointer {
			if nested.IsNil() {
				nested = reflect.Value{}
				break
			}
			nested = nested.Elem()
		}
		walk(out, d, nested, elem, nestedRaw, fieldPath)
	}
}

// mapKeyNames name the keys of the config's objects keyed by name, by field.
var mapKeyNames = map[string]string{"Accounts": "account", "Regions": "region"}

// typeName is a field's type in JSON's words.
func typeName(t reflect.Type) string {
	if t == reflect.TypeOf(config.ServiceMode("")) {
		return "create, existing or off"
	}
	switch t.Kind() {
	case reflect.Map:
		return "object of " + typeName(t.Elem())
	case reflect.Pointer:
		return typeName(t.Elem())
	case reflect.Slice:
		return "list of " + typeName(t.Elem())
	case reflect.Struct:
		return "object"
	case reflect.Int, reflect.Int32, reflect.Int64:
		return "integer"
	case reflect.Float64:
		return "number"
	case reflect.Bool:
		return "boolean"
	case reflect.String:
		return "string"
	}
	return t.Kind().String()
}

// defaultOf is what loading filled in for a field the file left out: "" where the file set it,
// "—" where nothing is filled in (an optional object, an empty value).
func defaultOf(v reflect.Value, written bool) string {
	switch {
	case written:
		return ""
	case !v.IsValid():
		return "—"
	}
	for v.Kind() == reflect.Pointer {
		if v.IsNil() {
			return "—"
		}
		v = v.Elem()
	}
	switch v.Kind() {
	case reflect.Struct:
		return ""
	case reflect.Bool:
		return fmt.Sprintf("`%t`", v.Bool())
	case reflect.Slice:
		if v.Len() == 0 {
			return "—"
		}
	}
	if v.IsZero() {
		return "—"
	}
	data, err := json.Marshal(v.Interface())
	if err != nil {
		return "—"
	}
	return "`" + strings.ReplaceAll(string(data), "|", `\|`) + "`"
}

package limits_test

import (
	"go/parser"
	"go/token"
	"path/filepath"
	"testing"
)

// lib/config, lib/plan and the CDK-free readers of the assembly import the limits; they must not
// pull anything in with them.
func TestLimits_ImportNothing(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	for _, file := range files {
		parsed, err := parser.ParseFile(token.NewFileSet(), file, nil, parser.ImportsOnly)
		if err != nil {
			t.Fatal(err)
		}
		if parsed.Name.Name == "limits" && len(parsed.Imports) > 0 {
			t.Errorf("%s imports %s: the limits are constants, for every layer", file, parsed.Imports[0].Path.Value)
		}
	}
}

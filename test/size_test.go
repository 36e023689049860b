package test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// Limits of the platform's own Go source (tests aside): a file or function past them does more
// than one thing, and is split by responsibility, as lib/service is.
const (
	maxFileLines     = 400
	maxFunctionLines = 100
)

// TestRepo_: a rule over the repository, not over a config, so make check (CHECK_RULES) leaves it out.
func TestRepo_NoSourceFileOver400LinesAndNoFunctionOver100(t *testing.T) {
	checked := 0
	for _, file := range sourceFiles(t, "..") {
		checked++
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		if lines := strings.Count(string(data), "\n"); lines > maxFileLines {
			t.Errorf("%s has %d lines, more than %d: split it by responsibility", file, lines, maxFileLines)
		}
		fset := token.NewFileSet()
		parsed, err := parser.ParseFile(fset, file, data, 0)
		if err != nil {
			t.Fatal(err)
		}
		for _, decl := range parsed.Decls {
			fn, ok := decl.(*ast.FuncDecl)
			if !ok || fn.Body == nil {
				continue
			}
			lines := fset.Position(fn.End()).Line - fset.Position(fn.Pos()).Line + 1
			if lines > maxFunctionLines {
				t.Errorf("%s: %s has %d lines, more than %d: split it by responsibility", fset.Position(fn.Pos()), fn.Name.Name, lines, maxFunctionLines)
			}
		}
	}
	if checked < 100 {
		t.Fatalf("checked %d source files; the walk from the repository's root went wrong", checked)
	}
}

// sourceFiles are the repository's Go files under root, tests, test data and dependencies aside.
func sourceFiles(t *testing.T, root string) []string {
	t.Helper()
	var files []string
	err := filepath.WalkDir(root, func(path string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if name := d.Name(); path != root && (strings.HasPrefix(name, ".") || name == "node_modules" || name == "testdata" || name == "cdk.out") {
				return filepath.SkipDir
			}
			return nil
		}
		if strings.HasSuffix(path, ".go") && !strings.HasSuffix(path, "_test.go") {
			files = append(files, path)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

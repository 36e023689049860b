package test

import (
	"go/parser"
	"go/token"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/example/platform/test/constructkit"
)

// Every test package that builds CDK constructs runs through constructkit.Main, which switches
// CDK's template validator off before the package's jsii runtime starts: otherwise the first
// template a test reads starts the validator's engine (about 3 s and 390 MiB; 11 s of
// lib/approval's 13 s on a busy machine), although only the validator's own tests are about it.
func TestConstructTests_RunWithoutCDKsValidator(t *testing.T) {
	root := constructkit.RepoRoot(t)
	imports := map[string]bool{} // test package directories that import the CDK
	mains := map[string]bool{}   // ... and those whose tests call constructkit.Main
	err := filepath.WalkDir(root, func(file string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if name := d.Name(); file != root && (strings.HasPrefix(name, ".") || name == "node_modules" || name == "cdk.out" || name == "testdata" || name == "api") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(file, "_test.go") {
			return nil
		}
		parsed, err := parser.ParseFile(token.NewFileSet(), file, nil, parser.ImportsOnly)
		if err != nil {
			return err
		}
		dir, _ := filepath.Rel(root, filepath.Dir(file))
		for _, spec := range parsed.Imports {
			if path, _ := strconv.Unquote(spec.Path.Value); strings.HasPrefix(path, "github.com/aws/aws-cdk-go/awscdk/") {
				imports[dir] = true
			}
		}
		source, err := os.ReadFile(file)
		if err != nil {
			return err
		}
		if strings.Contains(string(source), "constructkit.Main(m") {
			mains[dir] = true
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	constructkit.CheckedSomething(t, len(imports), "test package that imports the CDK")
	for _, dir := range slices.Sorted(maps.Keys(imports)) {
		if !mains[dir] {
			t.Errorf("%s's tests build CDK constructs but do not run through constructkit.Main: add func TestMain(m *testing.M) { constructkit.Main(m) }", dir)
		}
	}
}

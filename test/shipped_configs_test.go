package test

import (
	"go/ast"
	"go/parser"
	"go/token"
	"io/fs"
	"maps"
	"path"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/example/platform/test/constructkit"
)

// exampleTests are the only declarations of the module's tests that name a config the project
// ships (config/*.json but the schema): the tests of the examples themselves, each with why.
// Every other test runs on a fixture of its own (test/testdata, lib/config/testdata,
// lib/plan/testdata, or a config written in the test), so a fork that edits or deletes the
// examples, or adds its own config, keeps `make test` green.
var exampleTests = map[string]string{
	"test/shipped_configs_test.go:shippedConfigs":                                                                   "lists the shipped configs' names for this rule; reads none",
	"test/fixtures_test.go:exampleConfigs":                                                                          "the shipped configs, for the declarations below",
	"test/docs_test.go:TestDiagram_CommittedDocumentMatchesTheExampleConfig":                                        "docs/architecture.md is the example's",
	"test/runbook_test.go:TestRunbook_CommittedRunbookMatchesTheExampleConfig":                                      "docs/runbook.md is the example's",
	"test/release_readme_test.go:stageActionsMarkdown":                                                              "docs/delivery.md's table counts the examples' pipelines",
	"test/bootstrap_test.go:TestDocs_BootstrapRegionsAreThePlans":                                                   "docs/deploying.md's region table is the example's",
	"test/cost_test.go:TestDocs_CostTableIsTheExamplesEstimate":                                                     "docs/cost.md's table is the example's estimate",
	"test/cost_test.go:TestCost_ShippedConfigsBudgetsCoverTheirEstimates":                                           "each shipped config's budget covers its estimate",
	"test/adoption_test.go:existingOrganization":                                                                    "config/existing-organization.json adopts what its organization runs, with its own tag keys",
	"test/adoption_test.go:TestAdoption_TheOrganizationsAccountsCreateNoServiceYetKeepTheRulesAndRoutes":            "config/existing-organization.json adopts what its organization runs",
	"test/adoption_test.go:TestTags_EveryTaggableResourceCarriesTheOrganizationsKeys":                               "config/existing-organization.json carries its organization's tag keys",
	"test/boundary_test.go:organizationConfig":                                                                      "config/existing-organization.json's roles carry its boundary",
	"test/controls_test.go:guardedExamples":                                                                         "the shipped configs held to Control Tower's proactive controls",
	"test/controls_test.go:TestExample_ShippedConfigsPassControlTowersProactiveControls":                            "every shipped config passes the controls or is excused",
	"test/controls_test.go:startChecks":                                                                             "starts the shipped configs' checks as soon as each is synthesized",
	"test/schema_test.go:TestSchema_ShippedConfigsNameAndMeetIt":                                                    "every shipped config names and meets the schema",
	"test/variants_test.go:synthesisBudget":                                                                         "the budget names the shipped configs the example tests synthesize",
	"test/variants_test.go:holdSynthesisBudget":                                                                     "holds the suite to synthesisBudget, which names the shipped configs",
	"lib/config/footprint_test.go:TestExample_MinimalConfigLeavesEveryOptionalPartOut":                              "config/minimal.json is the smallest platform",
	"lib/plan/footprint_test.go:TestExample_MinimalEnvironmentHasAtMostSixStacks":                                   "config/minimal.json is the smallest platform",
	"internal/docspath/docspath_test.go:TestDir_KeepsTheExamplesDocsInDocsAndPutsEveryOtherPlatformsInItsOwnFolder": "the example's docs are the repository's",
	"cmd/docspath/main_test.go:TestDocspath_PrintsTheFolderMakeDocsWritesTo":                                        "the example's docs are the repository's",
}

// The project's tests test the code, not the examples: no test but exampleTests names a shipped
// config, by a path in a string, a filepath.Join of "config" and its name (or a glob), or a
// package-level variable or constant that holds one.
func TestFixtures_OnlyTheExamplesOwnTestsReadTheShippedConfigs(t *testing.T) {
	root := constructkit.RepoRoot(t)
	shipped := shippedConfigs(t, root)
	found := map[string]bool{}
	files := 0
	err := filepath.WalkDir(root, func(file string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if name := d.Name(); file != root && (strings.HasPrefix(name, ".") || name == "node_modules" || name == "cdk.out" || name == "testdata") {
				return filepath.SkipDir
			}
			return nil
		}
		if !strings.HasSuffix(file, "_test.go") {
			return nil
		}
		files++
		rel, _ := filepath.Rel(root, file)
		for _, decl := range declarationsNamingShippedConfigs(t, file, shipped) {
			key := filepath.ToSlash(rel) + ":" + decl
			found[key] = true
			if _, ok := exampleTests[key]; !ok {
				t.Errorf("%s names a shipped config (%s): run it on a fixture of its own (testdata/, or a config written in the test), "+
					"or, if it tests the example itself, add it to exampleTests with why", key, strings.Join(shipped, ", "))
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	constructkit.CheckedSomething(t, files, "test file")
	for _, key := range slices.Sorted(maps.Keys(exampleTests)) {
		if !found[key] {
			t.Errorf("exampleTests lists %s, which names no shipped config: remove it", key)
		}
	}
}

// shippedConfigs are the base names of the configs in config/, the schema aside.
func shippedConfigs(t *testing.T, root string) []string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(root, "config", "*.json"))
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, f := range files {
		if base := filepath.Base(f); base != "schema.json" {
			names = append(names, base)
		}
	}
	constructkit.CheckedSomething(t, len(names), "shipped config")
	return names
}

// declarationsNamingShippedConfigs are the names of file's top-level declarations (functions,
// variables, constants) that name a shipped config, directly or through a package-level
// variable or constant of file's package that does.
func declarationsNamingShippedConfigs(t *testing.T, file string, shipped []string) []string {
	t.Helper()
	fset := token.NewFileSet()
	pkg := map[string]*ast.File{}
	siblings, _ := filepath.Glob(filepath.Join(filepath.Dir(file), "*_test.go"))
	for _, f := range siblings {
		parsed, err := parser.ParseFile(fset, f, nil, parser.SkipObjectResolution)
		if err != nil {
			t.Fatal(err)
		}
		pkg[f] = parsed
	}
	holders := map[string]bool{}
	for _, parsed := range pkg {
		for _, decl := range parsed.Decls {
			if g, ok := decl.(*ast.GenDecl); ok && namesShipped(g, shipped, nil) {
				for _, spec := range g.Specs {
					if v, ok := spec.(*ast.ValueSpec); ok {
						for _, n := range v.Names {
							holders[n.Name] = true
						}
					}
				}
			}
		}
	}
	var names []string
	for _, decl := range pkg[file].Decls {
		switch d := decl.(type) {
		case *ast.FuncDecl:
			if namesShipped(d, shipped, holders) {
				names = append(names, d.Name.Name)
			}
		case *ast.GenDecl:
			for _, spec := range d.Specs {
				if v, ok := spec.(*ast.ValueSpec); ok && namesShipped(v, shipped, holders) {
					for _, n := range v.Names {
						names = append(names, n.Name)
					}
				}
			}
		}
	}
	return names
}

// namesShipped reports whether node holds a string naming a shipped config ("config/x.json",
// "../../config/./x.json"), a filepath.Join of "config" and a shipped name or a glob, or a use of
// one of holders.
func namesShipped(node ast.Node, shipped []string, holders map[string]bool) bool {
	found := false
	ast.Inspect(node, func(n ast.Node) bool {
		switch n := n.(type) {
		case *ast.BasicLit:
			if s, ok := stringLit(n); ok && namesShippedPath(s, shipped) {
				found = true
			}
		case *ast.CallExpr:
			for i := 0; i+1 < len(n.Args); i++ {
				dir, ok1 := stringLit(n.Args[i])
				name, ok2 := stringLit(n.Args[i+1])
				if ok1 && ok2 && dir == "config" && (slices.Contains(shipped, name) || strings.Contains(name, "*")) {
					found = true
				}
			}
		case *ast.Ident:
			found = found || holders[n.Name]
		}
		return !found
	})
	return found
}

func stringLit(e ast.Expr) (string, bool) {
	lit, ok := e.(*ast.BasicLit)
	if !ok || lit.Kind != token.STRING {
		return "", false
	}
	s, err := strconv.Unquote(lit.Value)
	return s, err == nil
}

// namesShippedPath reports whether s is a path to a shipped config: config/<name>, from the
// root or through parent folders.
func namesShippedPath(s string, shipped []string) bool {
	clean := path.Clean(s)
	for _, name := range shipped {
		if clean == "config/"+name || strings.HasSuffix(clean, "/config/"+name) {
			return true
		}
	}
	return false
}

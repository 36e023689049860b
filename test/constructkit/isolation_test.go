package constructkit_test

import (
	"encoding/json"
	"errors"
	"io"
	"maps"
	"os/exec"
	"slices"
	"strings"
	"testing"

	"github.com/example/platform/test/constructkit"
)

// listedPackage is what `go list -json` says of a package.
type listedPackage struct {
	ImportPath string
	Module     *struct{ Path string }
	Imports    []string
}

// goListTestDeps lists the packages matching patterns and every package their test binaries
// link, as `go list -test -deps` does, by import path (a test variant's path carries its
// binary: "pkg [pkg.test]").
func goListTestDeps(t *testing.T, patterns ...string) map[string]listedPackage {
	t.Helper()
	cmd := exec.Command("go", append([]string{"list", "-test", "-deps", "-json=ImportPath,Module,Imports"}, patterns...)...)
	cmd.Dir = constructkit.RepoRoot(t)
	var stderr strings.Builder
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("go list: %v\n%s", err, stderr.String())
	}
	packages := map[string]listedPackage{}
	decoder := json.NewDecoder(strings.NewReader(string(out)))
	for {
		var p listedPackage
		if err := decoder.Decode(&p); errors.Is(err, io.EOF) {
			break
		} else if err != nil {
			t.Fatalf("go list: %v", err)
		}
		packages[p.ImportPath] = p
	}
	return packages
}

// withoutVariant is a package's import path without the test binary a variant is built for.
func withoutVariant(importPath string) string {
	path, _, _ := strings.Cut(importPath, " [")
	return path
}

// importChain is the chain of imports from root to the first package (in breadth-first order)
// that offending accepts, or nil when root links none.
func importChain(packages map[string]listedPackage, root string, offending func(path string) bool) []string {
	previous := map[string]string{root: ""}
	queue := []string{root}
	for len(queue) > 0 {
		current := queue[0]
		queue = queue[1:]
		if current != root && offending(withoutVariant(current)) {
			var chain []string
			for p := current; p != ""; p = previous[p] {
				chain = append([]string{withoutVariant(p)}, chain...)
			}
			return chain
		}
		for _, imported := range packages[current].Imports {
			if _, seen := previous[imported]; !seen {
				previous[imported] = current
				queue = append(queue, imported)
			}
		}
	}
	return nil
}

// constructTests is the package that holds every construct's tests (one test binary for all of
// them: one link of CDK and one jsii runtime, not one per construct).
const constructTests = "test/constructs"

// Construct tests build one construct in a bare stack (constructkit), so they must not link the
// whole app or its config: `go list -test -deps ./test/constructs ./lib/...` names neither stacks
// nor lib/config, for the construct tests' binary (test/constructs.test) and for every package
// under lib/ but lib/config and lib/plan (the plan is computed from the config; it is no
// construct), with its tests if it has any. One `go list` lists every package's test binary (its
// root is "<pkg>.test"; a package without tests is its own root).
func TestConstructTests_LinkNeitherTheAppNorItsConfig(t *testing.T) {
	packages := goListTestDeps(t, "./"+constructTests, "./lib/...")
	module := packages["github.com/example/platform/lib/config"].Module
	if module == nil {
		t.Fatal("go list ./lib/... did not list lib/config: is the module still github.com/example/platform?")
	}
	short := func(path string) string { return strings.TrimPrefix(path, module.Path+"/") }
	forbidden := func(path string) bool { return short(path) == "lib/config" || short(path) == "stacks" }
	roots := map[string]string{} // test binary (or package) to check, by what the failure names
	if _, tested := packages[module.Path+"/"+constructTests+".test"]; !tested {
		t.Fatalf("go list -test ./%s listed no test binary: the construct tests moved; check them where they are now", constructTests)
	}
	roots[constructTests] = module.Path + "/" + constructTests + ".test"
	for path := range packages {
		construct, isLib := strings.CutPrefix(path, module.Path+"/lib/")
		if !isLib || construct == "config" || strings.HasPrefix(construct, "config/") || construct == "plan" ||
			strings.Contains(path, " [") || strings.HasSuffix(path, ".test") || strings.HasSuffix(path, "_test") {
			continue // not a package under lib/, lib/config or lib/plan, or a test variant of one
		}
		roots["lib/"+construct] = path
		if _, tested := packages[path+".test"]; tested {
			roots["lib/"+construct] = path + ".test"
		}
	}
	constructkit.CheckedSomething(t, len(roots)-1, "package under lib/")
	for _, name := range slices.Sorted(maps.Keys(roots)) {
		if chain := importChain(packages, roots[name], forbidden); chain != nil {
			for i := range chain {
				chain[i] = short(chain[i])
			}
			t.Errorf("%s: go list -test -deps includes %s, imported through %s; construct tests use test/constructkit, and constructs take plain props, not lib/config",
				name, chain[len(chain)-1], strings.Join(chain, " → "))
		}
	}
}

// constructkit is what keeps construct tests from linking the app: it imports no package of
// this module, directly or not.
func TestConstructKit_ImportsNoPackageOfThisModule(t *testing.T) {
	const kit = "github.com/example/platform/test/constructkit"
	packages := goListTestDeps(t, kit)
	p, ok := packages[kit]
	if !ok || p.Module == nil {
		t.Fatalf("go list did not list %s", kit)
	}
	inModule := func(path string) bool { return path == p.Module.Path || strings.HasPrefix(path, p.Module.Path+"/") }
	if chain := importChain(packages, kit, inModule); chain != nil {
		for i := range chain {
			chain[i] = strings.TrimPrefix(chain[i], p.Module.Path+"/")
		}
		t.Errorf("constructkit imports %s (%s): construct tests would link it; keep the kit free of this module's packages",
			chain[len(chain)-1], strings.Join(chain, " → "))
	}
}

package stacks

import (
	"go/ast"
	"go/parser"
	"go/token"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
)

// constructorsStacksMayCall are the aws… package constructors stacks may call: they build no
// resource (a policy statement is a value a CDK Pipelines step takes).
var constructorsStacksMayCall = map[string]bool{"awsiam.NewPolicyStatement": true}

// servicePackage matches the service packages of aws-cdk-lib (awsec2, awsecs, ...), not its
// core (awscdk: stacks, stages and outputs, which stacks/ makes).
var servicePackage = regexp.MustCompile(`^aws[a-z0-9]+$`)

const corePackage = "awscdk"

// stacks/ composes; lib/ builds. A stack file calls constructs from lib/, makes stacks and
// stages, and configures CDK Pipelines; it never creates a resource itself, so every resource
// has one home in lib/ and the next tier copies that example.
func TestStacks_ComposeConstructsAndBuildNoResourceThemselves(t *testing.T) {
	files, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	checked := 0
	for _, file := range files {
		if strings.HasSuffix(file, "_test.go") {
			continue
		}
		checked++
		fset := token.NewFileSet()
		parsed, err := parser.ParseFile(fset, file, nil, 0)
		if err != nil {
			t.Fatal(err)
		}
		ast.Inspect(parsed, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			selector, ok := call.Fun.(*ast.SelectorExpr)
			if !ok {
				return true
			}
			pkg, ok := selector.X.(*ast.Ident)
			if !ok || pkg.Name == corePackage || !servicePackage.MatchString(pkg.Name) || !strings.HasPrefix(selector.Sel.Name, "New") {
				return true
			}
			name := pkg.Name + "." + selector.Sel.Name
			if !constructorsStacksMayCall[name] {
				t.Errorf("%s: %s calls %s: build the resource in a construct under lib/ and compose that here", fset.Position(call.Pos()), file, name)
			}
			return true
		})
	}
	if checked == 0 {
		t.Fatal("no stack file found: the rule checked nothing")
	}
}

// Package constructkit is what every CDK test in this repository shares: an App configured as
// `cdk synth` configures it, a bare stack to build one construct in, and a helper that turns the
// Go bindings' assertion panics into test failures.
//
// It imports no package of this module, so the constructs' tests (test/constructs, one package
// for every lib/<construct>) link the constructs and CDK, never the whole app (stacks) or its
// config (lib/config); the whole-app harness, test/testkit, builds on it. A test package that synthesizes anything starts with
//
//	func TestMain(m *testing.M) { constructkit.Main(m) }
package constructkit

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/cxapi"
	"github.com/aws/jsii-runtime-go"
)

var (
	outdirs   []string
	outdirsMu sync.Mutex
)

// Main runs the package's tests with CDK's built-in template validation switched off (it costs
// most of a synthesis; the validation tests run it explicitly, once per config), then runs each
// of after (checks over the whole run; a nonzero result fails it), removes the synthesized
// assemblies and stops the jsii runtime.
func Main(m *testing.M, after ...func() int) {
	os.Setenv("CDK_VALIDATION", "false")
	os.Setenv("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
	// The jsii client is created while packages initialize, before this runs, and its Node
	// process inherits the environment as it was then. Closing that client (its process has
	// not started yet) makes the next CDK call start one that sees the settings above.
	jsii.Close()
	code := m.Run()
	for _, check := range after {
		if result := check(); code == 0 && result != 0 {
			code = result
		}
	}
	outdirsMu.Lock()
	for _, dir := range outdirs {
		os.RemoveAll(dir)
	}
	outdirsMu.Unlock()
	jsii.Close()
	os.Exit(code)
}

// Assert runs CDK assertions, which the Go bindings report by panicking, and turns a panic into
// a test failure carrying the assertion's message.
func Assert(t testing.TB, assertion func()) {
	t.Helper()
	defer func() {
		if r := recover(); r != nil {
			t.Fatalf("%v", r)
		}
	}()
	assertion()
}

// CheckedSomething fails the test when a loop that asserts over what a template holds (stacks,
// resources, rules, actions...) found nothing to assert on: every assertion inside a loop over
// an empty list passes. what names the list, as in "found no <what>".
func CheckedSomething(t testing.TB, count int, what string) {
	t.Helper()
	if count == 0 {
		t.Errorf("found no %s: the test checked nothing", what)
	}
}

// RepoRoot is the directory holding go.mod, found from the test's working directory.
func RepoRoot(t testing.TB) string {
	t.Helper()
	dir, err := FindRepoRoot()
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

// FindRepoRoot is RepoRoot for code that runs outside a test (TestMain, say).
func FindRepoRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the test's working directory")
		}
		dir = parent
	}
}

// NewApp returns an App with cdk.json's context (the pinned feature flags) and a temporary
// output directory: tests check the app that `cdk synth` builds, not one with other defaults.
// It writes no tree.json (the construct tree for IDE explorers), which no test reads and which
// cost a whole-app synthesis 0.2 to 0.35 s.
func NewApp(t testing.TB) awscdk.App {
	t.Helper()
	return awscdk.NewApp(&awscdk.AppProps{Context: CDKJSONContext(t), Outdir: jsii.String(TempDir(t)), TreeMetadata: jsii.Bool(false)})
}

// TempDir is a directory that lives until the test binary ends (Main removes it): for what
// several tests share, which t.TempDir would remove after the first.
func TempDir(t testing.TB) string {
	t.Helper()
	dir, err := MakeTempDir()
	if err != nil {
		t.Fatal(err)
	}
	return dir
}

// MakeTempDir is TempDir for code that runs outside a test.
func MakeTempDir() (string, error) {
	dir, err := os.MkdirTemp("", "platform-test-")
	if err != nil {
		return "", err
	}
	outdirsMu.Lock()
	outdirs = append(outdirs, dir)
	outdirsMu.Unlock()
	return dir, nil
}

// CDKJSONContext is the context cdk.json gives the app: its pinned feature flags.
func CDKJSONContext(t testing.TB) *map[string]any {
	t.Helper()
	context, err := ReadCDKJSONContext(RepoRoot(t))
	if err != nil {
		t.Fatal(err)
	}
	return &context
}

// ReadCDKJSONContext is the context of root's cdk.json, for code that runs outside a test.
func ReadCDKJSONContext(root string) (map[string]any, error) {
	data, err := os.ReadFile(filepath.Join(root, "cdk.json"))
	if err != nil {
		return nil, err
	}
	var cdkJSON struct {
		Context map[string]any `json:"context"`
	}
	if err := json.Unmarshal(data, &cdkJSON); err != nil {
		return nil, fmt.Errorf("cdk.json: %v", err)
	}
	return cdkJSON.Context, nil
}

// TestAccount is the documentation account ID construct tests deploy to.
const TestAccount = "111111111111"

// Stack returns an empty stack of a new App (NewApp), in TestAccount and region: where a
// construct test builds the one construct it checks.
func Stack(t testing.TB, region string) awscdk.Stack {
	t.Helper()
	return awscdk.NewStack(NewApp(t), jsii.String("Test"), &awscdk.StackProps{
		Env: &awscdk.Environment{Account: jsii.String(TestAccount), Region: jsii.String(region)},
	})
}

// TemplateOf synthesizes stack's app and returns the stack's template for assertions.
func TemplateOf(t testing.TB, stack awscdk.Stack) assertions.Template {
	t.Helper()
	var template assertions.Template
	Assert(t, func() { template = assertions.Template_FromStack(stack, nil) })
	return template
}

// NoSynthesisErrors synthesizes app and fails the test for every error a stack of it reports
// (cdk-nag's unaccepted findings among them, when the test applied the pack), and when the app
// has no stack.
func NoSynthesisErrors(t testing.TB, app awscdk.App) {
	t.Helper()
	var assembly cxapi.CloudAssembly
	Assert(t, func() { assembly = app.Synth(nil) })
	checked := 0
	for _, artifact := range *assembly.Stacks() {
		checked++
		for _, m := range *artifact.Messages() {
			if m.Level == cxapi.SynthesisMessageLevel_ERROR {
				t.Errorf("%s %s: %v", *artifact.StackName(), *m.Id, m.Entry.Data)
			}
		}
	}
	CheckedSomething(t, checked, "stack")
}

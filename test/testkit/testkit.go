// Package testkit is what every CDK test in this repository shares: an App configured as
// `cdk synth` configures it, one synthesis of the whole platform per config file and test
// binary, and a helper that turns the Go bindings' assertion panics into test failures.
//
// A test package that synthesizes anything starts with
//
//	func TestMain(m *testing.M) { testkit.Main(m) }
package testkit

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"sync"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/cxapi"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/example/platform/internal/toolchain"
	"github.com/example/platform/lib/config"
	"github.com/example/platform/stacks"
)

var (
	outdirs   []string
	outdirsMu sync.Mutex
)

// Main runs the package's tests with CDK's built-in template validation switched off (it costs
// most of a synthesis; Synth runs it explicitly, once per config), then removes the synthesized
// assemblies and stops the jsii runtime.
func Main(m *testing.M) {
	os.Setenv("CDK_VALIDATION", "false")
	os.Setenv("JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION", "20")
	// The jsii client is created while packages initialize, before this runs, and its Node
	// process inherits the environment as it was then. Closing that client (its process has
	// not started yet) makes the next CDK call start one that sees the settings above.
	jsii.Close()
	code := m.Run()
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

// RepoRoot is the directory holding go.mod, found from the test's working directory.
func RepoRoot(t testing.TB) string {
	t.Helper()
	dir, err := os.Getwd()
	if err != nil {
		t.Fatal(err)
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			t.Fatal("no go.mod above the test's working directory")
		}
		dir = parent
	}
}

// NewApp returns an App with cdk.json's context (the pinned feature flags) and a temporary
// output directory: tests check the app that `cdk synth` builds, not one with other defaults.
func NewApp(t testing.TB) awscdk.App {
	t.Helper()
	return awscdk.NewApp(&awscdk.AppProps{Context: CDKJSONContext(t), Outdir: jsii.String(TempDir(t))})
}

// TempDir is a directory that lives until the test binary ends (Main removes it): for what
// several tests share, which t.TempDir would remove after the first.
func TempDir(t testing.TB) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "platform-test-")
	if err != nil {
		t.Fatal(err)
	}
	outdirsMu.Lock()
	outdirs = append(outdirs, dir)
	outdirsMu.Unlock()
	return dir
}

// CDKJSONContext is the context cdk.json gives the app: its pinned feature flags.
func CDKJSONContext(t testing.TB) *map[string]any {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(RepoRoot(t), "cdk.json"))
	if err != nil {
		t.Fatal(err)
	}
	var cdkJSON struct {
		Context map[string]any `json:"context"`
	}
	if err := json.Unmarshal(data, &cdkJSON); err != nil {
		t.Fatalf("cdk.json: %v", err)
	}
	return &cdkJSON.Context
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

// Platform is the whole app synthesized for one config file.
type Platform struct {
	Config   *config.Platform
	Stacks   *stacks.Platform
	Assembly cxapi.CloudAssembly
	// Outdir holds the cloud assembly, including validation-report.json.
	Outdir string

	byName    map[string]awscdk.Stack
	templates sync.Map
}

var (
	platforms   = map[string]*Platform{}
	platformsMu sync.Mutex
)

// Synth returns the platform for configFile (relative to the repository root), synthesizing it
// on first use; later calls in the same test binary share the result. CDK's CloudFormation
// validator runs during that one synthesis and writes validation-report.json to Outdir.
func Synth(t testing.TB, configFile string) *Platform {
	t.Helper()
	platformsMu.Lock()
	defer platformsMu.Unlock()
	if p, ok := platforms[configFile]; ok {
		return p
	}
	cfg := LoadConfig(t, configFile)
	p := Build(t, cfg, configFile, true)
	platforms[configFile] = p
	return p
}

// LoadConfig loads a config file relative to the repository root.
func LoadConfig(t testing.TB, configFile string) *config.Platform {
	t.Helper()
	cfg, err := config.Load(filepath.Join(RepoRoot(t), configFile))
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// Build synthesizes the whole app for cfg (loaded from configFile), uncached: for tests that
// compare the app across config changes. validate runs CDK's CloudFormation validator too.
func Build(t testing.TB, cfg *config.Platform, configFile string, validate bool) *Platform {
	t.Helper()
	app := NewApp(t)
	if validate {
		// Report validation findings in the assembly rather than failing the process: the
		// tests read the report and say which rule failed where.
		app.Node().SetContext(jsii.String("@aws-cdk/core:failSynthOnValidationErrors"), false)
		awscdk.Validations_Of(app).AddPlugins(awscdk.NewCloudFormationValidatePlugin(nil))
	}
	tools, err := toolchain.Read(RepoRoot(t))
	if err != nil {
		t.Fatal(err)
	}
	built := stacks.NewPlatform(app, cfg, configFile, tools)
	var assembly cxapi.CloudAssembly
	Assert(t, func() { assembly = app.Synth(nil) })
	p := &Platform{Config: cfg, Stacks: built, Assembly: assembly, Outdir: *assembly.Directory(), byName: map[string]awscdk.Stack{}}
	for _, c := range *app.Node().FindAll(constructs.ConstructOrder_PREORDER) {
		if *awscdk.Stack_IsStack(c) {
			stack := awscdk.Stack_Of(c)
			p.byName[*stack.StackName()] = stack
		}
	}
	return p
}

// StackNames are the CloudFormation names of every stack, sorted.
func (p *Platform) StackNames() []string {
	names := make([]string, 0, len(p.byName))
	for name := range p.byName {
		names = append(names, name)
	}
	sort.Strings(names)
	return names
}

// Stack returns the stack with CloudFormation name name.
func (p *Platform) Stack(t testing.TB, name string) awscdk.Stack {
	t.Helper()
	stack, ok := p.byName[name]
	if !ok {
		t.Fatalf("no stack %q; the app has %v", name, p.StackNames())
	}
	return stack
}

// Template returns the synthesized template of the named stack for assertions.
func (p *Platform) Template(t testing.TB, name string) assertions.Template {
	t.Helper()
	if template, ok := p.templates.Load(name); ok {
		return template.(assertions.Template)
	}
	stack := p.Stack(t, name)
	var template assertions.Template
	Assert(t, func() { template = assertions.Template_FromStack(stack, nil) })
	p.templates.Store(name, template)
	return template
}

// Artifacts are the synthesized stacks of every stage.
func (p *Platform) Artifacts() []cxapi.CloudFormationStackArtifact {
	return *p.Assembly.StacksRecursively()
}

// Errors lists every error annotation (cdk-nag findings among them) on any stack.
func (p *Platform) Errors() []string {
	var errs []string
	for _, artifact := range p.Artifacts() {
		for _, message := range *artifact.Messages() {
			if message.Level == cxapi.SynthesisMessageLevel_ERROR {
				errs = append(errs, fmt.Sprintf("%s: %v", *message.Id, message.Entry.Data))
			}
		}
	}
	return errs
}

// Package testkit is the whole-app harness: one synthesis of the whole platform per config file
// and test binary, and lookups of its stacks and templates. It builds on test/constructkit (the
// App as `cdk synth` configures it, Assert, Main), which a test package using testkit calls too:
//
//	func TestMain(m *testing.M) { constructkit.Main(m) }
//
// Construct tests (test/constructs) use constructkit alone: testkit links the whole app.
package testkit

import (
	"fmt"
	"path/filepath"
	"sort"
	"sync"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/cxapi"
	"github.com/aws/constructs-go/constructs/v10"

	"github.com/example/platform/internal/toolchain"
	"github.com/example/platform/lib/config"
	"github.com/example/platform/stacks"
	"github.com/example/platform/test/constructkit"
)

// Platform is the whole app synthesized for one config file.
type Platform struct {
	Config *config.Platform
	// ConfigFile is the config's path relative to the repository root, as the app is given it.
	ConfigFile string
	Stacks     *stacks.Platform
	Assembly   cxapi.CloudAssembly
	// Outdir holds the cloud assembly (with validation-report.json when Build validated it).
	Outdir string

	byName    map[string]awscdk.Stack
	templates sync.Map

	app            awscdk.App
	validateOnce   sync.Once
	validationDone chan struct{}
	violations     []*awscdk.PolicyViolation
	acknowledged   map[string]bool
	validationErr  error
	splitOnce      sync.Once
	validation     *Validation
}

var (
	platforms   = map[string]*Platform{}
	platformsMu sync.Mutex
	synthesized []func(*Platform)
)

// OnSynth has Synth call then with every config's platform as soon as it is synthesized, so a
// test package can start work of its own on it (a check in another process, say) while the
// tests go on synthesizing. It is meant for TestMain, before the tests run.
func OnSynth(then func(*Platform)) {
	platformsMu.Lock()
	defer platformsMu.Unlock()
	synthesized = append(synthesized, then)
}

// Synth returns the platform for configFile (relative to the repository root), synthesizing it
// on first use; later calls in the same test binary share the result. CDK's CloudFormation
// validator does not run during it: a test about validation calls Validate on the result.
func Synth(t testing.TB, configFile string) *Platform {
	t.Helper()
	platformsMu.Lock()
	defer platformsMu.Unlock()
	if p, ok := platforms[configFile]; ok {
		return p
	}
	cfg := LoadConfig(t, configFile)
	p := Build(t, cfg, configFile)
	platforms[configFile] = p
	for _, then := range synthesized {
		then(p)
	}
	return p
}

// LoadConfig loads a config file relative to the repository root (or absolute, as make check may
// be given one).
func LoadConfig(t testing.TB, configFile string) *config.Platform {
	t.Helper()
	path := configFile
	if !filepath.IsAbs(path) {
		path = filepath.Join(constructkit.RepoRoot(t), configFile)
	}
	cfg, err := config.Load(path)
	if err != nil {
		t.Fatal(err)
	}
	return cfg
}

// Build synthesizes the whole app for cfg (loaded from configFile), uncached: each call is one
// more synthesis, counted in Syntheses. A test binary builds each variant of a config it needs
// once and shares it (see test/variants_test.go). Validate runs CDK's CloudFormation validator
// over the assembly, in its own process.
func Build(t testing.TB, cfg *config.Platform, configFile string) *Platform {
	t.Helper()
	return build(t, cfg, configFile, configFile)
}

// Variant synthesizes cfg, a change of configFile's config, uncached, as the app synthesizes
// configFile; Syntheses lists it as name.
func Variant(t testing.TB, cfg *config.Platform, configFile, name string) *Platform {
	t.Helper()
	return build(t, cfg, configFile, name)
}

func build(t testing.TB, cfg *config.Platform, configFile, name string) *Platform {
	t.Helper()
	countSynthesis(name)
	app := constructkit.NewApp(t)
	tools, err := toolchain.Read(constructkit.RepoRoot(t))
	if err != nil {
		t.Fatal(err)
	}
	built := stacks.NewPlatform(app, cfg, configFile, tools, nil)
	var assembly cxapi.CloudAssembly
	constructkit.Assert(t, func() { assembly = app.Synth(nil) })
	p := &Platform{Config: cfg, ConfigFile: configFile, Stacks: built, Assembly: assembly, Outdir: *assembly.Directory(), byName: map[string]awscdk.Stack{}, app: app}
	// Every stack is the App's or a stage's child: fetching the app's thousands of constructs to
	// find them would cost far more.
	for _, c := range *app.Node().Children() {
		scope := []constructs.IConstruct{c}
		if stage, ok := c.(awscdk.Stage); ok {
			scope = *stage.Node().Children()
		}
		for _, child := range scope {
			if stack, ok := child.(awscdk.Stack); ok {
				p.byName[*stack.StackName()] = stack
			}
		}
	}
	// Every test that loops over the stacks or the artifacts relies on there being some.
	if len(p.byName) == 0 || len(p.Artifacts()) == 0 {
		t.Fatalf("%s: the app synthesized no stack", configFile)
	}
	if len(p.byName) != len(p.Artifacts()) {
		t.Fatalf("%s: %d stacks among the App's and its stages' children, %d in the assembly: a stack is nested deeper", configFile, len(p.byName), len(p.Artifacts()))
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
	template := constructkit.TemplateOf(t, p.Stack(t, name))
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

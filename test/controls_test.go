package test

import (
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/example/platform/internal/guard"
	"github.com/example/platform/lib/config"
	"github.com/example/platform/test/constructkit"
	"github.com/example/platform/test/testkit"
)

// Control Tower's proactive controls (CloudFormation hooks an organization may turn on) fail a
// resource before it is created: every control that applies to the assembly's resource types
// passes, or the platform declares why not in internal/guard's Exceptions (docs/security.md).
// The rules are AWS's own, from the cfn-guard package package.json pins, run once per config over
// all of its templates (in a full run, from the moment the config is synthesized: guardOf).
func TestRule_PassesControlTowersProactiveControls(t *testing.T) {
	holdToControls(t, configs)
}

// guardedExamples are the shipped configs held to Control Tower's proactive controls: each is a
// platform a user deploys as it is, with settings of its own (retention, protection, footprint,
// an organization's boundary and tag keys) that the fixtures do not have.
var guardedExamples = append(slices.Clone(exampleConfigs), "config/minimal.json", existingOrganization)

// The shipped configs pass the controls too, or the declared exceptions excuse them.
func TestExample_ShippedConfigsPassControlTowersProactiveControls(t *testing.T) {
	fixtureOnly(t, "the shipped configs")
	holdToControls(t, guardedExamples)
}

// holdToControls fails every finding of cfn-guard over files' templates that no declared
// exception excuses.
func holdToControls(t *testing.T, files []string) {
	t.Helper()
	assemblies := make([]*deployed, len(files))
	runs := make([]*guardRun, len(files))
	for i, file := range files {
		p := testkit.Synth(t, file)
		assemblies[i], runs[i] = assemblyOf(t, p), guardOf(p)
	}
	// The rest runs after the package's other tests, while cfn-guard checks in the background:
	// it calls nothing of CDK's, and waiting here would hold up the syntheses still to come.
	t.Parallel()
	start := time.Now()
	for _, run := range runs {
		<-run.done
	}
	t.Logf("waited %s for cfn-guard over %d configs' templates", time.Since(start).Round(time.Millisecond), len(runs))
	for i, a := range assemblies {
		t.Run(a.platform.ConfigFile, func(t *testing.T) {
			t.Logf("cfn-guard took %s", runs[i].elapsed.Round(time.Millisecond))
			if runs[i].err != nil {
				t.Fatal(runs[i].err)
			}
			envs := guardEnvironments(a.platform.Config)
			for _, f := range runs[i].findings {
				var env *guard.Environment
				if s := a.byName[f.Stack]; s != nil {
					env = envs[s.Stage]
				}
				if guard.Excused(f, env) == nil {
					t.Errorf("%s/%s fails %s (%s): %s; fix the construct, or declare why not in internal/guard's Exceptions",
						f.Stack, f.Resource, f.Control, f.Rule, f.Fix)
				}
			}
		})
	}
}

// guardRun is cfn-guard's check of one platform's templates.
type guardRun struct {
	done     chan struct{} // closed when the check has ended
	findings []guard.Finding
	err      error
	elapsed  time.Duration
}

var (
	guardRuns   = map[*testkit.Platform]*guardRun{}
	guardRunsMu sync.Mutex
)

// guardOf is cfn-guard's check of p's templates, started in the background on first use, once
// per platform and test binary.
func guardOf(p *testkit.Platform) *guardRun {
	guardRunsMu.Lock()
	defer guardRunsMu.Unlock()
	run, ok := guardRuns[p]
	if !ok {
		run = &guardRun{done: make(chan struct{})}
		guardRuns[p] = run
		go run.check(p)
	}
	return run
}

func (r *guardRun) check(p *testkit.Platform) {
	defer close(r.done)
	start := time.Now()
	root, err := constructkit.FindRepoRoot()
	var tool guard.Tool
	if err == nil {
		tool, err = guard.Find(root)
	}
	var a *deployed
	if err == nil {
		a, err = readAssembly(p)
	}
	dir := ""
	if err == nil {
		dir, err = constructkit.MakeTempDir()
	}
	if err == nil {
		// In a full run, one invocation at a time, in the background lane: the tests' Node
		// process has the other core. A targeted run waits for it: one per CPU.
		if fullRun() {
			tool.Parallel = 1
		}
		testkit.InBackgroundLane(func() { r.findings, err = tool.Check(a.stacks, dir) })
	}
	r.err, r.elapsed = err, time.Since(start)
}

// startChecks has a full run start, as soon as each config is synthesized, the checks of it that
// run in processes of their own: cfn-guard's and CDK's validator's. They run on the core Node
// leaves while the tests synthesize the other configs, instead of after them.
func startChecks() {
	if fullRun() {
		testkit.OnSynth(func(p *testkit.Platform) {
			if slices.Contains(configs, p.ConfigFile) {
				// The validation tests run after the controls test: cfn-guard goes first.
				p.PrepareValidation(guardOf(p).done)
			} else if slices.Contains(guardedExamples, p.ConfigFile) {
				guardOf(p)
			}
		})
	}
}

// guardEnvironments are the settings the exceptions depend on, by stage (environment) name.
func guardEnvironments(p *config.Platform) map[string]*guard.Environment {
	envs := map[string]*guard.Environment{}
	for _, env := range p.Environments {
		envs[env.Name] = &guard.Environment{
			Name: env.Name, Protected: env.Protected(), LogRetentionDays: env.Monitoring.LogRetentionDays,
			MasterUsername: env.Database.MasterUsername, Domain: env.DNS != nil,
		}
	}
	return envs
}

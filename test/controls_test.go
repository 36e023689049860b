package test

import (
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
// all of its templates, the configs side by side.
func TestRule_PassesControlTowersProactiveControls(t *testing.T) {
	tool, err := guard.Find(constructkit.RepoRoot(t))
	if err != nil {
		t.Fatal(err)
	}
	assemblies := make([]*deployed, len(configs))
	for i, file := range configs {
		assemblies[i] = assemblyOf(t, testkit.Synth(t, file))
	}
	findings := make([][]guard.Finding, len(assemblies))
	errs := make([]error, len(assemblies))
	var wg sync.WaitGroup
	start := time.Now()
	for i, a := range assemblies {
		dir := t.TempDir()
		wg.Go(func() { findings[i], errs[i] = tool.Check(a.stacks, dir) })
	}
	wg.Wait()
	t.Logf("cfn-guard over %d configs' templates in %s", len(assemblies), time.Since(start).Round(time.Millisecond))
	for i, a := range assemblies {
		t.Run(a.platform.ConfigFile, func(t *testing.T) {
			if errs[i] != nil {
				t.Fatal(errs[i])
			}
			envs := guardEnvironments(a.platform.Config)
			for _, f := range findings[i] {
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

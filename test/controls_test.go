package test

import (
	"testing"

	"github.com/example/platform/internal/guard"
	"github.com/example/platform/test/constructkit"
)

// Control Tower's proactive controls (CloudFormation hooks an organization may turn on) fail a
// resource before it is created: every control that applies to the assembly's resource types
// passes, or the platform declares why not in internal/guard's Exceptions. The rules are AWS's
// own, from the cfn-guard package package.json pins, run once per config over all its templates.
func TestRule_PassesControlTowersProactiveControls(t *testing.T) {
	tool, err := guard.Find(constructkit.RepoRoot(t))
	if err != nil {
		t.Fatal(err)
	}
	eachAssembly(t, func(t *testing.T, a *deployed) {
		envs := map[string]*guard.Environment{}
		for _, env := range a.platform.Config.Environments {
			envs[env.Name] = &guard.Environment{Name: env.Name, Protected: env.Protected(), LogRetentionDays: env.Monitoring.LogRetentionDays,
				MasterUsername: env.Database.MasterUsername, Domain: env.DNS != nil}
		}
		findings, err := tool.Check(a.stacks, t.TempDir())
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range findings {
			var env *guard.Environment
			if s := a.byName[f.Stack]; s != nil {
				env = envs[s.Stage]
			}
			if guard.Excused(f, env) == nil {
				t.Errorf("%s fails %s (%s): %s; fix the construct, or declare why not in internal/guard's Exceptions", f.Stack+"/"+f.Resource, f.Control, f.Rule, f.Fix)
			}
		}
	})
}

package test

import (
	"strings"
	"testing"

	"github.com/example/platform/internal/preflight"
)

// retainedNamesNotChecked are resource types that outlive their stack under a fixed name and
// that the preflight does not check, each with why a leftover cannot stop a first deployment.
var retainedNamesNotChecked = map[string]string{
	// Managed Grafana API reference, CreateWorkspace: workspaceName "does not have to be unique";
	// a leftover workspace costs until deleted but does not fail the create.
	"AWS::Grafana::Workspace": "workspace names need not be unique",
}

// A resource that outlives its stack (DeletionPolicy Retain, RetainExceptOnCreate or Snapshot)
// under a name the template fixes is still there after a failed or deleted deployment, and the
// next create of that name fails: make preflight must look for it (docs/deploying.md, Preflight).
func TestRule_PreflightChecksEveryNameThatOutlivesItsStack(t *testing.T) {
	eachAssembly(t, func(t *testing.T, a *deployed) {
		for _, s := range a.stacks {
			for id, r := range s.Template.Resources {
				typ, _ := r["Type"].(string)
				switch r["DeletionPolicy"] {
				case "Retain", "RetainExceptOnCreate", "Snapshot":
				default:
					continue
				}
				if _, checked := preflight.ChecksNamesOf(typ); checked || retainedNamesNotChecked[typ] != "" {
					continue
				}
				props, _ := r["Properties"].(map[string]any)
				for prop, value := range props {
					if _, literal := value.(string); literal && (strings.HasSuffix(prop, "Name") || strings.HasSuffix(prop, "Identifier")) {
						t.Errorf("%s/%s (%s) keeps %s %q after its stack is gone, and make preflight does not look for it: add %s to internal/preflight's name checks",
							s.Name, id, typ, prop, value, typ)
					}
				}
			}
		}
	})
}

// Every name the preflight checks is one the templates give: the assembly's named resources of
// a checked type are all found.
func TestRule_PreflightFindsTheNamedResourcesOfTheAssembly(t *testing.T) {
	eachAssembly(t, func(t *testing.T, a *deployed) {
		named := (&preflight.Assembly{Stacks: a.stacks}).Named()
		found := map[string]bool{}
		for _, n := range named {
			found[n.Stack+" "+n.Name] = true
		}
		for _, s := range a.stacks {
			for id, r := range s.Template.Resources {
				typ, _ := r["Type"].(string)
				prop, checked := preflight.ChecksNamesOf(typ)
				props, _ := r["Properties"].(map[string]any)
				if name, literal := props[prop].(string); checked && literal && !found[s.Name+" "+name] {
					t.Errorf("%s/%s (%s) is named %q, and the preflight does not check it", s.Name, id, typ, name)
				}
			}
		}
	})
}

package test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/example/platform/internal/assembly"
	"github.com/example/platform/internal/diagram"
	"github.com/example/platform/test/constructkit"
	"github.com/example/platform/test/testkit"
)

func renderDiagram(t *testing.T, p *testkit.Platform, file string) (string, []*assembly.Stack) {
	t.Helper()
	stacks := assemblyOf(t, p).stacks
	var out strings.Builder
	diagram.Render(&out, file, stacks)
	return out.String(), stacks
}

func TestDiagram_CoversEveryStackAndDependencyOfTheAssembly(t *testing.T) {
	for _, file := range configs {
		p := testkit.Synth(t, file)
		doc, stacks := renderDiagram(t, p, file)
		if len(stacks) != len(p.Artifacts()) {
			t.Errorf("%s: the assembly reader found %d stacks, the app has %d", file, len(stacks), len(p.Artifacts()))
		}
		node := func(name string) string { return "stack_" + strings.NewReplacer("-", "_").Replace(name) }
		drawnEdges := 0
		for _, s := range stacks {
			if !strings.Contains(doc, node(s.Name)+`["<b>`+s.Name+`</b>`) || !strings.Contains(doc, "| "+s.Name+" |") {
				t.Errorf("%s: the diagram leaves out %s", file, s.Name)
			}
			for _, dep := range s.DependsOn {
				drawnEdges++
				if !strings.Contains(doc, node(dep)+" --> "+node(s.Name)) {
					t.Errorf("%s: the diagram leaves out %s deploying after %s", file, s.Name, dep)
				}
			}
		}
		constructkit.CheckedSomething(t, drawnEdges, "stack dependency in "+file)
		if !strings.Contains(doc, "## Pipeline (") || !strings.Contains(doc, "UpdatePipeline") {
			t.Errorf("%s: the diagram has no pipeline", file)
		}
	}
}

// docs/architecture.md is generated (make diagram); this keeps the committed copy current.
func TestDiagram_CommittedDocumentMatchesTheExampleConfig(t *testing.T) {
	p := testkit.Synth(t, "config/example.json")
	doc, _ := renderDiagram(t, p, "config/example.json")
	committed, err := os.ReadFile(filepath.Join(constructkit.RepoRoot(t), "docs", "architecture.md"))
	if err != nil {
		t.Fatalf("%v: run make diagram", err)
	}
	if string(committed) != doc {
		t.Error("docs/architecture.md is out of date with the app: run make diagram and commit it")
	}
}

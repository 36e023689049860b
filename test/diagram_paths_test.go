package test

import (
	"fmt"
	"regexp"
	"strings"
	"testing"

	"github.com/example/platform/test/constructkit"
	"github.com/example/platform/test/testkit"
)

func pathNode(env string, parts ...string) string {
	return regexp.MustCompile(`[^A-Za-z0-9_]`).ReplaceAllString(strings.Join(append([]string{"p", env}, parts...), "_"), "_")
}

// The architecture document draws how requests reach every region and how the database, the
// table, the lake and backups move between regions, from the assembly of both configs.
func TestDiagram_DrawsTheRequestAndReplicationPaths(t *testing.T) {
	for _, file := range configs {
		p := testkit.Synth(t, file)
		doc, _ := renderDiagram(t, p, file)
		_, paths, found := strings.Cut(doc, "\n## Request and replication paths\n")
		if !found {
			t.Fatalf("%s: the diagram has no request and replication paths", file)
		}
		paths, _, _ = strings.Cut(paths, "\n## ")
		edges := 0
		want := func(env, from, label, to string) {
			edges++
			line := strings.TrimSpace(fmt.Sprintf("%s -%s %s", from, label, to))
			if !strings.Contains(paths, line) {
				t.Errorf("%s: %s: the paths do not draw %s", file, env, line)
			}
		}
		for _, env := range p.Config.Environments {
			primary := env.Regions[0].Region
			n := func(parts ...string) string { return pathNode(env.Name, parts...) }
			for _, r := range env.Regions {
				if r.Region == primary {
					continue
				}
				want(env.Name, n(r.Region, "svc"), "->|writes: global writer endpoint|", n(primary, "db"))
				want(env.Name, n(primary, "db"), ".->|storage replication|", n(r.Region, "db"))
				want(env.Name, n(primary, "lake"), ".->|bucket replication|", n(r.Region, "lake"))
			}
			if len(env.Regions) > 1 {
				want(env.Name, n("edge"), "->|origin group: primary", "")
				want(env.Name, n("edge"), ".->|reads fail over|", n(env.Regions[1].Region, "alb"))
				for _, r := range env.Regions {
					want(env.Name, n("ga"), "->|nearest healthy|", n(r.Region, "ialb"))
				}
			}
		}
		constructkit.CheckedSomething(t, edges, "path in "+file)
	}
}

// The baseline spans accounts: each of its stacks is drawn inside its own account's box, and
// no box is drawn twice.
func TestDiagram_LabelsTheBaselineByAccountAndDrawsEachBoxOnce(t *testing.T) {
	for _, file := range configs {
		p := testkit.Synth(t, file)
		doc, stacks := renderDiagram(t, p, file)
		seen := map[string]bool{}
		for _, m := range regexp.MustCompile(`subgraph (\S+)\[`).FindAllStringSubmatch(doc, -1) {
			if seen[m[1]] {
				t.Errorf("%s: the diagram draws %s twice", file, m[1])
			}
			seen[m[1]] = true
		}
		checked := 0
		for _, s := range stacks {
			if s.Stage != "baseline" {
				continue
			}
			checked++
			box := "subgraph account_baseline_" + s.Account + `["account ` + s.Account + `"]`
			_, after, ok := strings.Cut(doc, box)
			node := "stack_" + strings.ReplaceAll(s.Name, "-", "_") + "["
			if !ok || !strings.Contains(strings.SplitN(after, "\n    end\n", 2)[0], node) {
				t.Errorf("%s: %s is not drawn in account %s's box", file, s.Name, s.Account)
			}
		}
		constructkit.CheckedSomething(t, checked, "baseline stack in "+file)
	}
}

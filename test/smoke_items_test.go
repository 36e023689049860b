package test

import (
	"strings"
	"testing"

	"github.com/example/platform/test/testkit"
)

// The smoke test of every environment walks the shipped service's write path end to end: an
// item written through the edge, read back through the accelerator, and its event processed
// from the work queue.
func TestPipeline_SmokeTestWritesAnItemAndSeesItsEventProcessed(t *testing.T) {
	for _, file := range configs {
		p := testkit.Synth(t, file)
		if p.Config.Service.Dockerfile != "api/Dockerfile" {
			t.Skipf("%s builds another service, which need not have the item routes", file)
		}
		pipeline, res := pipelineOf(t, p)
		for _, env := range p.Config.Environments {
			smoke, found := actionNamed(stageNamed(t, pipeline, env.Name), "SmokeTest")
			if !found {
				t.Errorf("%s/%s: no smoke test", file, env.Name)
				continue
			}
			buildSpec := buildSpecOf(t, res, smoke)
			for _, want := range []string{`-X POST`, `${SITE_URL}/items`, `${API_URL}/items/${ITEM}`, `${API_URL}/items/${ITEM}/processing`} {
				if !strings.Contains(buildSpec, want) {
					t.Errorf("%s/%s: the smoke test's build spec has no %s", file, env.Name, want)
				}
			}
		}
	}
}

package test

// The variants of the fixtures the whole-app tests need, one per purpose, each synthesized once
// per test binary and shared by every test it serves, and the budget that keeps them few: a
// whole-app synthesis costs 5 to 10 s of CPU, the most of any step in `make test`.

import (
	"fmt"
	"os"
	"slices"
	"strings"
	"sync"
	"testing"

	"github.com/example/platform/lib/config"
	"github.com/example/platform/test/testkit"
)

// releaseDigest is the release the released variant deploys.
var releaseDigest = "sha256:" + strings.Repeat("5e", 32)

// The variants, by the name Syntheses lists them under.
var (
	releasedName   = twoEnvironments + " with a new release, new sizing and a one-region staging"
	peeringOffName = threeRegions + " with interRegionPeering off"
)

var (
	variants   = map[string]*testkit.Platform{}
	variantsMu sync.Mutex
)

// variant synthesizes the config file changed by change, once per test binary and name.
func variant(t *testing.T, name, file string, change func(t *testing.T, cfg *config.Platform)) *testkit.Platform {
	t.Helper()
	variantsMu.Lock()
	defer variantsMu.Unlock()
	if p, ok := variants[name]; ok {
		return p
	}
	cfg := testkit.LoadConfig(t, file)
	change(t, cfg)
	p := testkit.Variant(t, cfg, file, name)
	variants[name] = p
	return p
}

// released is the two-environment fixture as the pipeline synthesizes it for a release
// (-c imageDigest=releaseDigest), with every environment's task size and scaling bounds changed
// too (what a release and a resizing change in an app stack, and what they must leave alone),
// and with staging cut to its primary region: an environment of one region (no replication,
// peering or plans), deployed before a multi-region prod. One synthesis serves both purposes:
// the release's tests compare the app stacks it has (staging's primary, prod's primary and
// secondary) with the fixture's, and the one-region tests read staging.
func released(t *testing.T) *testkit.Platform {
	t.Helper()
	return variant(t, releasedName, twoEnvironments, func(t *testing.T, cfg *config.Platform) {
		if err := cfg.SetImageDigest(releaseDigest); err != nil {
			t.Fatal(err)
		}
		for i := range cfg.Environments {
			s := &cfg.Environments[i].Sizing
			s.TaskCPU, s.TaskMemoryMiB, s.MinCapacity, s.MaxCapacity = 2048, 8192, 4, 40
			if cfg.Environments[i].Name == "staging" {
				cfg.Environments[i].Regions = cfg.Environments[i].Regions[:1]
			}
		}
	})
}

// changedRelease and oneRegionStaging are the released variant under the names of its two
// purposes.
func changedRelease(t *testing.T) *testkit.Platform   { return released(t) }
func oneRegionStaging(t *testing.T) *testkit.Platform { return released(t) }

// withoutPeering is the three-region fixture with interRegionPeering off in every environment
// (the write path's and the flow table's tests share it).
func withoutPeering(t *testing.T) *testkit.Platform {
	t.Helper()
	return variant(t, peeringOffName, threeRegions, func(t *testing.T, cfg *config.Platform) {
		off := false
		for i := range cfg.Environments {
			cfg.Environments[i].InterRegionPeering = &off
		}
	})
}

// oneRegionPlatform and stagingAlonePlatform are the one-region-staging variant under the names
// tests used before the variants were shared.
func oneRegionPlatform(t *testing.T) *testkit.Platform    { return oneRegionStaging(t) }
func stagingAlonePlatform(t *testing.T) *testkit.Platform { return oneRegionStaging(t) }

// synthesisBudget are the whole-app syntheses a full run of this package makes: the fixtures
// (configs and the fixtures rules add), the shipped configs the docs are generated from, and the
// variants above. A test that needs another shape shares one of these or names a new variant
// here: every extra synthesis costs every run of `make test`.
var synthesisBudget = append([]string{
	twoEnvironments, threeRegions, sharedAccountConfig, minimalConfig,
	releasedName, peeringOffName, edgeWithoutAcceleratorName,
	adoptingConfig, existingOrganization, "config/minimal.json",
}, exampleConfigs...)

// holdSynthesisBudget fails a full run of the package (no -run, no -bench, not make check) that
// synthesized a config twice, or one the budget does not name. It runs after the tests, from
// TestMain.
func holdSynthesisBudget() int {
	if !fullRun() {
		return 0
	}
	var problems []string
	seen := map[string]bool{}
	for _, name := range testkit.Syntheses() {
		if seen[name] {
			problems = append(problems, name+" was synthesized more than once: share the first synthesis (testkit.Synth, variant)")
		}
		seen[name] = true
		if !slices.Contains(synthesisBudget, name) {
			problems = append(problems, name+" is synthesized but not in synthesisBudget (test/variants_test.go): share a variant, or name it there")
		}
	}
	if len(problems) == 0 {
		fmt.Printf("whole-app syntheses: %d (%s)\n", len(seen), strings.Join(testkit.Syntheses(), "; "))
		return 0
	}
	fmt.Fprintln(os.Stderr, "FAIL: the test suite's synthesis budget:\n  "+strings.Join(problems, "\n  "))
	return 1
}

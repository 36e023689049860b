package config_test

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/example/platform/lib/config"
)

// FuzzLoad checks that no input panics the loader and that every rejection is a *config.Error
// with at least one problem: the user always gets a message, never a stack trace.
func FuzzLoad(f *testing.F) {
	seeds, _ := filepath.Glob("testdata/invalid/*.json")
	seeds = append(seeds, "testdata/valid-minimal.json", "testdata/valid-two-environments.json", "testdata/valid-three-regions.json")
	for _, seed := range seeds {
		data, err := os.ReadFile(seed)
		if err != nil {
			f.Fatal(err)
		}
		f.Add(data)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		platform, err := config.Parse("fuzz.json", data)
		if err == nil {
			if platform == nil || len(platform.Environments) == 0 || len(platform.Environments[0].Regions) == 0 {
				t.Fatalf("accepted a platform without an environment and a region: %+v", platform)
			}
			return
		}
		var cfgErr *config.Error
		if !errors.As(err, &cfgErr) || len(cfgErr.Problems) == 0 {
			t.Fatalf("rejection is not a *config.Error with problems: %#v", err)
		}
	})
}

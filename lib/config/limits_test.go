package config_test

import (
	"bufio"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/example/platform/lib/config"
)

// writeConfigWithStaticPaths writes valid-minimal.json with n static paths for staging and
// returns its path and size.
func writeConfigWithStaticPaths(t *testing.T, n int) (string, int64) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "huge.json")
	f, err := os.Create(path)
	if err != nil {
		t.Fatal(err)
	}
	head, tail, found := strings.Cut(readFile(t, "testdata/valid-minimal.json"), `"name": "staging",`)
	if !found {
		t.Fatal("valid-minimal.json has no staging environment")
	}
	w := bufio.NewWriter(f)
	fmt.Fprintf(w, `%s"name": "staging", "edge": {"staticPaths": [`, head)
	for i := range n {
		if i > 0 {
			w.WriteString(",\n")
		}
		fmt.Fprintf(w, `"/static/%07d/*"`, i)
	}
	fmt.Fprintf(w, "]},%s", tail)
	if err := w.Flush(); err != nil {
		t.Fatal(err)
	}
	info, err := f.Stat()
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	return path, info.Size()
}

// A 30 MB config, which synth would chew on for minutes, is refused by its size before it is
// read. The time is logged, not asserted: the goal (under 5 seconds) depends on the machine.
func TestLoad_RefusesAHugeConfigBySize(t *testing.T) {
	path, size := writeConfigWithStaticPaths(t, 1_500_000)
	start := time.Now()
	_, err := config.Load(path)
	elapsed := time.Since(start)
	t.Logf("refused a %d-byte config with 1.5 million static paths in %v", size, elapsed)
	if err == nil || !strings.Contains(err.Error(), fmt.Sprintf("the file is %d bytes or more; a config holds at most %d (1 MiB)", config.MaxConfigBytes+1, config.MaxConfigBytes)) {
		t.Fatalf("want the size refused, got %v", err)
	}
}

// A file under the size limit with a list past its count stops decoding at the list.
func TestLoad_RefusesTooLongAListWhileDecoding(t *testing.T) {
	path, _ := writeConfigWithStaticPaths(t, 20_000)
	start := time.Now()
	problems := loadProblems(t, path)
	t.Logf("refused 20000 static paths in %v", time.Since(start))
	want := fmt.Sprintf("more than %d items: list at most %d (the most cache behaviors edge.cacheBehaviorQuota accepts)", config.MaxCacheBehaviorQuota, config.MaxCacheBehaviorQuota)
	if len(problems) != 1 || problems[0].Path != "environments[0].edge.staticPaths" || problems[0].Message != want {
		t.Errorf("got %+v, want environments[0].edge.staticPaths: %s", problems, want)
	}
}

// A raised quota declared in config lets more static paths through.
func TestLoad_AcceptsStaticPathsWithinARaisedQuota(t *testing.T) {
	data := readFile(t, "testdata/invalid/too-many-static-paths.json")
	data = strings.Replace(data, `"edge": {`, `"edge": {"cacheBehaviorQuota": 100,`, 1)
	if _, err := config.Parse("raised.json", []byte(data)); err != nil {
		t.Fatalf("74 static paths and 2 health paths fit a quota of 100: %v", err)
	}
}

// A zone the table does not know is accepted once the region's extraAvailabilityZones names it.
func TestLoad_AcceptsAZoneDeclaredInExtraAvailabilityZones(t *testing.T) {
	data := strings.Replace(readFile(t, "testdata/invalid/zone-not-in-region.json"),
		`"availabilityZones": [`, `"extraAvailabilityZones": ["eu-west-1d"], "availabilityZones": [`, 1)
	if _, err := config.Parse("extra.json", []byte(data)); err != nil {
		t.Fatalf("eu-west-1d declared as an extra zone: %v", err)
	}
}

// ca-central-1's zones are a, b and d: a default of a, b and c would fail at deploy.
func TestLoad_DefaultZonesAreZonesTheRegionHas(t *testing.T) {
	data := strings.Replace(readFile(t, "testdata/valid-minimal.json"), `"eu-west-1"`, `"ca-central-1"`, 1)
	platform, err := config.Parse("canada.json", []byte(data))
	if err != nil {
		t.Fatal(err)
	}
	if got := strings.Join(platform.Environments[0].Regions[1].AvailabilityZones, ","); got != "ca-central-1a,ca-central-1b,ca-central-1d" {
		t.Errorf("ca-central-1 zones = %s, want ca-central-1a,ca-central-1b,ca-central-1d", got)
	}
}

// Every region the platform accepts has its zones in the table, so a region's default zones are
// checked names, never guesses.
func TestLoad_EveryRegionHasThreeKnownZones(t *testing.T) {
	base := readFile(t, "testdata/valid-minimal.json")
	for _, region := range config.Regions() {
		data := strings.Replace(base, `"eu-west-1",`, fmt.Sprintf(`%q, "cloudFrontPrefixListId": "pl-00000000",`, region), 1)
		if _, err := config.Parse(region+".json", []byte(data)); err != nil && strings.Contains(err.Error(), "availabilityZones") {
			t.Errorf("%s: %v", region, err)
		}
	}
}

package test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"
)

func TestApp_BadConfigFailsWithEveryProblemAndWritesNothing(t *testing.T) {
	outdir := t.TempDir()
	stderr, code := runApp(t, buildApp(t), "test/testdata/overlap-and-unknown.json", outdir)

	if code != 1 {
		t.Errorf("exit status %d, want 1", code)
	}
	for _, want := range []string{
		"test/testdata/overlap-and-unknown.json: 2 problems",
		"bogusField: unknown field",
		"environments[1].regions[0].cidr: 10.10.0.0/16 overlaps environments[0].regions[0].cidr (staging/us-east-1, 10.10.0.0/16); pick a range outside 10.10.0.0/16",
	} {
		if !strings.Contains(stderr, want) {
			t.Errorf("stderr lacks %q:\n%s", want, stderr)
		}
	}
	if strings.Contains(stderr, "goroutine") || strings.Contains(stderr, "panic") {
		t.Errorf("stderr shows a Go stack trace:\n%s", stderr)
	}
	if entries, _ := os.ReadDir(outdir); len(entries) > 0 {
		t.Errorf("wrote %d entries to the output directory, want none", len(entries))
	}
}

func TestApp_SynthesizesTheConfigChosenByContext(t *testing.T) {
	outdir := appRun(t)
	data, err := os.ReadFile(filepath.Join(outdir, "assembly-prod", "manifest.json"))
	if err != nil {
		t.Fatal(err)
	}
	var manifest struct {
		Artifacts map[string]struct {
			Type       string `json:"type"`
			Properties struct {
				StackName string `json:"stackName"`
			} `json:"properties"`
		} `json:"artifacts"`
	}
	if err := json.Unmarshal(data, &manifest); err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, a := range manifest.Artifacts {
		if a.Type == "aws:cloudformation:stack" && strings.HasSuffix(a.Properties.StackName, "-network") {
			names = append(names, a.Properties.StackName)
		}
	}
	sort.Strings(names)
	if got := strings.Join(names, ","); got != "globex-prod-ap-southeast-2-network,globex-prod-eu-west-1-network,globex-prod-us-east-1-network" {
		t.Errorf("network stacks = %s", got)
	}
}

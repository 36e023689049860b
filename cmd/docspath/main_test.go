package main

import (
	"os"
	"os/exec"
	"testing"
)

func TestMain(m *testing.M) {
	if os.Getenv("DOCSPATH_TEST_RUN") == "1" {
		os.Args = append([]string{"docspath"}, os.Args[len(os.Args)-1])
		main()
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// make docs writes where this prints: the example's docs in docs/, another platform's in
// docs/<its name>/, so make docs for any other config leaves docs/*.md alone.
func TestDocspath_PrintsTheFolderMakeDocsWritesTo(t *testing.T) {
	for config, want := range map[string]string{"config/example.json": "docs\n", "test/testdata/shared-account.json": "docs/initech\n"} {
		cmd := exec.Command(os.Args[0], "-test.run=^$", config)
		cmd.Dir = "../.." // the repository root, as make runs it
		cmd.Env = append(os.Environ(), "DOCSPATH_TEST_RUN=1")
		out, err := cmd.Output()
		if err != nil || string(out) != want {
			t.Errorf("docspath %s: %q, %v; want %q", config, out, err, want)
		}
	}
}

package main

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// The speed table in docs/development.md is bench/results.md's, as make bench last wrote both:
// a hand edit to either, or a results.md committed without the table, fails here. Checking needs
// no new measurement.
func TestSpeedTable_IsTheProjectionOfResults(t *testing.T) {
	root := filepath.Join("..", "..")
	results, err := os.ReadFile(filepath.Join(root, resultsFile))
	if err != nil {
		t.Fatal(err)
	}
	doc, err := os.ReadFile(filepath.Join(root, speedTableDoc))
	if err != nil {
		t.Fatal(err)
	}
	block, err := projectSpeedTable(string(results))
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(doc), block) {
		t.Errorf("%s's speed table is not %s's: run make bench (it writes both), or copy this block:\n%s", speedTableDoc, resultsFile, block)
	}
}

func TestSpeedTable_ProjectsTheDateMachineAndFirstTable(t *testing.T) {
	results := "# Benchmark results\n\nMeasured 2026-12-04 on 2 cores.\n\nText.\n\n| Measure | Value | Target |\n|---|---|---|\n| a | 1 s | |\n\n## Other\n\n| x | y |\n|---|---|\n"
	block, err := projectSpeedTable(results)
	if err != nil {
		t.Fatal(err)
	}
	want := speedTableBegin + "\nMeasured 2026-12-04 on 2 cores.\n\n| Measure | Value | Target |\n|---|---|---|\n| a | 1 s | |\n" + speedTableEnd
	if block != want {
		t.Errorf("block =\n%s\nwant\n%s", block, want)
	}
	doc, err := spliceSpeedTable("before\n"+speedTableBegin+"\nold\n"+speedTableEnd+"\nafter", block)
	if err != nil || doc != "before\n"+want+"\nafter" {
		t.Errorf("spliced = %q, %v", doc, err)
	}
	if _, err := spliceSpeedTable("no markers", block); err == nil {
		t.Error("no error for a document without the markers")
	}
}

package main

import (
	"fmt"
	"strings"
)

// The speed table of docs/development.md is a projection of bench/results.md: its "Measured"
// line (date and machine) and its first table, between these markers. make bench rewrites it;
// TestSpeedTable_IsTheProjectionOfResults fails when the two disagree.
const (
	speedTableBegin = "<!-- speed table: written by make bench from bench/results.md -->"
	speedTableEnd   = "<!-- end of speed table -->"
	speedTableDoc   = "docs/development.md"
	resultsFile     = "bench/results.md"
)

// projectSpeedTable is the block docs/development.md shows for results (markers included).
func projectSpeedTable(results string) (string, error) {
	var measured string
	var table []string
	inTable := false
	for _, line := range strings.Split(results, "\n") {
		switch {
		case measured == "" && strings.HasPrefix(line, "Measured "):
			measured = line
		case strings.HasPrefix(line, "|") && (inTable || len(table) == 0):
			inTable = true
			table = append(table, line)
		case inTable:
			inTable = false
		}
	}
	if measured == "" || len(table) < 3 {
		return "", fmt.Errorf("%s has no \"Measured ...\" line and table: run make bench", resultsFile)
	}
	return speedTableBegin + "\n" + measured + "\n\n" + strings.Join(table, "\n") + "\n" + speedTableEnd, nil
}

// spliceSpeedTable replaces the block between the markers in doc with block.
func spliceSpeedTable(doc, block string) (string, error) {
	begin := strings.Index(doc, speedTableBegin)
	end := strings.Index(doc, speedTableEnd)
	if begin < 0 || end < begin {
		return "", fmt.Errorf("%s lacks the markers %q and %q", speedTableDoc, speedTableBegin, speedTableEnd)
	}
	return doc[:begin] + block + doc[end+len(speedTableEnd):], nil
}

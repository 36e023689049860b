package preflight

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

// WriteTable writes the findings as one table per account-region (check, state, what to do)
// and a last line counting what blocks.
func WriteTable(w io.Writer, findings []Finding) error {
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	current := ""
	counts := map[State]int{}
	for _, f := range findings {
		counts[f.State]++
		if where := f.Account + " " + f.Region; where != current {
			if current != "" {
				fmt.Fprintln(tw)
			}
			current = where
			fmt.Fprintf(tw, "== account %s, %s\n", f.Account, f.Region)
			fmt.Fprintln(tw, "CHECK\tSTATE\tFOUND\tWHAT TO DO")
		}
		fmt.Fprintf(tw, "%s\t%s\t%s\t%s\n", f.Check, f.State, oneLine(f.Detail), oneLine(f.Fix))
	}
	fmt.Fprintf(tw, "\n%d blocking, %d warnings, %d could not be checked, %d ok\n", counts[Block], counts[Warn], counts[Unknown], counts[OK])
	return tw.Flush()
}

// WriteJSON writes the findings as a JSON document: {"blocks": bool, "findings": [...]}.
func WriteJSON(w io.Writer, findings []Finding) error {
	if findings == nil {
		findings = []Finding{}
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(struct {
		Blocks   bool      `json:"blocks"`
		Findings []Finding `json:"findings"`
	}{Blocks(findings), findings})
}

func oneLine(s string) string { return strings.Join(strings.Fields(s), " ") }

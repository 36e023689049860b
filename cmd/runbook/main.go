// Command runbook writes the operator's runbook of a synthesized cloud assembly:
//
//	runbook <cdk.out> <config file> > docs/runbook.md
package main

import (
	"fmt"
	"os"

	"github.com/example/platform/internal/assembly"
	"github.com/example/platform/internal/runbook"
)

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: runbook <cdk.out> <config file>")
		os.Exit(2)
	}
	stacks, err := assembly.Read(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, "runbook:", err)
		os.Exit(1)
	}
	runbook.Render(os.Stdout, os.Args[2], stacks)
}

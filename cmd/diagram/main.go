// Command diagram writes the architecture document of a synthesized cloud assembly:
//
//	diagram <cdk.out> <config file> > docs/architecture.md
package main

import (
	"fmt"
	"os"

	"github.com/example/platform/internal/assembly"
	"github.com/example/platform/internal/diagram"
)

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: diagram <cdk.out> <config file>")
		os.Exit(2)
	}
	stacks, err := assembly.Read(os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, "diagram:", err)
		os.Exit(1)
	}
	diagram.Render(os.Stdout, os.Args[2], stacks)
}

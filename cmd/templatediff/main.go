// Command templatediff prints the differences between the stacks of two cloud assemblies:
//
//	templatediff <base cdk.out> <head cdk.out>
//
// `make diff BASE=<git ref>` synthesizes both and calls it.
package main

import (
	"fmt"
	"os"

	"github.com/example/platform/internal/templatediff"
)

func main() {
	if len(os.Args) != 3 {
		fmt.Fprintln(os.Stderr, "usage: templatediff <base cdk.out> <head cdk.out>")
		os.Exit(2)
	}
	diffs, err := templatediff.Compare(os.Args[1], os.Args[2])
	if err != nil {
		fmt.Fprintln(os.Stderr, "templatediff:", err)
		os.Exit(1)
	}
	templatediff.Render(os.Stdout, diffs)
}

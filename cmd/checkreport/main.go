// Command checkreport turns `go test -json` of the rule tests into make check's report: a line
// per rule as it ends (why it skipped, what failed), then how many ran, passed, skipped and failed.
//
//	go test -json ./test -run '<rules>' | checkreport <config file>
package main

import (
	"fmt"
	"os"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: go test -json ... | checkreport <config file>")
		os.Exit(2)
	}
	if !report(os.Stdin, os.Stdout, os.Args[1]) {
		os.Exit(1)
	}
}

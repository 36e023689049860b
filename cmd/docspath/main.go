// Command docspath prints the folder a config's generated docs go to (make docs writes there):
//
//	docspath <config file>
package main

import (
	"fmt"
	"os"

	"github.com/example/platform/internal/configpath"
	"github.com/example/platform/internal/docspath"
	"github.com/example/platform/lib/config"
	// lib/config checks the pipeline's stage sizes through lib/plan's arithmetic.
	_ "github.com/example/platform/lib/plan"
)

func main() {
	if len(os.Args) != 2 {
		fmt.Fprintln(os.Stderr, "usage: docspath <config file>")
		os.Exit(2)
	}
	path, err := configpath.Check(".", os.Args[1])
	var platform *config.Platform
	if err == nil {
		platform, err = config.Load(path)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Println(docspath.Dir(path, platform.Name))
}

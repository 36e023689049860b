// Command cost prints the monthly estimate of a synthesized platform and writes it as JSON:
//
//	cost [-usage usage.json] [-json cdk.out/cost.json] <cdk.out>
//
// `make cost CONFIG=<file>` synthesizes the config and calls it. No AWS credentials are used.
package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"os"
	"path/filepath"

	"github.com/example/platform/internal/cost"
)

func main() {
	usagePath := flag.String("usage", "", "a usage file over internal/cost/usage.json's defaults")
	jsonPath := flag.String("json", "", "where to write the estimate as JSON (default <cdk.out>/cost.json)")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: cost [-usage file] [-json file] <cdk.out>")
		os.Exit(2)
	}
	dir := flag.Arg(0)
	if *jsonPath == "" {
		*jsonPath = filepath.Join(dir, "cost.json")
	}
	if err := run(dir, *usagePath, *jsonPath); err != nil {
		fmt.Fprintln(os.Stderr, "cost:", err)
		os.Exit(1)
	}
}

func run(dir, usagePath, jsonPath string) error {
	prices, err := cost.Prices()
	if err != nil {
		return err
	}
	usage, err := cost.LoadUsage(usagePath)
	if err != nil {
		return err
	}
	est, err := cost.Of(dir, prices, usage)
	if err != nil {
		return err
	}
	cost.Render(os.Stdout, est)
	data, err := json.MarshalIndent(est, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(jsonPath, append(data, '\n'), 0o644); err != nil {
		return err
	}
	fmt.Printf("written to %s\n", jsonPath)
	return nil
}

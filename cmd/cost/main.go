// Command cost prints the monthly estimate of a synthesized platform and writes it as JSON:
//
//	cost [-usage usage.json] [-json cdk.out/cost.json] <cdk.out>
//	cost -summary <cdk.out>                 one line per environment (make pr-diff)
//	cost -base <base cdk.out> <cdk.out>     each environment before and after (make diff)
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
	"github.com/example/platform/lib/config"
	_ "github.com/example/platform/lib/plan" // checks the pipeline stages' sizes when a config loads
)

func main() {
	usagePath := flag.String("usage", "", "a usage file over internal/cost/usage.json's defaults")
	jsonPath := flag.String("json", "", "where to write the estimate as JSON (default <cdk.out>/cost.json)")
	base := flag.String("base", "", "print each environment's estimate in this assembly, in <cdk.out>'s and the change")
	summary := flag.Bool("summary", false, "print one line per environment only, and write no JSON")
	configPath := flag.String("config", "", "the config the assembly was synthesized from: its environments' order")
	flag.Parse()
	if flag.NArg() != 1 {
		fmt.Fprintln(os.Stderr, "usage: cost [-usage file] [-json file] <cdk.out>")
		os.Exit(2)
	}
	dir := flag.Arg(0)
	order = environmentOrder(*configPath)
	if *jsonPath == "" {
		*jsonPath = filepath.Join(dir, "cost.json")
	}
	var err error
	switch {
	case *base != "":
		err = compare(*base, dir, *usagePath)
	case *summary:
		err = printSummary(dir, *usagePath)
	default:
		err = run(dir, *usagePath, *jsonPath)
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "cost:", err)
		os.Exit(1)
	}
}

func run(dir, usagePath, jsonPath string) error {
	est, err := estimate(dir, usagePath)
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

func estimate(dir, usagePath string) (*cost.Estimate, error) {
	prices, err := cost.Prices()
	if err != nil {
		return nil, err
	}
	usage, err := cost.LoadUsage(usagePath)
	if err != nil {
		return nil, err
	}
	est, err := cost.Of(dir, prices, usage)
	if err == nil {
		est.Order(order)
	}
	return est, err
}

// order is the config's environments, in its order (none without -config).
var order []string

func environmentOrder(path string) []string {
	if path == "" {
		return nil
	}
	platform, err := config.Load(path)
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	var names []string
	for _, env := range platform.Environments {
		names = append(names, env.Name)
	}
	return names
}

func compare(baseDir, headDir, usagePath string) error {
	before, err := estimate(baseDir, usagePath)
	if err != nil {
		return fmt.Errorf("the base assembly: %w", err)
	}
	after, err := estimate(headDir, usagePath)
	if err != nil {
		return err
	}
	cost.RenderChange(os.Stdout, before, after)
	return nil
}

func printSummary(dir, usagePath string) error {
	est, err := estimate(dir, usagePath)
	if err != nil {
		return err
	}
	fmt.Printf("Monthly estimate of %s (make cost for the breakdown):\n", dir)
	cost.RenderSummary(os.Stdout, est)
	return nil
}

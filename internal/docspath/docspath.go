// Package docspath says where a config's generated docs go, for make docs and for the alarms that
// tell the person paged which runbook to follow. The example config's docs are the
// repository's own, docs/architecture.md and docs/runbook.md; any other platform's go to
// docs/<platform name>/, so that generating them overwrites nothing the repository tracks and
// an operator gets the runbook of their own platform.
package docspath

import "path"

// ExampleConfig is the config whose generated docs are the repository's own, in docs/.
const ExampleConfig = "config/example.json"

// Dir is the folder, from the repository root, of the generated docs of the platform named
// platform, read from configFile (a path from the repository root, as configpath.Check gives it).
func Dir(configFile, platform string) string {
	if path.Clean(configFile) == ExampleConfig {
		return "docs"
	}
	return path.Join("docs", platform)
}

// Runbook is the path of the platform's runbook, from the repository root.
func Runbook(configFile, platform string) string {
	return path.Join(Dir(configFile, platform), "runbook.md")
}

// Architecture is the path of the platform's architecture page, from the repository root.
func Architecture(configFile, platform string) string {
	return path.Join(Dir(configFile, platform), "architecture.md")
}

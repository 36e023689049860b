// Package toolchain reads the tool versions the repository pins, so that everything the pipeline
// installs or selects (the Go toolchain, the CDK CLI, cdk-assets) follows the same files a
// developer's machine does: go.mod's go line and package.json's devDependencies.
package toolchain

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
)

// Toolchain is the pinned versions of the tools that build and deploy the platform.
type Toolchain struct {
	// Go is go.mod's go line as major.minor ("1.26"): the Go the build image must select.
	Go string
	// CDKCLI is the exact aws-cdk version in package.json ("2.1148.1").
	CDKCLI string
	// CDKAssets is the exact cdk-assets version in package.json.
	CDKAssets string
}

var (
	goLinePattern = regexp.MustCompile(`(?m)^go ([0-9]+\.[0-9]+)(\.[0-9]+)?\s*$`)
	// exactVersion is a pinned npm version: no ranges (^, ~, >=, x), which `npm install -g` would
	// resolve to whatever is newest when the pipeline runs.
	exactVersion = regexp.MustCompile(`^[0-9]+\.[0-9]+\.[0-9]+$`)
)

// Read reads go.mod and package.json in the repository root dir.
func Read(dir string) (Toolchain, error) {
	var t Toolchain
	goMod := filepath.Join(dir, "go.mod")
	data, err := os.ReadFile(goMod)
	if err != nil {
		return t, fmt.Errorf("%s: %v; run from the repository root", goMod, err)
	}
	match := goLinePattern.FindSubmatch(data)
	if match == nil {
		return t, fmt.Errorf("%s: no go line such as \"go 1.26\"; the pipeline selects its Go toolchain from it", goMod)
	}
	t.Go = string(match[1])

	packageJSON := filepath.Join(dir, "package.json")
	data, err = os.ReadFile(packageJSON)
	if err != nil {
		return t, fmt.Errorf("%s: %v; run from the repository root", packageJSON, err)
	}
	var pkg struct {
		DevDependencies map[string]string `json:"devDependencies"`
	}
	if err := json.Unmarshal(data, &pkg); err != nil {
		return t, fmt.Errorf("%s: %v", packageJSON, err)
	}
	var problems []string
	pinned := func(name string) string {
		version := pkg.DevDependencies[name]
		if !exactVersion.MatchString(version) {
			problems = append(problems, fmt.Sprintf("devDependencies.%s: %q is not an exact version; pin one such as \"1.2.3\" (the pipeline installs this version with npm install -g)", name, version))
		}
		return version
	}
	t.CDKCLI = pinned("aws-cdk")
	t.CDKAssets = pinned("cdk-assets")
	if len(problems) > 0 {
		return t, fmt.Errorf("%s: %s", packageJSON, strings.Join(problems, "; "))
	}
	return t, nil
}

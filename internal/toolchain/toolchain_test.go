package toolchain_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/example/platform/internal/toolchain"
)

func write(t *testing.T, dir, name, content string) {
	t.Helper()
	if err := os.WriteFile(filepath.Join(dir, name), []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestRead_TakesTheGoLineAndTheExactCLIVersions(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "go.mod", "module example.com/x\n\ngo 1.26.1\n\nrequire example.com/y v1.0.0\n")
	write(t, dir, "package.json", `{"devDependencies": {"aws-cdk": "2.1148.1", "cdk-assets": "4.7.3"}}`)
	got, err := toolchain.Read(dir)
	if err != nil {
		t.Fatal(err)
	}
	if want := (toolchain.Toolchain{Go: "1.26", CDKCLI: "2.1148.1", CDKAssets: "4.7.3"}); got != want {
		t.Errorf("got %+v, want %+v", got, want)
	}
}

func TestRead_RejectsAVersionRangeNamingTheFieldAndTheFix(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "go.mod", "module example.com/x\n\ngo 1.26\n")
	write(t, dir, "package.json", `{"devDependencies": {"aws-cdk": "^2.1148.1"}}`)
	_, err := toolchain.Read(dir)
	for _, want := range []string{"package.json", `devDependencies.aws-cdk: "^2.1148.1" is not an exact version`, `devDependencies.cdk-assets: "" is not an exact version`, "pin one such as"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("error %v does not say %q", err, want)
		}
	}
}

func TestRead_RejectsAGoModWithoutAGoLine(t *testing.T) {
	dir := t.TempDir()
	write(t, dir, "go.mod", "module example.com/x\n")
	write(t, dir, "package.json", `{"devDependencies": {"aws-cdk": "2.1148.1", "cdk-assets": "4.7.3"}}`)
	if _, err := toolchain.Read(dir); err == nil || !strings.Contains(err.Error(), `no go line such as "go 1.26"`) {
		t.Errorf("got %v", err)
	}
}

// The repository's own files are what the pipeline reads at synth.
func TestRead_TheRepositoryPinsEveryTool(t *testing.T) {
	if _, err := toolchain.Read("../.."); err != nil {
		t.Fatal(err)
	}
}

package preflight

import (
	"fmt"
	"testing"
)

func TestAssembly_TheBootstrapVersionIsTheMostAnyArtifactRequires(t *testing.T) {
	a, err := ReadAssembly("testdata/assembly")
	if err != nil {
		t.Fatal(err)
	}
	if a.BootstrapVersion != 8 { // a nested stage's asset manifest asks for 8, the rest for 6
		t.Errorf("bootstrap version %d, want 8", a.BootstrapVersion)
	}
}

func TestAssembly_NamedResourcesAreReadFromEveryTemplate(t *testing.T) {
	a, err := ReadAssembly("testdata/assembly")
	if err != nil {
		t.Fatal(err)
	}
	got := fmt.Sprint(a.Named())
	want := "[{{222222222222 eu-west-1} acme-prod-eu-west-1-data AWS::Backup::BackupVault acme-prod-backups-eu-west-1} " +
		"{{222222222222 eu-west-1} acme-prod-eu-west-1-data AWS::SecretsManager::Secret acme/prod/database}]"
	if got != want {
		t.Errorf("named resources\n got %s\nwant %s", got, want)
	}
}

func TestAssembly_ANotSynthesizedDirectorySaysSo(t *testing.T) {
	if _, err := ReadAssembly("testdata/missing"); err == nil {
		t.Error("want an error for a directory with no cloud assembly")
	}
}

package templatediff_test

import (
	"strings"
	"testing"

	"github.com/example/platform/internal/templatediff"
)

func TestCompare_ReportsChangedAddedAndRemovedResourcesAndStacks(t *testing.T) {
	diffs, err := templatediff.Compare("testdata/base", "testdata/head")
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	templatediff.Render(&out, diffs)
	want := `Stack acme-prod-us-east-1-app
[+] Resources.Bucket: "AWS::S3::Bucket"
[-] Resources.Queue: "AWS::SQS::Queue"
[~] Resources.Task.Properties.ContainerDefinitions[0].Image: "repo:v1" → "repo:v2"
[~] Resources.Task.Properties.Cpu: "512" → "1024"

Stack acme-prod-us-east-1-new (new stack)
[+] Resources.Table: "AWS::DynamoDB::Table"

Stack acme-prod-us-east-1-old (removed stack)
[-] Resources.Topic: "AWS::SNS::Topic"

3 stack(s) differ
`
	if out.String() != want {
		t.Errorf("got:\n%s\nwant:\n%s", out.String(), want)
	}
}

func TestCompare_IgnoresMetadataAndIdenticalStacks(t *testing.T) {
	diffs, err := templatediff.Compare("testdata/base", "testdata/base")
	if err != nil {
		t.Fatal(err)
	}
	var out strings.Builder
	templatediff.Render(&out, diffs)
	if out.String() != "No differences in any stack.\n" {
		t.Errorf("comparing an assembly with itself printed:\n%s", out.String())
	}
}

func TestCompare_SaysWhatIsMissingWhenADirectoryIsNotAnAssembly(t *testing.T) {
	_, err := templatediff.Compare("testdata/nope", "testdata/head")
	if err == nil || !strings.Contains(err.Error(), "testdata/nope is not a cloud assembly (synthesize into it first)") {
		t.Errorf("got %v", err)
	}
}

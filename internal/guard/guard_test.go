package guard_test

import (
	"path/filepath"
	"strings"
	"testing"

	"github.com/example/platform/internal/assembly"
	"github.com/example/platform/internal/guard"
)

// keysAndLogs is a two-stack assembly: a key in one stack, and in the other a log group the key
// encrypts through a weak reference, and a queue with no dead-letter queue.
func keysAndLogs() []*assembly.Stack {
	keys := &assembly.Stack{Name: "p-dev-us-east-1-keys", Account: "111111111111", Region: "us-east-1", Template: assembly.Template{
		Resources: map[string]map[string]any{"Key": {"Type": "AWS::KMS::Key", "Properties": map[string]any{}}},
		Outputs: map[string]any{
			"KeyArnOut": map[string]any{"Value": map[string]any{"Fn::GetAtt": []any{"Key", "Arn"}}},
			"KeyIdOut":  map[string]any{"Value": map[string]any{"Ref": "Key"}},
		},
	}}
	ref := func(output string) map[string]any {
		return map[string]any{"Fn::GetStackOutput": map[string]any{"StackName": keys.Name, "Region": "us-east-1", "OutputName": output}}
	}
	app := &assembly.Stack{Name: "p-dev-us-east-1-app", Account: "111111111111", Region: "us-east-1", Template: assembly.Template{
		Resources: map[string]map[string]any{
			"Logs":  {"Type": "AWS::Logs::LogGroup", "Properties": map[string]any{"KmsKeyId": ref("KeyArnOut"), "RetentionInDays": 400.0}},
			"Queue": {"Type": "AWS::SQS::Queue", "Properties": map[string]any{"KmsMasterKeyId": ref("KeyIdOut")}},
		},
	}}
	return []*assembly.Stack{keys, app}
}

func TestResolve_GivesAWeakReferenceToAKeyTheShapeOfAKeyArn(t *testing.T) {
	resolved, err := guard.Resolve(keysAndLogs())
	if err != nil {
		t.Fatal(err)
	}
	app := resolved["p-dev-us-east-1-app"]
	logs := app["Logs"].(map[string]any)["Properties"].(map[string]any)
	if got, want := logs["KmsKeyId"], "arn:aws:kms:us-east-1:111111111111:key/00000000-0000-0000-0000-000000000000"; got != want {
		t.Errorf("KmsKeyId = %v, want %s", got, want)
	}
	queue := app["Queue"].(map[string]any)["Properties"].(map[string]any)
	if got := queue["KmsMasterKeyId"]; got != "00000000-0000-0000-0000-000000000000" {
		t.Errorf("KmsMasterKeyId = %v, want a key ID", got)
	}
}

func TestResolve_RefusesAnOutputNoStackPublishes(t *testing.T) {
	stacks := keysAndLogs()
	delete(stacks[0].Template.Outputs, "KeyArnOut")
	if _, err := guard.Resolve(stacks); err == nil || !strings.Contains(err.Error(), "KeyArnOut") {
		t.Fatalf("err = %v, want one naming KeyArnOut", err)
	}
}

func TestCheck_ReportsTheResourceAControlFailsAndNotOneAWeakReferencePasses(t *testing.T) {
	tool, err := guard.Find(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	findings, err := tool.Check(keysAndLogs(), t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	got := map[string]bool{}
	for _, f := range findings {
		got[f.Control+" "+f.Stack+"/"+f.Resource] = true
	}
	if !got["CT.SQS.PR.1 p-dev-us-east-1-app/Queue"] {
		t.Errorf("findings %v lack the queue without a dead-letter queue (CT.SQS.PR.1)", findings)
	}
	for _, f := range findings {
		if f.Control == "CT.CLOUDWATCH.PR.3" || f.Control == "CT.SQS.PR.2" {
			t.Errorf("%s: the weakly referenced key should pass it", f)
		}
	}
}

func TestExcused_AnUnprotectedEnvironmentsDeletionProtectionOnly(t *testing.T) {
	f := guard.Finding{Control: "CT.RDS.PR.3", Stack: "p-dev-us-east-1-data", Resource: "DatabaseCluster5B53A178"}
	if guard.Excused(f, &guard.Environment{Name: "dev"}) == nil {
		t.Error("an unprotected environment's cluster is not excused")
	}
	if e := guard.Excused(f, &guard.Environment{Name: "prod", Protected: true}); e != nil {
		t.Errorf("a protected environment's cluster is excused: %s", e.Reason)
	}
}

func TestTable_NamesEveryExceptionWithItsReason(t *testing.T) {
	table := guard.Table()
	for _, e := range guard.Exceptions {
		if !strings.Contains(table, e.Reason) {
			t.Errorf("the table lacks %s: %s", e.Control, e.Reason)
		}
	}
}

// Check hands each rule file the resources of every type it names, not just those it checks:
// CT.CLOUDTRAIL.PR.1 passes a trail whose key is a KMS key of the same template only when it
// sees that key, and fails one whose key reference leads nowhere.
func TestCheck_ARuleSeesTheResourcesOfEveryTypeItNames(t *testing.T) {
	tool, err := guard.Find(filepath.Join("..", ".."))
	if err != nil {
		t.Fatal(err)
	}
	trail := func(key string) map[string]any {
		return map[string]any{"Type": "AWS::CloudTrail::Trail", "Properties": map[string]any{
			"IsLogging": true, "S3BucketName": "trail-bucket", "KMSKeyId": map[string]any{"Fn::GetAtt": []any{key, "Arn"}},
		}}
	}
	stacks := []*assembly.Stack{
		{Name: "p-keyed", Account: "111111111111", Region: "us-east-1", Template: assembly.Template{Resources: map[string]map[string]any{
			"Trail": trail("Key"), "Key": {"Type": "AWS::KMS::Key", "Properties": map[string]any{}},
		}}},
		{Name: "p-unkeyed", Account: "111111111111", Region: "us-east-1", Template: assembly.Template{Resources: map[string]map[string]any{
			"Trail": trail("Missing"),
		}}},
	}
	findings, err := tool.Check(stacks, t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	var trails []string
	for _, f := range findings {
		if f.Control == "CT.CLOUDTRAIL.PR.1" {
			trails = append(trails, f.Stack+"/"+f.Resource)
		}
	}
	if strings.Join(trails, ",") != "p-unkeyed/Trail" {
		t.Errorf("CT.CLOUDTRAIL.PR.1 fails %v, want only the trail whose key is not in its template", trails)
	}
}

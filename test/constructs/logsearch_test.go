package constructs_test

import (
	"bytes"
	"compress/gzip"
	"encoding/base64"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/jsii-runtime-go"

	"github.com/example/platform/lib/logsearch"
	"github.com/example/platform/lib/props/propstest"
	"github.com/example/platform/test/constructkit"
)

const reader = "arn:aws:iam::111111111111:role/OnCall"

// build makes a log search in a fresh stack, with change applied to its props.
func build(t *testing.T, change func(*logsearch.Props)) (awscdk.Stack, *logsearch.LogSearch, awskms.Key) {
	t.Helper()
	s := constructkit.Stack(t, "eu-west-1")
	key := awskms.NewKey(s, jsii.String("Key"), nil)
	bucket := awss3.NewBucket(s, jsii.String("Lake"), &awss3.BucketProps{Encryption: awss3.BucketEncryption_KMS, EncryptionKey: key})
	p := logsearch.Props{Name: "acme-prod", Key: key, Readers: []string{reader}, RetentionDays: 30, Bucket: bucket, LogRetention: awslogs.RetentionDays_ONE_MONTH}
	if change != nil {
		change(&p)
	}
	return s, logsearch.New(s, "LogSearch", p), key
}

func policyOf(t *testing.T, tpl assertions.Template, resourceType, kind string) any {
	t.Helper()
	var found *map[string]*map[string]any
	constructkit.Assert(t, func() {
		found = tpl.FindResources(jsii.String(resourceType), map[string]any{"Properties": map[string]any{"Type": kind}})
	})
	if len(*found) != 1 {
		t.Fatalf("%d %s of type %s, want 1", len(*found), resourceType, kind)
	}
	for _, r := range *found {
		return (*r)["Properties"].(map[string]any)["Policy"]
	}
	return nil
}

// The collection is encrypted with the key given (an encryption policy must name a collection
// before it can be created, so the collection waits for it) and keeps documents as long as the
// logs are kept.
func TestLogSearch_EncryptsWithTheKeyGivenBeforeTheCollectionExists(t *testing.T) {
	s, _, key := build(t, nil)
	tpl := constructkit.TemplateOf(t, s)
	encryption, _ := json.Marshal(policyOf(t, tpl, "AWS::OpenSearchServerless::SecurityPolicy", "encryption"))
	keyID := *s.GetLogicalId(key.Node().DefaultChild().(awskms.CfnKey))
	if !strings.Contains(string(encryption), `"AWSOwnedKey\":false`) || !strings.Contains(string(encryption), `{"Fn::GetAtt":["`+keyID+`","Arn"]}`) ||
		!strings.Contains(string(encryption), `collection/acme-prod`) {
		t.Errorf("the encryption policy is %s; want the collection acme-prod encrypted with %s", encryption, keyID)
	}
	constructkit.Assert(t, func() {
		tpl.HasResource(jsii.String("AWS::OpenSearchServerless::Collection"), map[string]any{
			"Properties": map[string]any{"Name": "acme-prod", "Type": "TIMESERIES", "StandbyReplicas": "ENABLED"},
			"DependsOn": assertions.Match_ArrayWith(&[]any{
				assertions.Match_StringLikeRegexp(jsii.String("EncryptionPolicy")), assertions.Match_StringLikeRegexp(jsii.String("NetworkPolicy")),
			}),
		})
		tpl.HasResourceProperties(jsii.String("AWS::OpenSearchServerless::LifecyclePolicy"), map[string]any{
			"Type": "retention", "Policy": assertions.Match_SerializedJson(map[string]any{"Rules": []any{map[string]any{
				"ResourceType": "index", "Resource": []any{"index/acme-prod/*"}, "MinIndexRetention": "30d",
			}}}),
		})
		tpl.HasResourceProperties(jsii.String("AWS::KinesisFirehose::DeliveryStream"), map[string]any{
			"DeliveryStreamType": "DirectPut",
			"DeliveryStreamEncryptionConfigurationInput": map[string]any{
				"KeyType": "CUSTOMER_MANAGED_CMK", "KeyARN": map[string]any{"Fn::GetAtt": []any{keyID, "Arn"}},
			},
			"AmazonOpenSearchServerlessDestinationConfiguration": assertions.Match_ObjectLike(&map[string]any{
				"IndexName": "logs", "S3BackupMode": "FailedDocumentsOnly",
				"S3Configuration": assertions.Match_ObjectLike(&map[string]any{"Prefix": "logs-errors/"}),
			}),
		})
		tpl.HasResourceProperties(jsii.String("AWS::S3::Bucket"), map[string]any{
			"LifecycleConfiguration": map[string]any{"Rules": assertions.Match_ArrayWith(&[]any{map[string]any{
				"Id": "log-search-errors", "Prefix": "logs-errors/", "ExpirationInDays": 30, "Status": "Enabled",
			}})},
		})
		// Everything with a fixed name goes with its stack, so no kept one blocks the next create.
		for _, gone := range []string{"AWS::OpenSearchServerless::Collection", "AWS::OpenSearchServerless::SecurityPolicy",
			"AWS::OpenSearchServerless::AccessPolicy", "AWS::OpenSearchServerless::LifecyclePolicy", "AWS::KinesisFirehose::DeliveryStream"} {
			tpl.AllResources(jsii.String(gone), map[string]any{"DeletionPolicy": "Delete"})
		}
	})
}

// Longer than OpenSearch Serverless keeps: the longest it keeps.
func TestLogSearch_RetentionStopsAtOpenSearchServerlesssLongest(t *testing.T) {
	s, _, _ := build(t, func(p *logsearch.Props) { p.RetentionDays = 3653 })
	policy, _ := json.Marshal(policyOf(t, constructkit.TemplateOf(t, s), "AWS::OpenSearchServerless::LifecyclePolicy", "retention"))
	if !strings.Contains(string(policy), `\"MinIndexRetention\":\"3650d\"`) {
		t.Errorf("retention policy %s; want 3650d", policy)
	}
}

// Only Firehose's role may write; the readers may only read; there is no third principal.
func TestLogSearch_OnlyTheDeliveryRoleWritesAndTheReadersRead(t *testing.T) {
	s, search, _ := build(t, nil)
	tpl := constructkit.TemplateOf(t, s)
	raw, _ := json.Marshal(policyOf(t, tpl, "AWS::OpenSearchServerless::AccessPolicy", "data"))
	roleID := *s.GetLogicalId(search.Role.Node().DefaultChild().(awscdk.CfnElement))
	policy := resolveJoin(t, raw)
	var rules []struct {
		Rules []struct {
			ResourceType string
			Resource     []string
			Permission   []string
		}
		Principal []string
	}
	if err := json.Unmarshal([]byte(policy), &rules); err != nil {
		t.Fatalf("the data access policy is not JSON: %v\n%s", err, policy)
	}
	writers, readers := 0, 0
	for _, r := range rules {
		for _, rule := range r.Rules {
			writes := slices.ContainsFunc(rule.Permission, func(p string) bool {
				return p == "aoss:*" || strings.Contains(p, "Write") || strings.Contains(p, "Create") || strings.Contains(p, "Update") || strings.Contains(p, "Delete")
			})
			switch {
			case writes && slices.Equal(r.Principal, []string{"ROLE:" + roleID}):
				writers++
				if !slices.Equal(rule.Resource, []string{"index/acme-prod/*"}) {
					t.Errorf("Firehose may write %v, want only the collection's indexes", rule.Resource)
				}
			case writes:
				t.Errorf("%v may %v on %v: only Firehose's role may write", r.Principal, rule.Permission, rule.Resource)
			case slices.Equal(r.Principal, []string{reader}):
				readers++
			default:
				t.Errorf("%v may %v on %v, and is neither Firehose nor a reader", r.Principal, rule.Permission, rule.Resource)
			}
		}
	}
	if writers != 1 || readers == 0 {
		t.Errorf("%d write rules for Firehose and %d read rules for the readers in %s", writers, readers, policy)
	}
}

// resolveJoin renders a policy that CloudFormation joins from strings and references, writing a
// role's ARN as ROLE:<logical ID>.
func resolveJoin(t *testing.T, raw []byte) string {
	t.Helper()
	var join struct {
		Join []json.RawMessage `json:"Fn::Join"`
	}
	if err := json.Unmarshal(raw, &join); err != nil || len(join.Join) != 2 {
		var plain string
		json.Unmarshal(raw, &plain)
		return plain
	}
	var parts []any
	json.Unmarshal(join.Join[1], &parts)
	var b strings.Builder
	for _, part := range parts {
		switch x := part.(type) {
		case string:
			b.WriteString(x)
		case map[string]any:
			att, _ := x["Fn::GetAtt"].([]any)
			if len(att) != 2 {
				t.Fatalf("unexpected part %v", x)
			}
			b.WriteString("ROLE:" + att[0].(string))
		}
	}
	return b.String()
}

func TestLogSearch_RefusesBadProps(t *testing.T) {
	propstest.Panics(t, func() { build(t, func(p *logsearch.Props) { *p = logsearch.Props{RetentionDays: 30} }) },
		"logsearch.New(Test/LogSearch): 5 problems", "Props.Name is required", "Props.Key is required", "Props.Bucket is required", "Props.Readers is required",
		"Props.LogRetention is required")
	propstest.Panics(t, func() {
		build(t, func(p *logsearch.Props) {
			p.Name, p.Readers, p.RetentionDays, p.ErrorPrefix = "Acme_Prod", []string{"arn:aws:iam::111111111111:user/dale"}, 4000, "errors"
		})
	}, `Props.Name "Acme_Prod" is not a collection name`, `Props.Readers[0] "arn:aws:iam::111111111111:user/dale" is not an IAM role ARN`,
		"Props.RetentionDays 4000: give 1 to 3653 days", `Props.ErrorPrefix "errors" must be a plain folder ending in /`)
	propstest.Panics(t, func() {
		logsearch.NewSubscription(constructkit.Stack(t, "eu-west-1"), "Subscription", logsearch.SubscriptionProps{})
	}, "Props.LogGroup is required", "Props.DeliveryStreamArn is required")
}

// A log group's every event goes to the delivery stream through a role that may put records on
// that stream only.
func TestLogSearch_SubscriptionSendsEveryEventToTheDeliveryStream(t *testing.T) {
	s := constructkit.Stack(t, "eu-west-1")
	group := awslogs.NewLogGroup(s, jsii.String("Service"), nil)
	arn := "arn:aws:firehose:eu-west-1:111111111111:deliverystream/logs"
	logsearch.NewSubscription(s, "Subscription", logsearch.SubscriptionProps{LogGroup: group, DeliveryStreamArn: jsii.String(arn)})
	tpl := constructkit.TemplateOf(t, s)
	constructkit.Assert(t, func() {
		tpl.HasResourceProperties(jsii.String("AWS::Logs::SubscriptionFilter"), map[string]any{
			"DestinationArn": arn, "FilterPattern": "", "LogGroupName": map[string]any{"Ref": assertions.Match_StringLikeRegexp(jsii.String("^Service"))},
		})
		tpl.HasResourceProperties(jsii.String("AWS::IAM::Policy"), map[string]any{
			"PolicyDocument": map[string]any{"Statement": []any{map[string]any{
				"Action": []any{"firehose:PutRecord", "firehose:PutRecordBatch"}, "Effect": "Allow", "Resource": arn,
			}}, "Version": assertions.Match_AnyValue()},
		})
	})
}

// The processor turns a CloudWatch Logs batch into one document, drops CloudWatch Logs' control
// messages and fails what is not a batch (which Firehose then keeps under the error prefix).
// It runs the embedded Python with python3, when the machine has it.
func TestProcessor_TurnsABatchIntoOneDocument(t *testing.T) {
	python, err := exec.LookPath("python3")
	if err != nil {
		t.Skip("python3 is not installed: the processor's behaviour is not checked here")
	}
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "index.py"), []byte(logsearch.Processor), 0o600); err != nil {
		t.Fatal(err)
	}
	batch := func(kind string, messages ...string) string {
		var events []map[string]any
		for i, m := range messages {
			events = append(events, map[string]any{"id": "e", "timestamp": 1700000000000 + i, "message": m})
		}
		data, _ := json.Marshal(map[string]any{"messageType": kind, "owner": "111111111111", "logGroup": "svc", "logStream": "api/1", "logEvents": events})
		var b bytes.Buffer
		w := gzip.NewWriter(&b)
		w.Write(data)
		w.Close()
		return base64.StdEncoding.EncodeToString(b.Bytes())
	}
	input, _ := json.Marshal(map[string]any{"records": []any{
		map[string]any{"recordId": "1", "data": batch("DATA_MESSAGE", `{"level":"info","msg":"started"}`, "plain text")},
		map[string]any{"recordId": "2", "data": batch("CONTROL_MESSAGE", "CWL CONTROL MESSAGE: Checking health of destination Firehose.")},
		map[string]any{"recordId": "3", "data": base64.StdEncoding.EncodeToString([]byte("not gzip"))},
	}})
	cmd := exec.Command(python, "-c", "import json,sys,index; print(json.dumps(index.handler(json.load(sys.stdin), None)))")
	cmd.Dir, cmd.Stdin = dir, bytes.NewReader(input)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("the processor failed: %v\n%s", err, out)
	}
	var result struct {
		Records []struct{ RecordID, Result, Data string }
	}
	if err := json.Unmarshal(out, &result); err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	if len(result.Records) != 3 {
		t.Fatalf("%d records back, want one per record: %s", len(result.Records), out)
	}
	for i, want := range []string{"Ok", "Dropped", "ProcessingFailed"} {
		if r := result.Records[i]; r.RecordID != []string{"1", "2", "3"}[i] || r.Result != want {
			t.Errorf("record %d: %s %s, want %s", i+1, r.RecordID, r.Result, want)
		}
	}
	data, _ := base64.StdEncoding.DecodeString(result.Records[0].Data)
	var document map[string]any
	if err := json.Unmarshal(data, &document); err != nil {
		t.Fatalf("the document is not JSON: %s", data)
	}
	if document["@timestamp"] != "2023-11-14T22:13:20.000Z" || document["logGroup"] != "svc" || document["logStream"] != "api/1" ||
		document["message"] != "{\"level\":\"info\",\"msg\":\"started\"}\nplain text" || len(document["events"].([]any)) != 2 {
		t.Errorf("document %s", data)
	}
}

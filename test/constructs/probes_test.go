package constructs_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/jsii-runtime-go"

	"github.com/example/platform/lib/probes"
	"github.com/example/platform/test/constructkit"
)

const keyArn = "arn:aws:kms:eu-west-1:111111111111:key/mrk-1234567890abcdef1234567890abcdef"

func probesValidProps(stack awscdk.Stack) probes.Props {
	site := probes.Address{Parameter: "/acme/prod/probes/site-url", Region: "us-east-1", Known: "https://example.com"}
	return probes.Props{
		Name: "acme-prod-1a2b3c",
		Checks: []probes.Check{
			{Name: "site", Address: site, Path: "/"},
			{Name: "api", Address: probes.Address{Parameter: "/acme/prod/probes/api-url", Region: "us-west-2"}, Path: "/health"},
			{Name: "health-eu-west-1", Address: site, Path: "/.platform/health/eu-west-1"},
		},
		Key:           awskms.Key_FromKeyArn(stack, jsii.String("Key"), jsii.String(keyArn)),
		Every:         awscdk.Duration_Minutes(jsii.Number(5)),
		RetentionDays: 30,
	}
}

func probesSynth(t *testing.T) (assertions.Template, map[string]map[string]any) {
	t.Helper()
	stack := constructkit.Stack(t, "eu-west-1")
	probes.New(stack, "Canary", probesValidProps(stack))
	template := constructkit.TemplateOf(t, stack)
	var resources map[string]map[string]any
	constructkit.Assert(t, func() {
		raw := template.ToJSON()
		data, _ := json.Marshal((*raw)["Resources"])
		if err := json.Unmarshal(data, &resources); err != nil {
			t.Fatal(err)
		}
	})
	return template, resources
}

func probesOfType(resources map[string]map[string]any, resourceType string) map[string]map[string]any {
	out := map[string]map[string]any{}
	for id, r := range resources {
		if r["Type"] == resourceType {
			out[id] = r
		}
	}
	return out
}

func probesOnly(t *testing.T, resources map[string]map[string]any, resourceType string) (string, map[string]any) {
	t.Helper()
	found := probesOfType(resources, resourceType)
	if len(found) != 1 {
		t.Fatalf("%d %s, want 1", len(found), resourceType)
	}
	for id, r := range found {
		props, _ := r["Properties"].(map[string]any)
		return id, props
	}
	return "", nil
}

// jsonOf is v as JSON, for comparing and searching what a template holds.
func jsonOf(v any) string {
	data, _ := json.Marshal(v)
	return string(data)
}

// The canary runs the pinned runtime every interval, retries a failed run twice (within the
// 600 s timeout that two retries allow), keeps its runs for the retention, and hands the script
// its checks.
func TestProbe_RunsThePinnedRuntimeOnItsScheduleWithItsChecks(t *testing.T) {
	_, resources := probesSynth(t)
	_, canary := probesOnly(t, resources, "AWS::Synthetics::Canary")
	if canary["Name"] != "acme-prod-1a2b3c" || canary["RuntimeVersion"] != probes.Runtime {
		t.Errorf("canary %v runs %v, want acme-prod-1a2b3c on %s", canary["Name"], canary["RuntimeVersion"], probes.Runtime)
	}
	if got := jsonOf(canary["Schedule"]); !strings.Contains(got, `"Expression":"rate(5 minutes)"`) || !strings.Contains(got, `"RetryConfig":{"MaxRetries":2}`) {
		t.Errorf("schedule %s, want rate(5 minutes), a failed run retried twice", got)
	}
	if canary["SuccessRetentionPeriod"] != 30.0 || canary["FailureRetentionPeriod"] != 30.0 {
		t.Errorf("keeps runs %v/%v days, want 30", canary["SuccessRetentionPeriod"], canary["FailureRetentionPeriod"])
	}
	if canary["ProvisionedResourceCleanup"] != "AUTOMATIC" || canary["StartCanaryAfterCreation"] != true {
		t.Errorf("cleanup %v, start %v; want AUTOMATIC (its Lambda goes with it) and true", canary["ProvisionedResourceCleanup"], canary["StartCanaryAfterCreation"])
	}
	code := canary["Code"].(map[string]any)
	if code["Handler"] != "index.handler" || code["Script"] != probes.Script() {
		t.Errorf("code %v, want canary.js inline with handler index.handler", code["Handler"])
	}
	run := canary["RunConfig"].(map[string]any)
	variables := run["EnvironmentVariables"].(map[string]any)
	var checks []map[string]string
	if err := json.Unmarshal([]byte(variables[probes.ChecksVariable].(string)), &checks); err != nil {
		t.Fatal(err)
	}
	want := `[{"name":"site","parameter":"/acme/prod/probes/site-url","path":"/","region":"us-east-1","known":"https://example.com"},` +
		`{"name":"api","parameter":"/acme/prod/probes/api-url","path":"/health","region":"us-west-2"},` +
		`{"name":"health-eu-west-1","parameter":"/acme/prod/probes/site-url","path":"/.platform/health/eu-west-1","region":"us-east-1","known":"https://example.com"}]`
	var wantChecks []map[string]string
	_ = json.Unmarshal([]byte(want), &wantChecks)
	if jsonOf(checks) != jsonOf(wantChecks) {
		t.Errorf("checks %s\nwant %s", jsonOf(checks), jsonOf(wantChecks))
	}
	if run["MemoryInMB"] != 960.0 || run["TimeoutInSeconds"] != 60.0 {
		t.Errorf("run config %v, want 960 MiB and 60 s", run)
	}
}

// Artifacts go to the canary's own bucket, encrypted with the key, private, TLS only, written
// by the canary's role alone, and expired after the retention.
func TestProbe_ArtifactsAreEncryptedPrivateAndExpire(t *testing.T) {
	_, resources := probesSynth(t)
	bucketID, bucket := probesOnly(t, resources, "AWS::S3::Bucket")
	_, canary := probesOnly(t, resources, "AWS::Synthetics::Canary")
	if got := jsonOf(canary["ArtifactS3Location"]); !strings.Contains(got, `{"Ref":"`+bucketID+`"}`) {
		t.Errorf("artifacts go to %s, want the canary's bucket %s", got, bucketID)
	}
	if got := jsonOf(canary["ArtifactConfig"]); got != `{"S3Encryption":{"EncryptionMode":"SSE_KMS","KmsKeyArn":"`+keyArn+`"}}` {
		t.Errorf("artifact encryption %s, want SSE_KMS with the key", got)
	}
	if got := jsonOf(bucket["BucketEncryption"]); !strings.Contains(got, `"KMSMasterKeyID":"`+keyArn+`"`) {
		t.Errorf("bucket encryption %s, want the key", got)
	}
	if got := jsonOf(bucket["PublicAccessBlockConfiguration"]); strings.Count(got, "true") != 4 {
		t.Errorf("public access block %s, want all four", got)
	}
	if got := jsonOf(bucket["LifecycleConfiguration"]); !strings.Contains(got, `"ExpirationInDays":30`) {
		t.Errorf("lifecycle %s, want objects expired after 30 days", got)
	}
	if resources[bucketID]["DeletionPolicy"] != "Retain" {
		t.Errorf("bucket deletion policy %v, want Retain (CloudFormation cannot delete a bucket with objects; its name is generated)", resources[bucketID]["DeletionPolicy"])
	}
	if _, named := bucket["BucketName"]; named {
		t.Error("the bucket has a fixed name: a kept bucket would block the next create")
	}
	_, policy := probesOnly(t, resources, "AWS::S3::BucketPolicy")
	document := jsonOf(policy["PolicyDocument"])
	for _, want := range []string{`"aws:SecureTransport":"false"`, `"Sid":"OnlyTheCanaryWritesArtifacts"`, `"ArnNotEquals":{"aws:PrincipalArn":{"Fn::GetAtt":["CanaryRole`} {
		if !strings.Contains(document, want) {
			t.Errorf("bucket policy %s\nlacks %s", document, want)
		}
	}
}

// The role may do what CreateCanary requires of it, each narrowed to this canary, and read the
// parameters of its checks: nothing else, no wildcard action. The canary waits for the policy.
func TestProbe_RoleMayDoOnlyWhatTheCanaryNeeds(t *testing.T) {
	_, resources := probesSynth(t)
	policyID, policy := probesOnly(t, resources, "AWS::IAM::Policy")
	canaryID := ""
	for id := range probesOfType(resources, "AWS::Synthetics::Canary") {
		canaryID = id
	}
	if !strings.Contains(jsonOf(resources[canaryID]["DependsOn"]), `"`+policyID+`"`) {
		t.Errorf("the canary does not wait for its role's policy %s: its first runs could not write", policyID)
	}
	var document struct {
		Statement []struct {
			Action    any
			Resource  any
			Condition map[string]any
		}
	}
	if err := json.Unmarshal([]byte(jsonOf(policy["PolicyDocument"])), &document); err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, s := range document.Statement {
		actions, _ := s.Action.([]any)
		if a, ok := s.Action.(string); ok {
			actions = []any{a}
		}
		for _, a := range actions {
			action := a.(string)
			if strings.Contains(action, "*") {
				t.Errorf("allows %s", action)
			}
			got[action] += jsonOf(s.Resource)
			if action == "cloudwatch:PutMetricData" && jsonOf(s.Condition) != `{"StringEquals":{"cloudwatch:namespace":"CloudWatchSynthetics"}}` {
				t.Errorf("PutMetricData outside Synthetics' namespace: %s", jsonOf(s.Condition))
			}
		}
	}
	want := map[string]string{
		"s3:PutObject":             "CanaryArtifacts", // its bucket's objects
		"s3:GetBucketLocation":     "CanaryArtifacts",
		"s3:ListAllMyBuckets":      `"*"`,
		"cloudwatch:PutMetricData": `"*"`,
		"logs:CreateLogGroup":      "log-group:/aws/lambda/cwsyn-acme-prod-1a2b3c-*",
		"logs:CreateLogStream":     "log-group:/aws/lambda/cwsyn-acme-prod-1a2b3c-*",
		"logs:PutLogEvents":        "log-group:/aws/lambda/cwsyn-acme-prod-1a2b3c-*",
		"ssm:GetParameter":         "arn:aws:ssm:us-east-1:111111111111:parameter/acme/prod/probes/site-url",
		"kms:GenerateDataKey":      keyArn,
		"kms:Decrypt":              keyArn,
	}
	for action, resource := range want {
		if !strings.Contains(got[action], resource) {
			t.Errorf("%s on %s, want %s", action, got[action], resource)
		}
	}
	if !strings.Contains(got["ssm:GetParameter"], "arn:aws:ssm:us-west-2:111111111111:parameter/acme/prod/probes/api-url") {
		t.Errorf("ssm:GetParameter on %s, want the API's parameter in us-west-2 too", got["ssm:GetParameter"])
	}
	if len(got) != len(want) {
		t.Errorf("the role may %v, want exactly %d actions", got, len(want))
	}
}

// The address a canary calls is a parameter of the fixed name it reads, holding the URL, that
// goes with its stack.
func TestPublishAddress_WritesTheURLUnderTheFixedName(t *testing.T) {
	stack := constructkit.Stack(t, "us-east-1")
	probes.PublishAddress(stack, "SiteAddress", "/acme/prod/probes/site-url", jsii.String("https://example.com"))
	template := constructkit.TemplateOf(t, stack)
	constructkit.Assert(t, func() {
		template.HasResource(jsii.String("AWS::SSM::Parameter"), map[string]any{
			"Properties":     map[string]any{"Name": "/acme/prod/probes/site-url", "Type": "String", "Value": "https://example.com", "Tier": "Standard"},
			"DeletionPolicy": assertions.Match_Absent(),
		})
	})
}

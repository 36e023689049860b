package constructs_test

import (
	"encoding/json"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"

	"github.com/example/platform/lib/baseline"
	"github.com/example/platform/lib/compliance"
	"github.com/example/platform/lib/props/propstest"
	"github.com/example/platform/test/constructkit"
)

// home is every part of an account's home region.
func home() baseline.Props {
	return baseline.Props{
		AlertDisplayName: "acme security", AlertEmails: []string{"oncall@example.com"},
		GuardDuty: baseline.Create, SecurityHub: baseline.Create, SecurityHubStandards: true, AggregatedRegions: []string{"eu-west-1", "us-west-2"},
		Config: baseline.Create, RecordGlobalResources: true, RetentionDays: 365, CloudTrail: baseline.Create,
		Trail:   &baseline.TrailProps{DataEventBuckets: []string{"acme-prod-111111111111-us-east-1-lake", "acme-prod-111111111111-eu-west-1-lake"}},
		Auditor: &baseline.AuditorProps{RoleName: "acme-auditor", Principals: []string{"333333333333", "arn:aws:iam::333333333333:role/Audit"}},
	}
}

// other is every part of a region that is not its account's home.
func other() baseline.Props {
	return baseline.Props{AlertDisplayName: "acme security", GuardDuty: baseline.Create, SecurityHub: baseline.Create, SecurityHubStandards: true,
		Config: baseline.Create, CloudTrail: baseline.Create, RetentionDays: 365}
}

func baselineSynth(t *testing.T, region string, props baseline.Props) assertions.Template {
	t.Helper()
	s := constructkit.Stack(t, region)
	baseline.New(s, "Baseline", props)
	return constructkit.TemplateOf(t, s)
}

func count(t *testing.T, tpl assertions.Template, resourceType string) int {
	t.Helper()
	var found *map[string]*map[string]any
	constructkit.Assert(t, func() { found = tpl.FindResources(jsii.String(resourceType), nil) })
	return len(*found)
}

func TestBaseline_HomeRegionHasEveryPartOnceAndTheAccountWideOnes(t *testing.T) {
	tpl := baselineSynth(t, "us-east-1", home())
	for resourceType, want := range map[string]int{
		"AWS::GuardDuty::Detector": 1, "AWS::SecurityHub::Hub": 1, "AWS::SecurityHub::Standard": 2, "AWS::SecurityHub::FindingAggregator": 1,
		"AWS::Config::ConfigurationRecorder": 1, "AWS::Config::DeliveryChannel": 1, "AWS::Config::ConfigRule": len(baseline.ManagedRules()),
		"AWS::CloudTrail::Trail": 1, "AWS::SNS::Topic": 1, "AWS::Events::Rule": 3,
	} {
		if got := count(t, tpl, resourceType); got != want {
			t.Errorf("%d %s, want %d", got, resourceType, want)
		}
	}
	constructkit.Assert(t, func() {
		tpl.HasResourceProperties(jsii.String("AWS::Config::ConfigurationRecorder"), map[string]any{
			"RecordingGroup": map[string]any{"AllSupported": true, "IncludeGlobalResourceTypes": true},
		})
		tpl.HasResourceProperties(jsii.String("AWS::SecurityHub::FindingAggregator"), map[string]any{
			"RegionLinkingMode": "SPECIFIED_REGIONS", "Regions": []any{"eu-west-1", "us-west-2"},
		})
		tpl.HasResourceProperties(jsii.String("AWS::IAM::Role"), map[string]any{"RoleName": "acme-auditor", "MaxSessionDuration": 3600})
		for _, s := range baseline.Standards() {
			tpl.HasResourceProperties(jsii.String("AWS::SecurityHub::Standard"), map[string]any{"StandardsArn": baseline.StandardArn("us-east-1", s.Path)})
		}
		tpl.HasResourceProperties(jsii.String("AWS::SecurityHub::Hub"), map[string]any{"EnableDefaultStandards": false, "ControlFindingGenerator": "SECURITY_CONTROL"})
	})
}

func TestBaseline_OtherRegionsLeaveTheAccountWidePartsToTheHome(t *testing.T) {
	tpl := baselineSynth(t, "eu-west-1", other())
	for _, resourceType := range []string{"AWS::SecurityHub::FindingAggregator", "AWS::CloudTrail::Trail"} {
		if got := count(t, tpl, resourceType); got != 0 {
			t.Errorf("%d %s outside the home region", got, resourceType)
		}
	}
	constructkit.Assert(t, func() {
		tpl.HasResourceProperties(jsii.String("AWS::Config::ConfigurationRecorder"), map[string]any{
			"RecordingGroup": map[string]any{"AllSupported": true, "IncludeGlobalResourceTypes": false},
		})
		// The recorder's role alone: no auditor role.
		tpl.ResourceCountIs(jsii.String("AWS::IAM::Role"), jsii.Number(1))
	})
}

// A part that is off is left out entirely, and so is what needs it: the rules, standards and
// routes (the root-user route needs a trail).
func TestBaseline_SwitchedOffPartsAreLeftOut(t *testing.T) {
	tpl := baselineSynth(t, "us-east-1", baseline.Props{AlertDisplayName: "acme security"})
	for _, resourceType := range []string{"AWS::GuardDuty::Detector", "AWS::SecurityHub::Hub", "AWS::Config::ConfigurationRecorder",
		"AWS::Config::DeliveryChannel", "AWS::Config::ConfigRule", "AWS::CloudTrail::Trail", "AWS::S3::Bucket", "AWS::IAM::Role",
		"AWS::SecurityHub::Standard", "AWS::Events::Rule"} {
		if got := count(t, tpl, resourceType); got != 0 {
			t.Errorf("%d %s with every part off", got, resourceType)
		}
	}
}

// CreateDetector turns on every plan it is not told about, Runtime Monitoring excepted: the
// detector names each one, and has GuardDuty manage the Fargate agent.
func TestBaseline_DetectorNamesEveryPlanAndManagesTheFargateAgent(t *testing.T) {
	tpl := baselineSynth(t, "us-east-1", other())
	constructkit.Assert(t, func() {
		tpl.HasResourceProperties(jsii.String("AWS::GuardDuty::Detector"), map[string]any{
			"Enable": true,
			"Features": []any{
				map[string]any{"Name": "S3_DATA_EVENTS", "Status": "ENABLED"},
				map[string]any{"Name": "RDS_LOGIN_EVENTS", "Status": "ENABLED"},
				map[string]any{"Name": "LAMBDA_NETWORK_LOGS", "Status": "ENABLED"},
				map[string]any{"Name": "RUNTIME_MONITORING", "Status": "ENABLED", "AdditionalConfiguration": []any{
					map[string]any{"Name": "ECS_FARGATE_AGENT_MANAGEMENT", "Status": "ENABLED"},
					map[string]any{"Name": "EC2_AGENT_MANAGEMENT", "Status": "DISABLED"},
					map[string]any{"Name": "EKS_ADDON_MANAGEMENT", "Status": "DISABLED"},
				}},
				map[string]any{"Name": "EKS_AUDIT_LOGS", "Status": "DISABLED"},
				map[string]any{"Name": "EBS_MALWARE_PROTECTION", "Status": "DISABLED"},
			},
		})
	})
}

// CloudTrail may encrypt with the key only for this account's trails of this region, with the
// one KMS call it makes (GenerateDataKey), and describe it.
func TestBaseline_TrailKeyLetsOnlyThisAccountsTrailsEncrypt(t *testing.T) {
	tpl := baselineSynth(t, "us-east-1", home())
	constructkit.Assert(t, func() {
		tpl.HasResourceProperties(jsii.String("AWS::KMS::Key"), map[string]any{
			"KeyPolicy": map[string]any{"Statement": assertions.Match_ArrayWith(&[]any{map[string]any{
				"Sid": "CloudTrailEncryptsThisAccountsTrailLogs", "Effect": "Allow", "Action": "kms:GenerateDataKey*", "Resource": "*",
				"Principal": map[string]any{"Service": "cloudtrail.amazonaws.com"},
				"Condition": map[string]any{
					"StringLike": map[string]any{"kms:EncryptionContext:aws:cloudtrail:arn": "arn:aws:cloudtrail:*:111111111111:trail/*"},
					"ArnLike":    map[string]any{"aws:SourceArn": "arn:aws:cloudtrail:us-east-1:111111111111:trail/*"},
				},
			}})},
		})
		// Another account's trail cannot write into the bucket under this account's prefix.
		tpl.HasResourceProperties(jsii.String("AWS::S3::BucketPolicy"), map[string]any{
			"PolicyDocument": map[string]any{"Statement": assertions.Match_ArrayWith(&[]any{assertions.Match_ObjectLike(&map[string]any{
				"Sid": "OnlyThisAccountsTrailsWrite", "Effect": "Deny", "Action": "s3:PutObject",
				"Condition": map[string]any{"StringNotEquals": map[string]any{"aws:SourceAccount": "111111111111"}},
			})})},
		})
	})
}

// Each route publishes to the topic, which lets only that rule publish through EventBridge.
func TestBaseline_EachRouteAloneMayPublishToTheTopic(t *testing.T) {
	tpl := baselineSynth(t, "us-east-1", home())
	var rules, policies *map[string]*map[string]any
	constructkit.Assert(t, func() {
		rules = tpl.FindResources(jsii.String("AWS::Events::Rule"), nil)
		policies = tpl.FindResources(jsii.String("AWS::SNS::TopicPolicy"), nil)
	})
	data, _ := json.Marshal(policies)
	for id := range *rules {
		want := `"Condition":{"ArnEquals":{"aws:SourceArn":{"Fn::GetAtt":["` + id + `","Arn"]}}}`
		if !strings.Contains(string(data), want) {
			t.Errorf("the topic policy does not let rule %s (and only it) publish: %s", id, data)
		}
	}
	if strings.Contains(string(data), `"Principal":{"Service":"events.amazonaws.com"},"Resource":{"Ref"`) &&
		!strings.Contains(string(data), `"Condition":{"ArnEquals"`) {
		t.Errorf("EventBridge may publish from any rule: %s", data)
	}
}

// The construct refuses what it cannot build, naming itself and what to do.
func TestBaseline_RejectsPropsItCannotBuild(t *testing.T) {
	for name, c := range map[string]struct {
		props baseline.Props
		want  string
	}{
		"no sender":              {baseline.Props{}, "Props.AlertDisplayName is required"},
		"aggregator without hub": {baseline.Props{AlertDisplayName: "x", AggregatedRegions: []string{"eu-west-1"}}, "Props.AggregatedRegions needs SecurityHub Create, not Off"},
		"aggregator, existing hub": {baseline.Props{AlertDisplayName: "x", SecurityHub: baseline.Existing, AggregatedRegions: []string{"eu-west-1"}},
			"Props.AggregatedRegions needs SecurityHub Create, not Existing"},
		"standards without hub":   {baseline.Props{AlertDisplayName: "x", SecurityHubStandards: true}, "Props.SecurityHubStandards needs SecurityHub"},
		"trail, existing trail":   {baseline.Props{AlertDisplayName: "x", CloudTrail: baseline.Existing, Trail: &baseline.TrailProps{}, RetentionDays: 365}, "Props.Trail needs CloudTrail Create, not Existing"},
		"bad linked region":       {baseline.Props{AlertDisplayName: "x", SecurityHub: baseline.Create, AggregatedRegions: []string{"Ireland"}}, `Props.AggregatedRegions[0] "Ireland" is not a region code`},
		"global without recorder": {baseline.Props{AlertDisplayName: "x", Config: baseline.Existing, RecordGlobalResources: true}, "Props.RecordGlobalResources needs Config Create"},
		"auditor without trust":   {baseline.Props{AlertDisplayName: "x", Auditor: &baseline.AuditorProps{RoleName: "a"}}, "Props.Auditor.Principals is required"},
		"retention under 90 days": {baseline.Props{AlertDisplayName: "x", Config: baseline.Create, RetentionDays: 30}, "Props.RetentionDays 30: keep audit files at least 90 days"},
		// The construct has no default of its own: lib/config holds it.
		"recorder without retention": {baseline.Props{AlertDisplayName: "x", Config: baseline.Create}, "Props.RetentionDays is required"},
		"auditor not a principal": {baseline.Props{AlertDisplayName: "x", Auditor: &baseline.AuditorProps{RoleName: "a", Principals: []string{"auditors"}}},
			`"auditors" is neither an account ID nor an IAM role or user ARN`},
	} {
		t.Run(name, func(t *testing.T) {
			propstest.Panics(t, func() { baseline.New(constructkit.Stack(t, "us-east-1"), "Baseline", c.props) }, "baseline.New(Test/Baseline)", c.want)
		})
	}
}

// cdk-nag finds nothing unaccepted in any combination the platform composes.
func TestBaseline_HasNoNagFindings(t *testing.T) {
	app := constructkit.NewApp(t)
	compliance.Apply(app)
	for name, props := range map[string]baseline.Props{"Home": home(), "Other": other(), "Bare": {AlertDisplayName: "x"}} {
		s := awscdk.NewStack(app, jsii.String(name), &awscdk.StackProps{Env: &awscdk.Environment{Account: jsii.String(constructkit.TestAccount), Region: jsii.String("us-east-1")}})
		baseline.New(s, "Baseline", props)
	}
	constructkit.NoSynthesisErrors(t, app)
}

// Every use of the root user alerts, reading included: an ENABLED rule never sees read-only
// management events (EventBridge user guide, "Receiving read-only management events from AWS
// services"), so the root-activity rule matches all of them, in home and other regions alike;
// the findings routes stay ENABLED.
func TestBaseline_RootActivityAlertsOnReadOnlyCallsToo(t *testing.T) {
	for _, region := range []string{"us-east-1", "eu-west-1"} {
		props := other()
		if region == "us-east-1" {
			props = home()
		}
		tpl := baselineSynth(t, region, props)
		var rules *map[string]*map[string]any
		constructkit.Assert(t, func() { rules = tpl.FindResources(jsii.String("AWS::Events::Rule"), nil) })
		root := 0
		for id, rule := range *rules {
			properties, _ := (*rule)["Properties"].(map[string]any)
			pattern, _ := json.Marshal(properties["EventPattern"])
			want := "ENABLED"
			if strings.Contains(string(pattern), `"Root"`) {
				root++
				want = "ENABLED_WITH_ALL_CLOUDTRAIL_MANAGEMENT_EVENTS"
			}
			if properties["State"] != want {
				t.Errorf("%s: rule %s has State %v, want %s", region, id, properties["State"], want)
			}
		}
		if root != 1 {
			t.Errorf("%s: %d root-activity rules, want 1", region, root)
		}
	}
}

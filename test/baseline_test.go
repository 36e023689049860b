package test

// The security baseline of every account and region (issue 16), over the assemblies of both
// configs and of a platform whose staging and prod share one account: what exists once per
// account-region or per account exists exactly once, wherever environments share accounts; the
// create-time order each resource needs; the routes from findings to the alert topic; the
// policies the baseline writes.

import (
	"encoding/json"
	"fmt"
	"maps"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/example/platform/internal/assembly"
	"github.com/example/platform/lib/baseline"
	"github.com/example/platform/lib/config"
	"github.com/example/platform/lib/plan"
	"github.com/example/platform/stacks"
	"github.com/example/platform/test/testkit"
)

// sharedAccountConfig is a platform whose staging and prod share one account (prod's primary is
// staging's secondary, and prod adds a region of its own).
const sharedAccountConfig = "test/testdata/shared-account.json"

// adoptingConfig is a platform whose accounts run some security services already: each service
// is created, the organization's or off, by account and by region.
const adoptingConfig = "test/testdata/adopting.json"

// baselineConfigs are the platforms the baseline is checked on.
var baselineConfigs = withFixtures(sharedAccountConfig, adoptingConfig)

// modeAt is the mode of service in the account-region of s.
func modeAt(p *testkit.Platform, service config.SecurityService, s *assembly.Stack) config.ServiceMode {
	return p.Config.SecurityServiceMode(service, s.Account, s.Region)
}

// serviceOf are the resources that exist once per account-region, by the service they are.
var serviceOf = map[string]config.SecurityService{
	"AWS::GuardDuty::Detector": config.GuardDuty, "AWS::SecurityHub::Hub": config.SecurityHub,
	"AWS::Config::ConfigurationRecorder": config.ConfigRecorder, "AWS::Config::DeliveryChannel": config.ConfigRecorder,
}

// eachBaseline runs check over every baseline config's platform and assembly.
func eachBaseline(t *testing.T, check func(t *testing.T, p *testkit.Platform, a *deployed)) {
	t.Helper()
	for _, file := range baselineConfigs {
		p := testkit.Synth(t, file)
		a := assemblyOf(t, p)
		t.Run(file, func(t *testing.T) { check(t, p, a) })
	}
}

func accountRegion(s *assembly.Stack) string { return s.Account + "/" + s.Region }

// homes are each account's home region.
func homes(p *testkit.Platform) map[string]string {
	out := map[string]string{}
	for _, ar := range p.Stacks.Plan.AccountRegions {
		if ar.Home {
			out[ar.Account] = ar.Region
		}
	}
	return out
}

// GuardDuty, Security Hub and Config accept one detector, hub, recorder and delivery channel per
// account and region, and a second create fails: every account-region the platform uses has
// exactly one of each, in its baseline stack, where the config has the baseline create the
// service, none where the organization runs it or it is off, and no other stack creates one.
func TestBaseline_OneDetectorHubRecorderAndDeliveryChannelPerAccountRegion(t *testing.T) {
	eachBaseline(t, func(t *testing.T, p *testkit.Platform, a *deployed) {
		want := map[string]bool{}
		for _, ar := range p.Stacks.Plan.AccountRegions {
			want[ar.Account+"/"+ar.Region] = true
		}
		baselines := map[string]string{}
		for _, s := range a.stacks {
			if tierOf(s.Name) != stacks.TierBaseline {
				continue
			}
			if other, dup := baselines[accountRegion(s)]; dup {
				t.Errorf("%s and %s are both the baseline of %s", other, s.Name, accountRegion(s))
			}
			baselines[accountRegion(s)] = s.Name
			if s.Name != stacks.BaselineStackName(p.Config.Name, s.Account, s.Region) {
				t.Errorf("%s is the baseline of %s; want it named %s", s.Name, accountRegion(s), stacks.BaselineStackName(p.Config.Name, s.Account, s.Region))
			}
		}
		if got := slices.Sorted(maps.Keys(baselines)); !slices.Equal(got, slices.Sorted(maps.Keys(want))) {
			t.Errorf("baselines in %v, want one in every account-region the platform uses: %v", got, slices.Sorted(maps.Keys(want)))
		}
		for resourceType, service := range serviceOf {
			found := map[string][]string{}
			for _, s := range a.stacks {
				for id := range resourcesOf(s, resourceType) {
					found[accountRegion(s)] = append(found[accountRegion(s)], s.Name+"/"+id)
				}
			}
			for where, ids := range found {
				if !want[where] {
					t.Errorf("%s: %s creates %s outside the baseline's account-regions", resourceType, where, ids)
				}
			}
			for where := range want {
				account, region, _ := strings.Cut(where, "/")
				mode := p.Config.SecurityServiceMode(service, account, region)
				if created := btoi(mode == config.ServiceCreate); len(found[where]) != created {
					t.Errorf("%s: %s has %d (%v), want %d (%s %s): a second create fails", resourceType, where, len(found[where]), found[where], created, service, mode)
				}
			}
		}
	})
}

// The shared-account platform is the case the baseline exists for: staging and prod in one
// account get one baseline per region between them, homed in staging's primary region.
func TestBaseline_EnvironmentsSharingAnAccountGetOneBaselinePerRegion(t *testing.T) {
	p := testkit.Synth(t, sharedAccountConfig)
	var names []string
	for _, s := range p.Stacks.Baseline.Baselines {
		if s.Place.Account == "555555555555" {
			names = append(names, *s.StackName())
			if strings.Join(s.Place.Environments, ",") != "staging,prod" {
				t.Errorf("%s serves %v, want staging and prod", *s.StackName(), s.Place.Environments)
			}
		}
	}
	want := []string{"initech-555555555555-us-east-1-baseline", "initech-555555555555-eu-west-1-baseline",
		"initech-555555555555-us-west-2-baseline", "initech-555555555555-ap-southeast-2-baseline"}
	if !slices.Equal(names, want) {
		t.Errorf("the shared account's baselines are %v, want %v", names, want)
	}
	if home := p.Stacks.Plan.HomeRegion("555555555555"); home != "us-east-1" {
		t.Errorf("the shared account's home is %s, want staging's primary us-east-1", home)
	}
}

// Security Hub has one finding aggregator per account, created in the region it aggregates into
// ("This resource must be created in the Region that you want to designate as your aggregation
// Region"), after the hub there; it links the account's other regions.
func TestBaseline_OneFindingAggregatorPerAccountInItsHomeRegionLinkingTheOthers(t *testing.T) {
	eachBaseline(t, func(t *testing.T, p *testkit.Platform, a *deployed) {
		home := homes(p)
		found := map[string]int{}
		for _, s := range a.stacks {
			for id, aggregator := range resourcesOf(s, "AWS::SecurityHub::FindingAggregator") {
				found[s.Account]++
				props := propertiesOf(aggregator)
				if s.Region != home[s.Account] {
					t.Errorf("%s/%s aggregates into %s, not the account's home region %s", s.Name, id, s.Region, home[s.Account])
				}
				var want []string
				for _, ar := range p.Stacks.Plan.AccountRegions {
					if ar.Account == s.Account && ar.Region != s.Region && p.Config.SecurityServiceMode(config.SecurityHub, ar.Account, ar.Region).Runs() {
						want = append(want, ar.Region)
					}
				}
				var got []string
				for _, r := range asList(props["Regions"]) {
					got = append(got, r.(string))
				}
				sort.Strings(got)
				sort.Strings(want)
				if props["RegionLinkingMode"] != "SPECIFIED_REGIONS" || !slices.Equal(got, want) {
					t.Errorf("%s/%s links %v %v, want SPECIFIED_REGIONS %v", s.Name, id, props["RegionLinkingMode"], got, want)
				}
				if !dependsOnTypeInStack(s, aggregator, "AWS::SecurityHub::Hub") {
					t.Errorf("%s/%s does not wait for the hub: Security Hub must be enabled before its other resources", s.Name, id)
				}
			}
		}
		for account, region := range home {
			// An existing hub's aggregation is its owner's.
			want := btoi(p.Config.SecurityServiceMode(config.SecurityHub, account, region) == config.ServiceCreate)
			if found[account] != want {
				t.Errorf("account %s has %d finding aggregators, want %d", account, found[account], want)
			}
		}
	})
}

// dependsOnTypeInStack reports whether resource names, in DependsOn, a resource of resourceType
// of its own stack.
func dependsOnTypeInStack(s *assembly.Stack, resource map[string]any, resourceType string) bool {
	for id, r := range s.Template.Resources {
		if r["Type"] == resourceType && dependsOnResource(resource, id) {
			return true
		}
	}
	return false
}

// The order CloudFormation must create the baseline in: "Before you can create a delivery
// channel, you must create a configuration recorder"; the recorder starts with its channel and
// then writes with its role, whose policy must exist; Config rules evaluate only what a running
// recorder records; Security Hub's standards need the hub. What the baseline does not create (the
// organization's recorder or hub) runs already.
func TestBaseline_ConfigAndSecurityHubResourcesWaitForWhatTheyNeed(t *testing.T) {
	eachBaseline(t, func(t *testing.T, p *testkit.Platform, a *deployed) {
		checked := 0
		for _, s := range a.stacks {
			for id, channel := range resourcesOf(s, "AWS::Config::DeliveryChannel") {
				checked++
				for _, need := range []string{"AWS::Config::ConfigurationRecorder", "AWS::IAM::Policy", "AWS::S3::BucketPolicy"} {
					if !dependsOnTypeInStack(s, channel, need) {
						t.Errorf("%s/%s does not wait for its %s", s.Name, id, need)
					}
				}
			}
			for id, recorder := range resourcesOf(s, "AWS::Config::ConfigurationRecorder") {
				if !dependsOnTypeInStack(s, recorder, "AWS::IAM::Policy") {
					t.Errorf("%s/%s starts recording before its role's policy exists", s.Name, id)
				}
				group, _ := propertiesOf(recorder)["RecordingGroup"].(map[string]any)
				if group["AllSupported"] != true {
					t.Errorf("%s/%s records %v, want every supported resource type", s.Name, id, group)
				}
			}
			ownRecorder, ownHub := len(resourcesOf(s, "AWS::Config::DeliveryChannel")) > 0, len(resourcesOf(s, "AWS::SecurityHub::Hub")) > 0
			for id, rule := range resourcesOf(s, "AWS::Config::ConfigRule") {
				if ownRecorder && !dependsOnTypeInStack(s, rule, "AWS::Config::DeliveryChannel") {
					t.Errorf("%s/%s may be created before the recorder runs", s.Name, id)
				}
			}
			for id, standard := range resourcesOf(s, "AWS::SecurityHub::Standard") {
				if ownHub && !dependsOnTypeInStack(s, standard, "AWS::SecurityHub::Hub") {
					t.Errorf("%s/%s may be created before the hub", s.Name, id)
				}
			}
		}
		checkedSomething(t, checked, "delivery channel")
	})
}

// Global resource types (IAM) are the same in every region: recorded in one region per account,
// the home region, or every region would record each change again.
func TestBaseline_GlobalResourcesAreRecordedInEachAccountsHomeRegionOnly(t *testing.T) {
	eachBaseline(t, func(t *testing.T, p *testkit.Platform, a *deployed) {
		home := homes(p)
		global := map[string][]string{}
		for _, s := range a.stacks {
			for _, recorder := range resourcesOf(s, "AWS::Config::ConfigurationRecorder") {
				group, _ := propertiesOf(recorder)["RecordingGroup"].(map[string]any)
				if group["IncludeGlobalResourceTypes"] == true {
					global[s.Account] = append(global[s.Account], s.Region)
				}
			}
		}
		for account, region := range home {
			got := global[account]
			if p.Config.SecurityServiceMode(config.ConfigRecorder, account, region) != config.ServiceCreate {
				if len(got) > 0 {
					t.Errorf("account %s records global resources in %v, but its home region %s's recorder is not the baseline's", account, got, region)
				}
				continue
			}
			if len(got) != 1 || got[0] != region {
				t.Errorf("account %s records global resources in %v, want only its home region %s", account, got, region)
			}
		}
	})
}

// One multi-region trail per account, from its home region: log file validation on, encrypted
// with a key that lets CloudTrail encrypt, delivered to a retained, encrypted bucket with a
// lifecycle and to an encrypted log group with a retention, recording every management event
// and the object-level events of every data lake bucket of the account's environments.
func TestBaseline_OneMultiRegionTrailPerAccountValidatedEncryptedAndRecordingTheLakes(t *testing.T) {
	eachBaseline(t, func(t *testing.T, p *testkit.Platform, a *deployed) {
		home := homes(p)
		trails := map[string]int{}
		for _, s := range a.stacks {
			for id, trail := range resourcesOf(s, "AWS::CloudTrail::Trail") {
				trails[s.Account]++
				props := propertiesOf(trail)
				where := s.Name + "/" + id
				if s.Region != home[s.Account] {
					t.Errorf("%s is in %s, not the account's home region %s", where, s.Region, home[s.Account])
				}
				for _, flag := range []string{"IsMultiRegionTrail", "EnableLogFileValidation", "IncludeGlobalServiceEvents", "IsLogging"} {
					if props[flag] != true {
						t.Errorf("%s: %s is %v, want true", where, flag, props[flag])
					}
				}
				key := s.Template.Resources[refTo(props["KMSKeyId"])]
				if key == nil || key["Type"] != "AWS::KMS::Key" {
					t.Errorf("%s is not encrypted with a key of its stack: %s", where, jsonOf(props["KMSKeyId"]))
				} else if !allows(keyStatements(key), "cloudtrail.amazonaws.com", "kms:GenerateDataKey*") {
					t.Errorf("%s: its key's policy does not let CloudTrail encrypt: %s", where, jsonOf(keyStatements(key)))
				}
				bucket := s.Template.Resources[refTo(props["S3BucketName"])]
				if bucket == nil || bucket["DeletionPolicy"] != "RetainExceptOnCreate" || !strings.Contains(jsonOf(bucket), `"SSEAlgorithm":"aws:kms"`) ||
					!strings.Contains(jsonOf(bucket), `"ExpirationInDays":`) {
					t.Errorf("%s delivers to a bucket that is not retained, KMS-encrypted and expiring: %s", where, jsonOf(bucket))
				}
				group := s.Template.Resources[refTo(props["CloudWatchLogsLogGroupArn"])]
				if group == nil || propertiesOf(group)["RetentionInDays"] == nil || propertiesOf(group)["KmsKeyId"] == nil {
					t.Errorf("%s does not deliver to an encrypted log group with a retention: %s", where, jsonOf(group))
				}
				selectors := jsonOf(props["EventSelectors"])
				if !strings.Contains(selectors, `{"IncludeManagementEvents":true,"ReadWriteType":"All"}`) {
					t.Errorf("%s does not record every management event: %s", where, selectors)
				}
				for _, env := range p.Config.Environments {
					if env.Account != s.Account {
						continue
					}
					for _, r := range env.Regions {
						lake := "arn:aws:s3:::" + stacks.LakeBucketName(p.Config.Name, env.Name, env.Account, r.Region) + "/"
						if !strings.Contains(selectors, `"`+lake+`"`) {
							t.Errorf("%s does not record the data events of %s's lake in %s (%s): %s", where, env.Name, r.Region, lake, selectors)
						}
					}
				}
			}
		}
		for account, region := range home {
			want := btoi(p.Config.SecurityServiceMode(config.CloudTrail, account, region) == config.ServiceCreate)
			if trails[account] != want {
				t.Errorf("account %s has %d trails, want %d multi-region trail (cloudTrail %s)", account, trails[account], want,
					p.Config.SecurityServiceMode(config.CloudTrail, account, region))
			}
		}
	})
}

type statement struct {
	Sid       string
	Effect    string
	Principal any
	Action    any
	Resource  any
	Condition map[string]map[string]any
}

func (s statement) actions() []string {
	var out []string
	switch a := s.Action.(type) {
	case string:
		out = append(out, a)
	case []any:
		for _, x := range a {
			out = append(out, fmt.Sprint(x))
		}
	}
	return out
}

// typedStatementsOf are the statements of a policy document, typed.
func typedStatementsOf(document any) []statement {
	var doc struct{ Statement []statement }
	_ = json.Unmarshal([]byte(jsonOf(document)), &doc)
	return doc.Statement
}

func keyStatements(key map[string]any) []statement {
	return typedStatementsOf(propertiesOf(key)["KeyPolicy"])
}

// allows reports whether an Allow statement for principal (a service, or an account's root)
// grants action.
func allows(statements []statement, principal, action string) bool {
	for _, s := range statements {
		if s.Effect == "Allow" && strings.Contains(jsonOf(s.Principal), principal) && slices.Contains(s.actions(), action) {
			return true
		}
	}
	return false
}

// Every high-severity finding reaches a person: each baseline stack routes GuardDuty findings of
// severity 7 or more and Security Hub findings labelled HIGH or CRITICAL (of its own region), and
// any use of the root user, to its alert topic wherever the service runs (the baseline's or the
// organization's; root activity needs a trail), and has no route where it is off; the topic lets
// exactly those rules publish through EventBridge, and its key lets EventBridge use it through SNS.
func TestBaseline_HighSeverityFindingsReachTheAlertTopic(t *testing.T) {
	eachBaseline(t, func(t *testing.T, p *testkit.Platform, a *deployed) {
		for _, s := range a.stacks {
			if tierOf(s.Name) != stacks.TierBaseline {
				continue
			}
			routes := map[string]string{}
			for id, rule := range resourcesOf(s, "AWS::Events::Rule") {
				pattern := plainJSON(propertiesOf(rule)["EventPattern"])
				switch {
				case strings.Contains(pattern, `"source":["aws.guardduty"]`):
					routes["guardduty"] = id
					if !strings.Contains(pattern, fmt.Sprintf(`"severity":[{"numeric":[">=",%d]}]`, baseline.GuardDutyHighSeverity)) {
						t.Errorf("%s/%s does not route by severity: %s", s.Name, id, pattern)
					}
				case strings.Contains(pattern, `"source":["aws.securityhub"]`):
					routes["securityhub"] = id
					if !strings.Contains(pattern, `"Label":["HIGH","CRITICAL"]`) || !strings.Contains(pattern, `"Region":["`+s.Region+`"]`) {
						t.Errorf("%s/%s does not route this region's high and critical findings: %s", s.Name, id, pattern)
					}
				}
			}
			if id, ok := routesOf(s)["root"]; ok {
				routes["root"] = id
			}
			for route, service := range map[string]config.SecurityService{"guardduty": config.GuardDuty, "securityhub": config.SecurityHub, "root": config.CloudTrail} {
				id, ok := routes[route]
				switch runs := modeAt(p, service, s).Runs(); {
				case runs && !ok:
					t.Errorf("%s routes no %s events, though %s is %s", s.Name, route, service, modeAt(p, service, s))
				case !runs && ok:
					t.Errorf("%s routes %s events, though %s is off there: the rule would never fire", s.Name, route, service)
				case ok:
					checkRouteReachesTopic(t, s, id)
				}
			}
		}
	})
}

// plainJSON is value as JSON without HTML escaping (">=" stays readable).
func plainJSON(value any) string {
	var b strings.Builder
	encoder := json.NewEncoder(&b)
	encoder.SetEscapeHTML(false)
	_ = encoder.Encode(value)
	return strings.TrimSpace(b.String())
}

func checkRouteReachesTopic(t *testing.T, s *assembly.Stack, ruleID string) {
	t.Helper()
	targets := asList(propertiesOf(s.Template.Resources[ruleID])["Targets"])
	if len(targets) != 1 {
		t.Errorf("%s/%s has %d targets, want the alert topic", s.Name, ruleID, len(targets))
		return
	}
	topicID := refTo(targets[0].(map[string]any)["Arn"])
	topic := s.Template.Resources[topicID]
	if topic == nil || topic["Type"] != "AWS::SNS::Topic" {
		t.Errorf("%s/%s targets %s, not a topic of its stack", s.Name, ruleID, jsonOf(targets[0]))
		return
	}
	published := false
	for _, policy := range resourcesOf(s, "AWS::SNS::TopicPolicy") {
		if !strings.Contains(jsonOf(propertiesOf(policy)["Topics"]), `"Ref":"`+topicID+`"`) {
			continue
		}
		for _, st := range typedStatementsOf(propertiesOf(policy)["PolicyDocument"]) {
			if st.Effect == "Allow" && strings.Contains(jsonOf(st.Principal), "events.amazonaws.com") && slices.Contains(st.actions(), "sns:Publish") &&
				refTo(st.Condition["ArnEquals"]["aws:SourceArn"]) == ruleID {
				published = true
			}
		}
	}
	if !published {
		t.Errorf("%s/%s: the topic %s does not let this rule publish through EventBridge", s.Name, ruleID, topicID)
	}
	key := s.Template.Resources[refTo(propertiesOf(topic)["KmsMasterKeyId"])]
	if key == nil {
		t.Errorf("%s/%s is not encrypted with a key of its stack", s.Name, topicID)
		return
	}
	for _, action := range []string{"kms:GenerateDataKey*", "kms:Decrypt"} {
		if !allows(keyStatements(key), "events.amazonaws.com", action) {
			t.Errorf("%s/%s: its key does not let EventBridge %s, so SNS cannot deliver the findings", s.Name, topicID, action)
		}
	}
}

// sharedLibraryStatements are key policy statements the baseline takes from the platform's key
// and topic libraries rather than writes (lib/keys: the account's own use through IAM, and
// CloudWatch Logs; lib/alerts: the alarm and rule publishers' use of the topic key). Their actions
// are the services' documented sets ("kms:GenerateDataKey*", "kms:ReEncrypt*", the account's
// administration).
var sharedLibraryStatements = map[string]bool{
	"AccountAdministersAndUsesTheKeyThroughIAM":  true,
	"CloudWatchLogsEncryptsTheAccountsLogGroups": true,
	"PublishersUseTheKey":                        true,
}

// documentedWildcards are the wildcard actions a service's own guide writes into the policy it
// asks for, by statement: "Configure AWS KMS key policies for CloudTrail" grants
// kms:GenerateDataKey* to CloudTrail. Any other wildcard is a finding.
var documentedWildcards = map[string]string{
	"CloudTrailEncryptsThisAccountsTrailLogs": "kms:GenerateDataKey*",
}

// No policy the baseline writes allows an action with a wildcard: not IAM policies, not bucket or
// topic policies, not the statements it adds to its keys. Deny statements may (TLS-only).
func TestBaseline_PoliciesAllowNoWildcardActions(t *testing.T) {
	eachBaseline(t, func(t *testing.T, p *testkit.Platform, a *deployed) {
		checked := 0
		for _, s := range a.stacks {
			if tierOf(s.Name) != stacks.TierBaseline {
				continue
			}
			for id, resource := range s.Template.Resources {
				var statements []statement
				props := propertiesOf(resource)
				switch resource["Type"] {
				case "AWS::IAM::Policy", "AWS::S3::BucketPolicy", "AWS::SNS::TopicPolicy":
					statements = typedStatementsOf(props["PolicyDocument"])
				case "AWS::IAM::Role":
					statements = typedStatementsOf(props["AssumeRolePolicyDocument"])
					for _, inline := range asList(props["Policies"]) {
						statements = append(statements, typedStatementsOf(inline.(map[string]any)["PolicyDocument"])...)
					}
				case "AWS::KMS::Key":
					for _, st := range keyStatements(resource) {
						if !sharedLibraryStatements[st.Sid] {
							statements = append(statements, st)
						}
					}
				}
				for _, st := range statements {
					if st.Effect != "Allow" {
						continue
					}
					checked++
					for _, action := range st.actions() {
						if strings.Contains(action, "*") && documentedWildcards[st.Sid] != action {
							t.Errorf("%s/%s allows %s: name the actions", s.Name, id, action)
						}
					}
				}
			}
		}
		if checked == 0 {
			t.Error("no policy statement in the baselines: the rule checked nothing")
		}
	})
}

// Every environment account has one auditor role, in its home region, that the configured
// auditors (by default the tooling account) may assume, with AWS's read-only audit policies
// and nothing that writes; the tooling account, whose people are the auditors, has none.
func TestBaseline_EveryEnvironmentAccountHasOneReadOnlyAuditorRole(t *testing.T) {
	eachBaseline(t, func(t *testing.T, p *testkit.Platform, a *deployed) {
		home := homes(p)
		roles := map[string]int{}
		for _, s := range a.stacks {
			for id, role := range resourcesOf(s, "AWS::IAM::Role") {
				props := propertiesOf(role)
				if props["RoleName"] != stacks.AuditorRoleName(p.Config.Name) {
					continue
				}
				roles[s.Account]++
				if s.Region != home[s.Account] {
					t.Errorf("%s/%s is in %s, not the account's home region", s.Name, id, s.Region)
				}
				trust := jsonOf(props["AssumeRolePolicyDocument"])
				for _, principal := range p.Config.AuditorPrincipals() {
					arn := principal
					if !strings.HasPrefix(arn, "arn:") {
						arn = "arn:aws:iam::" + principal + ":root"
					}
					if !strings.Contains(trust, `"`+arn+`"`) {
						t.Errorf("%s/%s does not trust the auditor %s: %s", s.Name, id, principal, trust)
					}
				}
				policies := jsonOf(props["ManagedPolicyArns"])
				for _, name := range baseline.AuditorPolicies() {
					if !strings.Contains(policies, ":iam::aws:policy/"+name+`"`) {
						t.Errorf("%s/%s lacks %s", s.Name, id, name)
					}
				}
				if strings.Contains(policies, "ReadOnlyAccess") || strings.Contains(policies, "Administrator") {
					t.Errorf("%s/%s may read application data or write: %s", s.Name, id, policies)
				}
			}
		}
		for _, env := range p.Config.Environments {
			if roles[env.Account] != 1 {
				t.Errorf("environment account %s (%s) has %d auditor roles, want one", env.Account, env.Name, roles[env.Account])
			}
		}
		tooling := p.Config.Pipeline.Account
		if !slices.ContainsFunc(p.Config.Environments, func(e config.Environment) bool { return e.Account == tooling }) && roles[tooling] != 0 {
			t.Errorf("the tooling account has an auditor role; its people are the auditors")
		}
	})
}

// The pipeline deploys every baseline in its own stage, first (before the tooling stage and any
// environment), protects each stack after it deploys, checks a change to gated environments'
// accounts for broadened permissions before anything deploys, and fits CodePipeline's 50 actions
// as lib/plan counts them.
func TestBaseline_PipelineDeploysEveryBaselineFirstInOneStage(t *testing.T) {
	eachBaseline(t, func(t *testing.T, p *testkit.Platform, a *deployed) {
		pipeline, _ := pipelineOf(t, p)
		var order []string
		for _, stage := range pipeline.Stages {
			order = append(order, stage.Name)
		}
		baselineAt, toolingAt := slices.Index(order, config.BaselineName), slices.Index(order, stacks.ToolingEnvironment)
		if baselineAt < 0 || baselineAt != slices.Index(order, "UpdatePipeline")+1+btoi(slices.Contains(order, "Assets")) || baselineAt > toolingAt {
			t.Errorf("stages %v: want %s right after the pipeline updates itself, before %s", order, config.BaselineName, stacks.ToolingEnvironment)
		}
		stage := stageNamed(t, pipeline, config.BaselineName)
		if got, want := len(stage.Actions), p.Stacks.Plan.Baseline.Actions(); got != want || got > plan.MaxActionsPerStage {
			t.Errorf("the baseline stage has %d actions, the plan counts %d (at most %d): make lib/plan count what the stage runs",
				got, want, plan.MaxActionsPerStage)
		}
		firstDeploy, check := 1<<30, 0
		for _, s := range p.Stacks.Baseline.Baselines {
			deploy, ok := actionNamed(stage, *s.StackName()+".Deploy")
			if !ok {
				t.Errorf("the baseline stage does not deploy %s", *s.StackName())
			}
			firstDeploy = min(firstDeploy, deploy.RunOrder)
		}
		if c, ok := actionNamed(stage, "CheckPermissions.Check"); ok {
			check = c.RunOrder
		}
		switch gated := p.Config.GatesAnEnvironment(); {
		case gated && (check == 0 || check >= firstDeploy):
			t.Errorf("the platform gates an environment, but the baseline stage checks permissions at %d, its first deployment at %d", check, firstDeploy)
		case !gated && check != 0:
			t.Error("the platform gates no environment, yet the baseline stage waits on a permissions check")
		}
	})
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// The docs/security.md's baseline section lists every managed rule and every switch.
func TestBaseline_READMEListsTheRulesAndTheSwitches(t *testing.T) {
	section := docSection(t, "docs/security.md", "## Security baseline")
	for _, rule := range baseline.ManagedRules() {
		if !strings.Contains(section, "`"+rule.Identifier+"`") {
			t.Errorf("docs/security.md's baseline section does not list the Config rule %s", rule.Identifier)
		}
	}
	for _, field := range []string{"guardDuty", "securityHub", "securityHubStandards", "config", "cloudTrail", "accounts", "auditors", "retentionDays"} {
		if !strings.Contains(section, "`baseline."+field+"`") {
			t.Errorf("docs/security.md's baseline section does not say what baseline.%s does", field)
		}
	}
}

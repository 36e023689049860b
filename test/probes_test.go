package test

// The canaries (docs/operations.md: Canaries): one in every region of every environment, calling the
// region's own internal load balancer from inside its VPC, and one in its observer region,
// calling the site, the API and health routes through addresses the edge and the accelerator
// publish; each alarmed, also when it stops running; checked over the whole assembly of both
// configs, and of the shared-account platform where names could collide.

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/example/platform/internal/assembly"
	"github.com/example/platform/lib/config"
	"github.com/example/platform/lib/monitoring"
	"github.com/example/platform/lib/probes"
	"github.com/example/platform/stacks"
	"github.com/example/platform/test/constructkit"
	"github.com/example/platform/test/testkit"
)

// canaryCheck is one check of a canary's PROBE_CHECKS; a URL given at synthesis reads as the
// text around «LogicalID.Attribute» for each attribute of its stack it takes.
type canaryCheck struct {
	Name, Parameter, Region, Path, Known, URL, Host string
}

// templateText is a string value of a template with each Fn::GetAtt in it (a Fn::Join's parts)
// written «LogicalID.Attribute», and each Ref «LogicalID».
func templateText(value any) string {
	switch v := value.(type) {
	case string:
		return v
	case map[string]any:
		if join, ok := v["Fn::Join"].([]any); ok && len(join) == 2 {
			var parts []string
			for _, part := range asList(join[1]) {
				parts = append(parts, templateText(part))
			}
			return strings.Join(parts, fmt.Sprint(join[0]))
		}
		if att, ok := v["Fn::GetAtt"].([]any); ok && len(att) == 2 {
			return fmt.Sprintf("«%v.%v»", att[0], att[1])
		}
		if ref, ok := v["Ref"].(string); ok {
			return "«" + ref + "»"
		}
	}
	return jsonOf(value)
}

// canaryOf is a stack's one canary: its logical ID and properties. It fails unless there is
// exactly one.
func canaryOf(t *testing.T, s *assembly.Stack) (string, map[string]any) {
	t.Helper()
	canaries := resourcesOf(s, "AWS::Synthetics::Canary")
	if len(canaries) != 1 {
		t.Fatalf("%s has %d canaries, want 1", s.Name, len(canaries))
	}
	for id, c := range canaries {
		return id, propertiesOf(c)
	}
	return "", nil
}

func checksOf(t *testing.T, canary map[string]any) []canaryCheck {
	t.Helper()
	checks, err := checksOfCanary(canary)
	if err != nil {
		t.Fatal(err)
	}
	return checks
}

// checksOfCanary are the checks of a canary's properties.
func checksOfCanary(canary map[string]any) ([]canaryCheck, error) {
	run, _ := canary["RunConfig"].(map[string]any)
	variables, _ := run["EnvironmentVariables"].(map[string]any)
	var checks []canaryCheck
	if err := json.Unmarshal([]byte(templateText(variables[probes.ChecksVariable])), &checks); err != nil {
		return nil, fmt.Errorf("%s: %v", probes.ChecksVariable, err)
	}
	return checks, nil
}

// observerStack is an environment's DR stack in its observer region.
func observerStack(t *testing.T, a *deployed, env config.Environment) *assembly.Stack {
	t.Helper()
	name := stacks.StackName(a.platform.Config.Name, env.Name, env.ObserverRegion, stacks.TierDR)
	s, ok := a.byName[name]
	if !ok {
		t.Fatalf("no observer stack %s", name)
	}
	return s
}

// eachCanaryStack runs check for every stack of every environment that must hold a canary:
// each region's app stack, and the observer's stack.
func eachCanaryStack(t *testing.T, check func(t *testing.T, a *deployed, env config.Environment, s *assembly.Stack, observer bool)) {
	t.Helper()
	found := 0
	eachAssembly(t, func(t *testing.T, a *deployed) {
		p := a.platform.Config
		for _, env := range p.Environments {
			for _, r := range env.Regions {
				found++
				check(t, a, env, a.byName[stacks.StackName(p.Name, env.Name, r.Region, stacks.TierApp)], false)
			}
			if env.HasObserver() {
				found++
				check(t, a, env, observerStack(t, a, env), true)
			}
		}
	})
	constructkit.CheckedSomething(t, found, "stack holding a canary")
}

// Every region of an environment has its canary, in its app stack, and so has the observer
// region, which is none of the environment's regions; no other stack has one.
func TestProbes_ACanaryInEveryRegionAndInTheObserverRegion(t *testing.T) {
	eachAssembly(t, func(t *testing.T, a *deployed) {
		p := a.platform.Config
		want := map[string]string{} // stack -> canary name
		for _, env := range p.Environments {
			if env.RunsIn(env.ObserverRegion) || env.ObserverRegion == "" {
				t.Errorf("%s is watched from %q, one of its own regions: it would fail with what it watches", env.Name, env.ObserverRegion)
			}
			for _, r := range env.Regions {
				want[stacks.StackName(p.Name, env.Name, r.Region, stacks.TierApp)] = stacks.CanaryName(p.Name, env.Name, r.Region)
			}
			observer := observerStack(t, a, env)
			if observer.Region != env.ObserverRegion || observer.Account != env.Account {
				t.Errorf("%s is in %s/%s, want %s/%s", observer.Name, observer.Account, observer.Region, env.Account, env.ObserverRegion)
			}
			want[observer.Name] = stacks.CanaryName(p.Name, env.Name, env.ObserverRegion)
		}
		for _, s := range a.stacks {
			canaries := resourcesOf(s, "AWS::Synthetics::Canary")
			name, wanted := want[s.Name]
			switch {
			case !wanted && len(canaries) > 0:
				t.Errorf("%s has %d canaries; only the app stacks and the observer stack have one", s.Name, len(canaries))
			case wanted:
				if _, canary := canaryOf(t, s); canary["Name"] != name {
					t.Errorf("%s's canary is %v, want %s", s.Name, canary["Name"], name)
				}
			}
		}
	})
}

// Canary names are at most 21 characters of a-z, 0-9, - and _ (Synthetics names the function
// and log group after the first 21), and unique in each account and region, where a kept or
// existing canary of the same name blocks the create: checked with environments sharing an
// account too.
func TestProbes_CanaryNamesFitAndAreUniqueInEachAccountAndRegion(t *testing.T) {
	valid := regexp.MustCompile(`^[0-9a-z_-]{1,21}$`)
	names := 0
	for _, file := range withFixtures(sharedAccountConfig) {
		a := assemblyOf(t, testkit.Synth(t, file))
		seen := map[string]string{}
		for _, s := range a.stacks {
			for id, c := range resourcesOf(s, "AWS::Synthetics::Canary") {
				names++
				name, _ := propertiesOf(c)["Name"].(string)
				if !valid.MatchString(name) {
					t.Errorf("%s/%s: canary name %q is not 1 to 21 of a-z, 0-9, - and _", s.Name, id, name)
				}
				where := s.Account + "/" + s.Region + "/" + name
				if other, dup := seen[where]; dup {
					t.Errorf("%s/%s: canary %s is also %s's, in the same account and region", s.Name, id, name, other)
				}
				seen[where] = s.Name
			}
		}
	}
	constructkit.CheckedSomething(t, names, "canary")
	// The longest platform and environment names config allows still fit.
	if name := stacks.CanaryName("abcdefghijklmnop", "abcdefghijkl", "ap-southeast-2"); !valid.MatchString(name) {
		t.Errorf("CanaryName of the longest names is %q", name)
	}
}

// The observer's canary calls the site, the API and every region's health route, reading each
// address from the parameter that the edge (the site, in us-east-1) or the accelerator (the API,
// in us-west-2) of its environment writes with the URL they serve, and knows it when the
// environment has a domain. Each health route is one of the edge distribution's behaviors.
func TestProbes_TheObserverCallsTheSiteTheAPIAndEveryHealthRouteWhereTheEdgePublishesThem(t *testing.T) {
	eachCanaryStack(t, func(t *testing.T, a *deployed, env config.Environment, s *assembly.Stack, observer bool) {
		if !observer {
			return // TestProbes_ARegionsCanaryCallsItsOwnInternalLoadBalancerFromInsideItsVPC
		}
		p := a.platform.Config
		var regions []string
		for _, r := range env.Regions {
			regions = append(regions, r.Region)
		}
		_, canary := canaryOf(t, s)
		checks := checksOf(t, canary)
		var names []string
		for _, c := range checks {
			names = append(names, c.Name)
		}
		want := []string{"site", "api"}
		for _, r := range regions {
			want = append(want, "health-"+r)
		}
		if !slices.Equal(names, want) {
			t.Errorf("%s's canary checks %v, want %v", s.Name, names, want)
		}
		edge := a.byName[stacks.StackName(p.Name, env.Name, stacks.EdgeRegion, stacks.TierEdge)]
		accelerator := a.byName[stacks.StackName(p.Name, env.Name, stacks.AcceleratorRegion, stacks.TierAccelerator)]
		behaviors := jsonOf(resourcesOf(edge, "AWS::CloudFront::Distribution"))
		for _, c := range checks {
			publisher, parameter, path := edge, stacks.SiteAddressParameter(p.Name, env.Name), "/"
			switch {
			case c.Name == "api":
				publisher, parameter, path = accelerator, stacks.APIAddressParameter(p.Name, env.Name), p.Service.HealthCheckPath
			case strings.HasPrefix(c.Name, "health-"):
				path = config.HealthPathPrefix + strings.TrimPrefix(c.Name, "health-")
				if !strings.Contains(behaviors, `"PathPattern":"`+path+`"`) {
					t.Errorf("%s calls %s, which is no behavior of %s's distribution", s.Name, path, edge.Name)
				}
			}
			if c.Parameter != parameter || c.Region != publisher.Region || c.Path != path {
				t.Errorf("%s's %s check reads %s in %s and calls %s; want %s in %s, %s", s.Name, c.Name, c.Parameter, c.Region, c.Path, parameter, publisher.Region, path)
			}
			published := 0
			for id, param := range resourcesOf(publisher, "AWS::SSM::Parameter") {
				props := propertiesOf(param)
				if props["Name"] != parameter {
					continue
				}
				published++
				if publisher.Account != s.Account {
					t.Errorf("%s reads %s from account %s, but %s/%s writes it in %s", s.Name, parameter, s.Account, publisher.Name, id, publisher.Account)
				}
				if got, wantURL := jsonOf(props["Value"]), publishedURL(publisher, env); got != wantURL {
					t.Errorf("%s/%s holds %s, want the URL it serves, %s", publisher.Name, id, got, wantURL)
				}
			}
			if published != 1 {
				t.Errorf("%s reads %s, which %s writes %d times, want once", s.Name, parameter, publisher.Name, published)
			}
			wantKnown := ""
			if env.DNS != nil {
				wantKnown = "https://" + env.DNS.DomainName
				if c.Name == "api" {
					wantKnown = "https://" + stacks.APIName(env.DNS.DomainName)
				}
			}
			if c.Known != wantKnown {
				t.Errorf("%s's %s check knows %q, want %q", s.Name, c.Name, c.Known, wantKnown)
			}
		}
	})
}

// A region's canary calls the region's own internal load balancer (the service's health path,
// and the route that checks the region's own dependencies when the config names one; nothing
// else: TestRule_ARegionsHealthReadsOnlyThatRegion) at an address of its own stack, from the region's private subnets, in a
// security group of its own stack: what it sees, and so the alarm that feeds the region's
// health, is the region alone, never the edge, the accelerator or another region. With a domain
// it speaks HTTPS and presents the API's name, which the listener's certificate carries; the
// public load balancer would refuse it (it answers only CloudFront's origin header).
func TestProbes_ARegionsCanaryCallsItsOwnInternalLoadBalancerFromInsideItsVPC(t *testing.T) {
	eachCanaryStack(t, func(t *testing.T, a *deployed, env config.Environment, s *assembly.Stack, observer bool) {
		if observer {
			return
		}
		p := a.platform.Config
		id, canary := canaryOf(t, s)
		var internal []string
		for lbID, lb := range resourcesOf(s, "AWS::ElasticLoadBalancingV2::LoadBalancer") {
			if propertiesOf(lb)["Scheme"] == "internal" {
				internal = append(internal, lbID)
			}
		}
		if len(internal) != 1 {
			t.Fatalf("%s has internal load balancers %v, want one", s.Name, internal)
		}
		url, host := "http://«"+internal[0]+".DNSName»", ""
		if env.DNS != nil {
			url, host = "https://«"+internal[0]+".DNSName»", stacks.APIName(env.DNS.DomainName)
		}
		want := []canaryCheck{{Name: stacks.RegionCanaryStep, Path: p.Service.HealthCheckPath, URL: url, Host: host}}
		if p.Service.RegionCheckPath != "" {
			want = append(want, canaryCheck{Name: stacks.RegionDependenciesStep, Path: p.Service.RegionCheckPath, URL: url, Host: host})
		}
		if got := checksOf(t, canary); !slices.Equal(got, want) {
			t.Errorf("%s/%s checks %+v, want %+v", s.Name, id, got, want)
		}
		vpc, _ := canary["VPCConfig"].(map[string]any)
		subnets := asList(vpc["SubnetIds"])
		if len(subnets) == 0 {
			t.Fatalf("%s/%s runs outside the region's VPC", s.Name, id)
		}
		network := stacks.StackName(p.Name, env.Name, s.Region, stacks.TierNetwork)
		for _, subnet := range subnets {
			if r := a.resourceOf(s, subnet); !strings.HasPrefix(r, network+"/") || !strings.Contains(r, "privateSubnet") {
				t.Errorf("%s/%s runs in %s, want the private subnets of %s", s.Name, id, r, network)
			}
		}
		if r := a.resourceOf(s, vpc["VpcId"]); !strings.HasPrefix(r, network+"/") {
			t.Errorf("%s/%s runs in VPC %s, want %s's", s.Name, id, r, network)
		}
		groups := asList(vpc["SecurityGroupIds"])
		group := resourcesOf(s, "AWS::EC2::SecurityGroup")[refTo(groups[0])]
		if len(groups) != 1 || group == nil {
			t.Fatalf("%s/%s runs in groups %v, want one group of its own stack", s.Name, id, groups)
		}
		// Least privilege: the canary's group sends HTTPS out (S3, CloudWatch) and the production
		// port to the load balancer's group, which admits it there; it admits nothing.
		canaryGroup, port := refTo(groups[0]), float64(withDomain(env, 443, 80))
		lbGroup := refTo(asList(propertiesOf(resourcesOf(s, "AWS::ElasticLoadBalancingV2::LoadBalancer")[internal[0]])["SecurityGroups"])[0])
		if got := jsonOf(propertiesOf(group)["SecurityGroupEgress"]); !strings.Contains(got, `"CidrIp":"0.0.0.0/0"`) || strings.Count(got, `"FromPort"`) != 1 || !strings.Contains(got, `"FromPort":443,"IpProtocol":"tcp","ToPort":443`) ||
			propertiesOf(group)["SecurityGroupIngress"] != nil {
			t.Errorf("%s/%s: inline egress %s and ingress %v; want HTTPS out alone, and nothing in", s.Name, canaryGroup, got, propertiesOf(group)["SecurityGroupIngress"])
		}
		rules := map[string]bool{}
		for ruleType, from := range map[string]string{"AWS::EC2::SecurityGroupEgress": canaryGroup, "AWS::EC2::SecurityGroupIngress": lbGroup} {
			for _, r := range resourcesOf(s, ruleType) {
				props := propertiesOf(r)
				peer := props["DestinationSecurityGroupId"]
				if peer == nil {
					peer = props["SourceSecurityGroupId"]
				}
				if refTo(props["GroupId"]) != from {
					continue
				}
				if other := map[string]string{canaryGroup: lbGroup, lbGroup: canaryGroup}[from]; refTo(peer) == other {
					rules[ruleType] = props["FromPort"] == port && props["ToPort"] == port
				} else if from == canaryGroup {
					t.Errorf("%s/%s may also send to %s", s.Name, canaryGroup, jsonOf(props))
				}
			}
		}
		if !rules["AWS::EC2::SecurityGroupEgress"] || !rules["AWS::EC2::SecurityGroupIngress"] {
			t.Errorf("%s: the canary's group sends to the internal load balancer on %v: %v; the load balancer admits it: %v",
				s.Name, port, rules["AWS::EC2::SecurityGroupEgress"], rules["AWS::EC2::SecurityGroupIngress"])
		}
	})
}

// publishedURL is the URL (as JSON) the edge or the accelerator serves: the domain's, or its own
// generated name's.
func publishedURL(publisher *assembly.Stack, env config.Environment) string {
	if tierOf(publisher.Name) == stacks.TierEdge {
		if env.DNS != nil {
			return `"https://` + env.DNS.DomainName + `"`
		}
		for id := range resourcesOf(publisher, "AWS::CloudFront::Distribution") {
			return `{"Fn::Join":["",["https://",{"Fn::GetAtt":["` + id + `","DomainName"]}]]}`
		}
	}
	if env.DNS != nil {
		return `"https://` + stacks.APIName(env.DNS.DomainName) + `"`
	}
	for id := range resourcesOf(publisher, "AWS::GlobalAccelerator::Accelerator") {
		return `{"Fn::Join":["",["http://",{"Fn::GetAtt":["` + id + `","DnsName"]}]]}`
	}
	return "no accelerator"
}

// A canary starts when it is created, so it is created once what it calls exists: a region's
// after its service (and it reads nothing of the edge or the accelerator, at deploy time or at
// run time: its stack takes values only from its region's keys and network stacks); the
// observer's stack after the edge and the accelerator, whose parameters it reads by name at run
// time (they are in other regions). A parameter a canary reads goes with its stack, so a failed
// create or a teardown leaves nothing to block the next create.
func TestProbes_CanariesAreCreatedOnceWhatTheyCallExists(t *testing.T) {
	eachCanaryStack(t, func(t *testing.T, a *deployed, env config.Environment, s *assembly.Stack, observer bool) {
		p := a.platform.Config
		edge := stacks.StackName(p.Name, env.Name, stacks.EdgeRegion, stacks.TierEdge)
		accelerator := stacks.StackName(p.Name, env.Name, stacks.AcceleratorRegion, stacks.TierAccelerator)
		for _, publisher := range []string{edge, accelerator} {
			if after := a.dependsOnStack(s.Name, publisher); after != observer {
				t.Errorf("%s deploys after %s: %v; want %v", s.Name, publisher, after, observer)
			}
			for id, param := range resourcesOf(a.byName[publisher], "AWS::SSM::Parameter") {
				if policy, _ := param["DeletionPolicy"].(string); retainingPolicies[policy] {
					t.Errorf("%s/%s is kept under its fixed name: the next create of %s fails on it", publisher, id, publisher)
				}
			}
		}
		id, canary := canaryOf(t, s)
		allowed := map[string]bool{}
		if !observer {
			allowed[stacks.StackName(p.Name, env.Name, s.Region, stacks.TierKeys)] = true
			allowed[stacks.StackName(p.Name, env.Name, s.Region, stacks.TierNetwork)] = true
			if !dependsOnTypeInStack(s, s.Template.Resources[id], "AWS::ECS::Service") {
				t.Errorf("%s/%s starts before the service it calls exists", s.Name, id)
			}
		}
		for _, ref := range weakReferences(canary) {
			if name := fmt.Sprint(ref["StackName"]); !allowed[name] {
				t.Errorf("%s's canary reads %s.%v at deploy time", s.Name, name, ref["OutputName"])
			}
		}
	})
}

// Each canary runs the pinned runtime, as often as the environment says, keeps its runs as long
// as it says, and goes with its stack with the Lambda function Synthetics made for it.
func TestProbes_CanariesRunThePinnedRuntimeOnTheConfiguredSchedule(t *testing.T) {
	eachCanaryStack(t, func(t *testing.T, a *deployed, env config.Environment, s *assembly.Stack, observer bool) {
		id, canary := canaryOf(t, s)
		if canary["RuntimeVersion"] != probes.Runtime {
			t.Errorf("%s/%s runs %v, want %s", s.Name, id, canary["RuntimeVersion"], probes.Runtime)
		}
		m := env.Monitoring
		unit := "minutes"
		if m.CanaryIntervalMinutes == 1 {
			unit = "minute"
		}
		if got, want := jsonOf(canary["Schedule"]), fmt.Sprintf(`"Expression":"rate(%d %s)"`, m.CanaryIntervalMinutes, unit); !strings.Contains(got, want) {
			t.Errorf("%s/%s runs on %s, want %s", s.Name, id, got, want)
		}
		for _, field := range []string{"SuccessRetentionPeriod", "FailureRetentionPeriod"} {
			if canary[field] != float64(m.CanaryRetentionDays) {
				t.Errorf("%s/%s: %s %v, want monitoring.canaryRetentionDays (%d)", s.Name, id, field, canary[field], m.CanaryRetentionDays)
			}
		}
		resource := s.Template.Resources[id]
		if canary["ProvisionedResourceCleanup"] != "AUTOMATIC" || resource["DeletionPolicy"] != nil {
			t.Errorf("%s/%s: cleanup %v, deletion policy %v; want AUTOMATIC and none (the canary and its function go with the stack, or the fixed name blocks the next create)",
				s.Name, id, canary["ProvisionedResourceCleanup"], resource["DeletionPolicy"])
		}
	})
}

// Artifacts go to the canary's own bucket in its stack: encrypted with the region's platform key
// (the observer's: a key of its stack), private, TLS only, written by the canary alone, emptied
// after the runs' retention.
func TestProbes_ArtifactsAreEncryptedPrivateAndExpire(t *testing.T) {
	eachCanaryStack(t, func(t *testing.T, a *deployed, env config.Environment, s *assembly.Stack, observer bool) {
		id, canary := canaryOf(t, s)
		location := jsonOf(canary["ArtifactS3Location"])
		var bucketID string
		for candidate := range resourcesOf(s, "AWS::S3::Bucket") {
			if strings.Contains(location, `{"Ref":"`+candidate+`"}`) {
				bucketID = candidate
			}
		}
		if bucketID == "" {
			t.Fatalf("%s/%s writes its artifacts to %s, no bucket of its stack", s.Name, id, location)
		}
		bucket := propertiesOf(s.Template.Resources[bucketID])
		encryption, _ := canary["ArtifactConfig"].(map[string]any)["S3Encryption"].(map[string]any)
		if encryption["EncryptionMode"] != "SSE_KMS" || !a.isRegionsKey(s, keyRefOf(encryption["KmsKeyArn"])) {
			t.Errorf("%s/%s encrypts artifacts with %s, want SSE_KMS with the region's platform key", s.Name, id, jsonOf(encryption))
		}
		if got, want := jsonOf(bucket["BucketEncryption"]), jsonOf(encryption["KmsKeyArn"]); !strings.Contains(got, want) {
			t.Errorf("%s/%s is encrypted with %s, want the canary's key %s", s.Name, bucketID, got, want)
		}
		if got := jsonOf(bucket["PublicAccessBlockConfiguration"]); strings.Count(got, "true") != 4 {
			t.Errorf("%s/%s blocks public access %s, want all four settings", s.Name, bucketID, got)
		}
		if got, want := jsonOf(bucket["LifecycleConfiguration"]), fmt.Sprintf(`"ExpirationInDays":%d`, env.Monitoring.CanaryRetentionDays); !strings.Contains(got, want) {
			t.Errorf("%s/%s lifecycle %s, want objects expired after monitoring.canaryRetentionDays (%s)", s.Name, bucketID, got, want)
		}
		policies := 0
		for _, policy := range resourcesOf(s, "AWS::S3::BucketPolicy") {
			props := propertiesOf(policy)
			if refTo(props["Bucket"]) != bucketID {
				continue
			}
			policies++
			document := jsonOf(props["PolicyDocument"])
			role := refTo(canary["ExecutionRoleArn"])
			for _, want := range []string{`"aws:SecureTransport":"false"`, `"ArnNotEquals":{"aws:PrincipalArn":{"Fn::GetAtt":["` + role + `","Arn"]}}`} {
				if !strings.Contains(document, want) {
					t.Errorf("%s/%s's policy lacks %s: %s", s.Name, bucketID, want, document)
				}
			}
		}
		if policies != 1 {
			t.Errorf("%s/%s has %d bucket policies, want 1", s.Name, bucketID, policies)
		}
	})
}

// keyRefOf turns a key ARN the way a template writes it into what isRegionsKey reads: a weak
// reference to the keys stack, or a reference to a key of the stack.
func keyRefOf(arn any) any {
	if m, ok := arn.(map[string]any); ok {
		if att, ok := m["Fn::GetAtt"].([]any); ok && len(att) == 2 {
			return map[string]any{"Ref": att[0]}
		}
	}
	return arn
}

// A canary's role may do what CreateCanary requires of it, narrowed to the canary (its bucket,
// Synthetics' metric namespace, its own log group, its key) and read the parameters of its
// checks, nothing else and no wildcard action; the canary, which starts running when it is
// created, waits for the policy.
func TestProbes_CanaryRolesMayDoOnlyWhatTheirCanaryNeeds(t *testing.T) {
	eachCanaryStack(t, func(t *testing.T, a *deployed, env config.Environment, s *assembly.Stack, observer bool) {
		id, canary := canaryOf(t, s)
		role := refTo(canary["ExecutionRoleArn"])
		name := fmt.Sprint(canary["Name"])
		got := map[string][]string{}
		for policyID, policy := range resourcesOf(s, "AWS::IAM::Policy") {
			props := propertiesOf(policy)
			if !strings.Contains(jsonOf(props["Roles"]), `{"Ref":"`+role+`"}`) {
				continue
			}
			if !dependsOnResource(s.Template.Resources[id], policyID) {
				t.Errorf("%s/%s does not wait for its role's policy %s", s.Name, id, policyID)
			}
			for _, st := range statementsOf(props) {
				if st["Effect"] != "Allow" {
					continue
				}
				for _, action := range stringsOf(st["Action"]) {
					if strings.Contains(action, "*") {
						t.Errorf("%s/%s allows %s", s.Name, policyID, action)
					}
					got[action] = append(got[action], jsonOf(st["Resource"])+jsonOf(st["Condition"]))
				}
			}
		}
		var parameters []string
		for _, c := range checksOf(t, canary) {
			if c.Parameter == "" {
				continue // given its URL
			}
			if arn := probes.ParameterArn(c.Region, s.Account, c.Parameter); !slices.Contains(parameters, arn) {
				parameters = append(parameters, arn)
			}
		}
		logGroup := probes.LogGroupArn(s.Region, s.Account, name)
		want := map[string]string{
			"s3:PutObject": "Artifacts", "s3:GetBucketLocation": "Artifacts", "s3:ListAllMyBuckets": `"*"`,
			"cloudwatch:PutMetricData": `"cloudwatch:namespace":"CloudWatchSynthetics"`,
			"logs:CreateLogGroup":      logGroup, "logs:CreateLogStream": logGroup, "logs:PutLogEvents": logGroup,
			"kms:GenerateDataKey": "", "kms:Decrypt": "",
		}
		if observer {
			want["ssm:GetParameter"] = strings.Join(parameters, `","`)
		} else {
			// A canary in a VPC ("Required roles and permissions for canaries").
			for _, action := range []string{"ec2:CreateNetworkInterface", "ec2:DescribeNetworkInterfaces", "ec2:DeleteNetworkInterface"} {
				want[action] = `"*"`
			}
		}
		for action, resource := range want {
			if len(got[action]) != 1 || !strings.Contains(got[action][0], resource) {
				t.Errorf("%s/%s: %s on %v, want once on %s", s.Name, role, action, got[action], resource)
			}
		}
		for action := range got {
			if _, ok := want[action]; !ok {
				t.Errorf("%s/%s may also %s", s.Name, role, action)
			}
		}
		if wantParameters := map[bool]int{true: 2, false: 0}[observer]; len(parameters) != wantParameters {
			t.Errorf("%s's canary reads %v, want %d parameters (the observer: the site's and the API's; a region's: none)", s.Name, parameters, wantParameters)
		}
	})
}

// Each canary has an alarm on its success, one run per period, firing after the configured
// failed runs and telling its stack's topic; a region's alarm counts toward that region's
// "region unhealthy" composite alarm (which can only hear alarms of its own region), and the
// observer's tells a topic of its own stack that every alert address is subscribed to.
func TestProbes_EachCanaryIsAlarmedAndARegionsCanaryFeedsItsCompositeAlarm(t *testing.T) {
	eachCanaryStack(t, func(t *testing.T, a *deployed, env config.Environment, s *assembly.Stack, observer bool) {
		p := a.platform.Config
		_, canary := canaryOf(t, s)
		name := fmt.Sprint(canary["Name"])
		signal := "canary"
		if observer {
			signal = "observer-canary"
		}
		alarmName := stacks.MonitoringName(p.Name, env.Name, s.Region) + "-" + signal
		var alarmID string
		for id, alarm := range resourcesOf(s, "AWS::CloudWatch::Alarm") {
			props := propertiesOf(alarm)
			if props["Namespace"] != "CloudWatchSynthetics" || !strings.Contains(jsonOf(props["Dimensions"]), `"Value":"`+name+`"`) ||
				strings.Contains(jsonOf(props["Dimensions"]), `"StepName"`) {
				continue // a step's alarm: TestProbes_TheObserverAlarmsOnEachRegionsHealthRouteInThatRegionsName
			}
			alarmID = id
			m := env.Monitoring
			if props["AlarmName"] != alarmName || props["MetricName"] != "SuccessPercent" || props["Threshold"] != 100.0 || props["Statistic"] != "Maximum" ||
				props["ComparisonOperator"] != "LessThanThreshold" || props["Period"] != float64(60*m.CanaryIntervalMinutes) ||
				props["EvaluationPeriods"] != float64(m.Thresholds.CanaryFailedRuns) || props["DatapointsToAlarm"] != float64(m.Thresholds.CanaryFailedRuns) {
				t.Errorf("%s/%s: %v on %v (%v) %v %v every %vs, %v of %v; want %s on SuccessPercent's Maximum below 100, every %d minutes, %d runs in a row",
					s.Name, id, props["AlarmName"], props["MetricName"], props["Statistic"], props["ComparisonOperator"], props["Threshold"], props["Period"],
					props["DatapointsToAlarm"], props["EvaluationPeriods"], alarmName, m.CanaryIntervalMinutes, m.Thresholds.CanaryFailedRuns)
			}
		}
		if alarmID == "" {
			t.Fatalf("no alarm in %s watches the canary %s", s.Name, name)
		}
		// A canary that stops running leaves its alarm without data, INSUFFICIENT_DATA, which
		// must tell the topic; a new alarm starts there, so creating one tells nobody, and the
		// composite, which reads ALARM, does not call the region unhealthy for a silent canary.
		alarm := propertiesOf(s.Template.Resources[alarmID])
		topics := resourcesOf(s, "AWS::SNS::Topic")
		told := slices.ContainsFunc(asList(alarm["InsufficientDataActions"]), func(a any) bool { _, ok := topics[refTo(a)]; return ok })
		if alarm["TreatMissingData"] != "missing" || !told {
			t.Errorf("%s/%s treats missing data as %v and tells a topic of its stack when it has none: %v (%s); want missing, and told (a canary that stops running tells people; creating the alarm does not)",
				s.Name, alarmID, alarm["TreatMissingData"], told, jsonOf(alarm["InsufficientDataActions"]))
		}
		var composite map[string]any
		for _, c := range resourcesOf(s, "AWS::CloudWatch::CompositeAlarm") {
			if propertiesOf(c)["AlarmName"] == monitoring.UnhealthyAlarmName(stacks.MonitoringName(p.Name, env.Name, s.Region)) {
				composite = propertiesOf(c)
			}
		}
		switch {
		case !observer && (composite == nil || !strings.Contains(jsonOf(composite["AlarmRule"]), `"`+alarmID+`"`)):
			t.Errorf("%s: the region-unhealthy composite alarm does not fire on the canary's alarm %s", s.Name, alarmID)
		case observer && composite != nil:
			t.Errorf("%s: the observer region has a region-unhealthy alarm; it runs no workload", s.Name)
		}
		if observer {
			var subscribed []string
			for _, sub := range resourcesOf(s, "AWS::SNS::Subscription") {
				if props := propertiesOf(sub); props["Protocol"] == "email" {
					subscribed = append(subscribed, fmt.Sprint(props["Endpoint"]))
				}
			}
			sort.Strings(subscribed)
			want := slices.Sorted(slices.Values(p.AlertEmails))
			if !slices.Equal(subscribed, want) {
				t.Errorf("%s's topic e-mails %v, want every alert address %v", s.Name, subscribed, want)
			}
		}
	})
}

// The observer has an alarm per region on the step of its canary that calls that region's
// health route, named for the region (<platform>-<env>-<region>-observer-health), telling the
// observer's topic: the outside view of each region, which still fires when the region can no
// longer raise its own alarms. (It cannot feed the region's composite alarm: a composite alarm
// hears only alarms of its own account and region.)
func TestProbes_TheObserverAlarmsOnEachRegionsHealthRouteInThatRegionsName(t *testing.T) {
	alarms := 0
	eachAssembly(t, func(t *testing.T, a *deployed) {
		p := a.platform.Config
		for _, env := range p.Environments {
			s := observerStack(t, a, env)
			_, canary := canaryOf(t, s)
			steps := map[string]bool{}
			for _, c := range checksOf(t, canary) {
				steps[c.Name] = true
			}
			topics := resourcesOf(s, "AWS::SNS::Topic")
			byName := map[string]map[string]any{}
			for _, alarm := range resourcesOf(s, "AWS::CloudWatch::Alarm") {
				props := propertiesOf(alarm)
				byName[fmt.Sprint(props["AlarmName"])] = props
			}
			for _, r := range env.Regions {
				name := stacks.ObserverHealthAlarmName(p.Name, env.Name, r.Region)
				props, ok := byName[name]
				if !ok {
					t.Errorf("%s has no alarm %s on %s's health route", s.Name, name, r.Region)
					continue
				}
				alarms++
				dimensions := map[string]any{}
				for _, d := range asList(props["Dimensions"]) {
					dimensions[fmt.Sprint(d.(map[string]any)["Name"])] = d.(map[string]any)["Value"]
				}
				step := fmt.Sprint(dimensions["StepName"])
				m := env.Monitoring
				if props["MetricName"] != "SuccessPercent" || dimensions["CanaryName"] != canary["Name"] || !steps[step] ||
					!strings.HasSuffix(step, r.Region) || props["Threshold"] != 100.0 || props["ComparisonOperator"] != "LessThanThreshold" ||
					props["Period"] != float64(60*m.CanaryIntervalMinutes) || props["EvaluationPeriods"] != float64(m.Thresholds.CanaryFailedRuns) {
					t.Errorf("%s: %s watches %v %v of %v below %v every %vs over %v runs; want SuccessPercent of %v's step health-%s below 100",
						s.Name, name, props["MetricName"], dimensions, props["Namespace"], props["Threshold"], props["Period"], props["EvaluationPeriods"], canary["Name"], r.Region)
				}
				for _, actions := range []string{"AlarmActions", "OKActions"} {
					listed := asList(props[actions])
					if len(listed) != 1 || topics[refTo(listed[0])] == nil {
						t.Errorf("%s: %s's %s are %v, want the observer's topic", s.Name, name, actions, listed)
					}
				}
			}
		}
	})
	constructkit.CheckedSomething(t, alarms, "observer health alarm")
}

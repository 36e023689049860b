package constructs_test

import (
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"

	"github.com/example/platform/lib/baseline"
	"github.com/example/platform/test/constructkit"
)

// baselineResources are a template's resources, logical ID to type.
func baselineResources(t *testing.T, tpl assertions.Template) map[string]string {
	t.Helper()
	out := map[string]string{}
	for id, r := range rawResources(t, tpl) {
		out[id], _ = r["Type"].(string)
	}
	return out
}

// rawResources are a template's resources as JSON objects, by logical ID.
func rawResources(t *testing.T, tpl assertions.Template) map[string]map[string]any {
	t.Helper()
	var template *map[string]any
	constructkit.Assert(t, func() { template = tpl.ToJSON() })
	out := map[string]map[string]any{}
	all, _ := (*template)["Resources"].(map[string]any)
	for id, r := range all {
		out[id], _ = r.(map[string]any)
	}
	return out
}

// ownTypes are the resource types a service's own resources have: what the baseline makes to
// run the service, and may leave to the organization. The rest (rules, standards, routes, the
// alert topic) is what depends on the service.
var ownTypes = map[string][]string{
	"GuardDuty":   {"AWS::GuardDuty::Detector"},
	"SecurityHub": {"AWS::SecurityHub::Hub", "AWS::SecurityHub::FindingAggregator"},
	"Config":      {"AWS::Config::ConfigurationRecorder", "AWS::Config::DeliveryChannel", "AWS::S3::Bucket", "AWS::S3::BucketPolicy", "AWS::IAM::Role", "AWS::IAM::Policy"},
	"CloudTrail":  {"AWS::CloudTrail::Trail", "AWS::S3::Bucket", "AWS::S3::BucketPolicy", "AWS::Logs::LogGroup", "AWS::IAM::Role", "AWS::IAM::Policy"},
}

// existing is home() with one service the organization's.
func existing(service string) baseline.Props {
	p := home()
	switch service {
	case "GuardDuty":
		p.GuardDuty = baseline.Existing
	case "SecurityHub":
		p.SecurityHub, p.AggregatedRegions = baseline.Existing, nil
	case "Config":
		p.Config, p.RecordGlobalResources = baseline.Existing, false
	case "CloudTrail":
		p.CloudTrail, p.Trail = baseline.Existing, nil
	}
	return p
}

// "Use the existing one" drops a service's own resources and nothing that depends on it: every
// resource of the all-created baseline that is not the service's own is still there.
func TestBaseline_AnExistingServiceKeepsEverythingThatDependsOnIt(t *testing.T) {
	created := baselineResources(t, baselineSynth(t, "us-east-1", home()))
	for service, own := range ownTypes {
		kept := baselineResources(t, baselineSynth(t, "us-east-1", existing(service)))
		var dropped []string
		for id, resourceType := range created {
			if _, ok := kept[id]; !ok && !slices.Contains(own, resourceType) {
				dropped = append(dropped, id+" ("+resourceType+")")
			}
		}
		sort.Strings(dropped)
		if len(dropped) > 0 {
			t.Errorf("%s existing drops what depends on it: %s", service, strings.Join(dropped, ", "))
		}
		if len(kept) >= len(created) {
			t.Errorf("%s existing creates %d resources, as many as creating it (%d)", service, len(kept), len(created))
		}
	}
}

// Where the baseline creates a service, what depends on it waits for it; where the service is
// the organization's, it is already running and nothing waits.
func TestBaseline_DependentsWaitForTheServiceTheBaselineCreates(t *testing.T) {
	for _, c := range []struct {
		name  string
		props baseline.Props
		want  map[string]string // dependent type → the type it waits for, "" for none of the baseline's
	}{
		{"created", home(), map[string]string{"AWS::Config::ConfigRule": "AWS::Config::DeliveryChannel", "AWS::SecurityHub::Standard": "AWS::SecurityHub::Hub"}},
		{"existing", func() baseline.Props {
			p := existing("Config")
			p.SecurityHub, p.AggregatedRegions = baseline.Existing, nil
			return p
		}(), map[string]string{"AWS::Config::ConfigRule": "", "AWS::SecurityHub::Standard": ""}},
	} {
		tpl := baselineSynth(t, "us-east-1", c.props)
		all, raw := baselineResources(t, tpl), rawResources(t, tpl)
		for dependent, needed := range c.want {
			found := 0
			for _, r := range raw {
				if r["Type"] != dependent {
					continue
				}
				found++
				waits := false
				deps, _ := r["DependsOn"].([]any)
				for _, d := range deps {
					waits = waits || all[d.(string)] == needed
				}
				if needed != "" && !waits {
					t.Errorf("%s: a %s does not wait for the %s: DependsOn %v", c.name, dependent, needed, deps)
				}
				for _, d := range deps {
					if needed == "" && slices.ContainsFunc(slices.Concat(ownTypes["Config"][:2], ownTypes["SecurityHub"]), func(own string) bool { return all[d.(string)] == own }) {
						t.Errorf("%s: a %s waits for %s", c.name, dependent, d)
					}
				}
			}
			if found == 0 {
				t.Errorf("%s: no %s", c.name, dependent)
			}
		}
	}
}

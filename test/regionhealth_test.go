package test

// A region's health is that region's (ARCHITECTURE: "Health is regional"): every signal of a
// region's region-unhealthy composite alarm, the alarm the Region switch plans and the runbook
// read as the region's application health, depends only on resources of that region. Were it to
// read the edge, the accelerator or another region, the region to fail over to would look
// unhealthy exactly when the edge or the primary fails.

import (
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/example/platform/internal/assembly"
	"github.com/example/platform/lib/config"
	"github.com/example/platform/lib/monitoring"
	"github.com/example/platform/test/constructkit"
)

var (
	// placeholder is what templateText writes for a Fn::GetAtt or a Ref: «LogicalID.Attribute».
	placeholder = regexp.MustCompile(`«([^.»]+)(\.[^»]*)?»`)
	regionName  = regexp.MustCompile(`\b(us|eu|ap|ca|sa|me|af|il|mx)-[a-z]+-\d\b`)
)

// Walked over every stack of both configs: each region-unhealthy composite alarm's rule names
// only alarms of its own stack; each of those alarms' metrics has dimensions that are resources
// of its own stack, weak references to a stack of the same account and region, or names that no
// other region appears in; and a canary named by a dimension is its stack's, reads no SSM
// parameter (not us-east-1's, not any), calls only addresses of its own stack, and there only
// routes that read nothing of another region: for the shipped service, the routes it declares
// region-local (api/internal/httpapi RegionLocalPaths, which its tests hold; /ready is not one,
// its writer check reaches the primary region), among which its configured health and
// region-check paths must be; for another service, the paths its config says read nothing of
// another region (service.healthCheckPath, service.regionCheckPath).
func TestRule_ARegionsHealthReadsOnlyThatRegion(t *testing.T) {
	composites := 0
	shipped := shippedRegionLocalPaths(t)
	eachAssembly(t, func(t *testing.T, a *deployed) {
		svc := a.platform.Config.Service
		local := map[string]bool{svc.HealthCheckPath: true}
		if svc.RegionCheckPath != "" {
			local[svc.RegionCheckPath] = true
		}
		if svc.Dockerfile == config.DefaultDockerfile {
			local = shipped
			for field, path := range map[string]string{"healthCheckPath": svc.HealthCheckPath, "regionCheckPath": svc.RegionCheckPath} {
				if path != "" && !shipped[path] {
					t.Errorf("service.%s %s is none of the shipped service's region-local routes %v", field, path, slices.Sorted(maps.Keys(shipped)))
				}
			}
		}
		for _, s := range a.stacks {
			for id, c := range resourcesOf(s, "AWS::CloudWatch::CompositeAlarm") {
				props := propertiesOf(c)
				if !strings.HasSuffix(fmt.Sprint(props["AlarmName"]), monitoring.UnhealthyAlarmName("")) {
					continue
				}
				composites++
				for _, problem := range a.foreignHealthSignals(s, props["AlarmRule"], local) {
					t.Errorf("%s/%s (%v): %s", s.Name, id, props["AlarmName"], problem)
				}
			}
		}
	})
	constructkit.CheckedSomething(t, composites, "region-unhealthy composite alarm")
}

// foreignHealthSignals are the ways a composite alarm's rule depends on something outside its
// stack's region.
func (a *deployed) foreignHealthSignals(s *assembly.Stack, rule any, local map[string]bool) []string {
	var problems []string
	text := templateText(rule)
	named := placeholder.FindAllStringSubmatch(text, -1)
	if states := strings.Count(text, "ALARM("); states != len(named) || states == 0 {
		problems = append(problems, fmt.Sprintf("its rule %s names %d alarms, %d of them alarms of its own stack", text, states, len(named)))
	}
	for _, m := range named {
		alarm, ok := s.Template.Resources[m[1]]
		if !ok || alarm["Type"] != "AWS::CloudWatch::Alarm" {
			problems = append(problems, fmt.Sprintf("its rule names %s, no alarm of its stack", m[1]))
			continue
		}
		for _, dimension := range alarmDimensions(propertiesOf(alarm)) {
			problems = append(problems, a.foreignDimension(s, m[1], dimension, local)...)
		}
	}
	return problems
}

// alarmDimensions are the dimensions of an alarm's metric, or of each metric of its math.
func alarmDimensions(alarm map[string]any) []map[string]any {
	var found []map[string]any
	for _, d := range asList(alarm["Dimensions"]) {
		found = append(found, d.(map[string]any))
	}
	for _, query := range asList(alarm["Metrics"]) {
		stat, _ := query.(map[string]any)["MetricStat"].(map[string]any)
		metric, _ := stat["Metric"].(map[string]any)
		for _, d := range asList(metric["Dimensions"]) {
			found = append(found, d.(map[string]any))
		}
	}
	return found
}

// foreignDimension is what makes one dimension of alarm depend on something outside s's region;
// local are the paths a canary may call.
func (a *deployed) foreignDimension(s *assembly.Stack, alarm string, dimension map[string]any, local map[string]bool) []string {
	name, value := fmt.Sprint(dimension["Name"]), dimension["Value"]
	var problems []string
	for _, ref := range weakReferences(value) {
		if producer := a.byName[fmt.Sprint(ref["StackName"])]; producer == nil || producer.Region != s.Region || producer.Account != s.Account {
			problems = append(problems, fmt.Sprintf("%s's %s reads %v, a stack of another region", alarm, name, ref["StackName"]))
		}
	}
	text := templateText(value)
	for _, m := range placeholder.FindAllStringSubmatch(text, -1) {
		if _, ok := s.Template.Resources[m[1]]; !ok && !strings.HasPrefix(m[1], "AWS::") {
			problems = append(problems, fmt.Sprintf("%s's %s is %s, no resource of its stack", alarm, name, m[1]))
		}
	}
	for _, region := range regionName.FindAllString(text, -1) {
		if region != s.Region {
			problems = append(problems, fmt.Sprintf("%s's %s is %s, which names %s", alarm, name, text, region))
		}
	}
	if name == "CanaryName" {
		problems = append(problems, a.foreignCanary(s, alarm, text, local)...)
	}
	return problems
}

// foreignCanary is what makes the canary named canary, watched by alarm, depend on something
// outside s's region: being another stack's, reading a parameter, calling an address that is not
// of its stack, calling a path that is not in local.
func (a *deployed) foreignCanary(s *assembly.Stack, alarm, canary string, local map[string]bool) []string {
	for id, c := range resourcesOf(s, "AWS::Synthetics::Canary") {
		props := propertiesOf(c)
		if props["Name"] != canary {
			continue
		}
		var problems []string
		for _, ref := range weakReferences(props) {
			if producer := a.byName[fmt.Sprint(ref["StackName"])]; producer == nil || producer.Region != s.Region {
				problems = append(problems, fmt.Sprintf("the canary %s reads %v, a stack of another region", id, ref["StackName"]))
			}
		}
		checks, err := checksOfCanary(props)
		if err != nil || len(checks) == 0 {
			problems = append(problems, fmt.Sprintf("the canary %s's checks cannot be read (%v)", id, err))
		}
		for _, check := range checks {
			switch {
			case check.Parameter != "" || check.Known != "":
				problems = append(problems, fmt.Sprintf("the canary %s's %s check reads %s in %s (known %q): an address another stack publishes",
					id, check.Name, check.Parameter, check.Region, check.Known))
			case len(placeholder.FindAllString(check.URL, -1)) == 0:
				problems = append(problems, fmt.Sprintf("the canary %s's %s check calls %s, no address of its stack", id, check.Name, check.URL))
			}
			if !local[check.Path] {
				problems = append(problems, fmt.Sprintf("the canary %s's %s check calls %s, which may read another region (region-local: the health path and %v)",
					id, check.Name, check.Path, slices.Sorted(maps.Keys(local))))
			}
			for _, m := range placeholder.FindAllStringSubmatch(check.URL, -1) {
				if _, ok := s.Template.Resources[m[1]]; !ok {
					problems = append(problems, fmt.Sprintf("the canary %s's %s check calls %s, not an address of its stack", id, check.Name, check.URL))
				}
			}
		}
		return problems
	}
	return []string{fmt.Sprintf("%s watches the canary %s, which is not its stack's", alarm, canary)}
}

// shippedRegionLocalPaths are the routes the shipped service declares region-local
// (RegionLocalPaths in api/internal/httpapi, a module of its own that this one cannot import),
// its constants resolved.
func shippedRegionLocalPaths(t *testing.T) map[string]bool {
	t.Helper()
	source, err := os.ReadFile(filepath.Join(constructkit.RepoRoot(t), "api", "internal", "httpapi", "httpapi.go"))
	if err != nil {
		t.Fatal(err)
	}
	list := regexp.MustCompile(`(?m)^var RegionLocalPaths = \[\]string\{([^}]*)\}`).FindSubmatch(source)
	if list == nil {
		t.Fatal("api/internal/httpapi/httpapi.go declares no RegionLocalPaths")
	}
	constants := map[string]string{}
	for _, m := range regexp.MustCompile(`(?m)^\s*(\w+)\s*=\s*("[^"]*")`).FindAllSubmatch(source, -1) {
		constants[string(m[1])] = strings.Trim(string(m[2]), `"`)
	}
	paths := map[string]bool{}
	for _, item := range strings.Split(string(list[1]), ",") {
		item = strings.TrimSpace(item)
		if value, ok := constants[item]; ok {
			item = `"` + value + `"`
		}
		if !strings.HasPrefix(item, `"/`) {
			t.Fatalf("RegionLocalPaths holds %s, neither a path nor a constant of the file", item)
		}
		paths[strings.Trim(item, `"`)] = true
	}
	return paths
}

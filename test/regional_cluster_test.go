package test

import (
	"fmt"
	"maps"
	"regexp"
	"strings"
	"testing"

	"github.com/example/platform/lib/config"
	"github.com/example/platform/test/testkit"
)

// regionalEnvironments are the environments of the fixtures (or of make check's config) that
// turn footprint.globalDatabase off, with their assemblies.
func regionalEnvironments(t *testing.T) []struct {
	a   *deployed
	env config.Environment
} {
	t.Helper()
	var found []struct {
		a   *deployed
		env config.Environment
	}
	for _, file := range withFixtures(minimalConfig) {
		p := testkit.Synth(t, file)
		for _, env := range p.Config.Environments {
			if !env.HasGlobalDatabase() {
				found = append(found, struct {
					a   *deployed
					env config.Environment
				}{assemblyOf(t, p), env})
			}
		}
	}
	checkedSomething(t, len(found), "environment with a regional cluster")
	return found
}

// A regional cluster is no global database: no stack of its environment creates a global
// cluster, and no resource names one (no grant to describe it, no drill that switches it over,
// no alarm on the global replication lag).
func TestRegionalCluster_NothingCreatesOrNamesAGlobalCluster(t *testing.T) {
	for _, r := range regionalEnvironments(t) {
		clusters := 0
		for _, s := range r.a.stacks {
			if s.Stage != r.env.Name {
				continue
			}
			clusters += len(resourcesOf(s, "AWS::RDS::DBCluster"))
			for id, res := range s.Template.Resources {
				if res["Type"] == "AWS::RDS::GlobalCluster" {
					t.Errorf("%s creates the global cluster %s: %s turns footprint.globalDatabase off", s.Name, id, r.env.Name)
					continue
				}
				text := jsonOf(withoutInlineCode(res))
				for _, global := range []string{"GlobalCluster", "global-cluster", "AuroraGlobalDBReplicationLag", "DB_GLOBAL_CLUSTER"} {
					if strings.Contains(text, global) {
						t.Errorf("%s's %s (%s) names %s, but %s has no global database", s.Name, id, res["Type"], global, r.env.Name)
					}
				}
			}
		}
		if clusters != 1 {
			t.Errorf("%s has %d Aurora clusters, want its one regional cluster", r.env.Name, clusters)
		}
	}
}

// withoutInlineCode is resource without a function's inline source: the same code serves both
// shapes (the password rotation looks a global cluster up only when its environment names one),
// and what the rule holds is what a resource is configured with.
func withoutInlineCode(resource map[string]any) map[string]any {
	properties, _ := resource["Properties"].(map[string]any)
	if code, ok := properties["Code"].(map[string]any); !ok || code["ZipFile"] == nil {
		return resource
	}
	stripped := maps.Clone(properties)
	delete(stripped, "Code")
	out := maps.Clone(resource)
	out["Properties"] = stripped
	return out
}

// The service of a regional cluster is given the cluster's writer endpoint (the cluster's
// Endpoint.Address, read from the data stack), so it looks nothing up.
func TestRegionalCluster_TheServiceIsGivenTheClustersWriterEndpoint(t *testing.T) {
	for _, r := range regionalEnvironments(t) {
		checked := 0
		for _, s := range r.a.stacks {
			if s.Stage != r.env.Name {
				continue
			}
			for _, task := range resourcesOf(s, "AWS::ECS::TaskDefinition") {
				for _, c := range asList(propertiesOf(task)["ContainerDefinitions"]) {
					for _, e := range asList(asMap(c)["Environment"]) {
						if asMap(e)["Name"] != "DB_WRITER_ENDPOINT" {
							continue
						}
						checked++
						if got := writerEndpointSource(r.a, asMap(e)["Value"]); got != "Endpoint.Address" {
							t.Errorf("%s's DB_WRITER_ENDPOINT is %s, want the Aurora cluster's Endpoint.Address from the data stack", s.Name, jsonOf(asMap(e)["Value"]))
						}
					}
				}
			}
		}
		if checked == 0 {
			t.Errorf("no task of %s is given DB_WRITER_ENDPOINT: with a regional cluster the service has no global cluster to look the writer up in", r.env.Name)
		}
	}
}

// writerEndpointSource follows value, a stack output of another stack or a GetAtt, to the
// attribute of an AWS::RDS::DBCluster it reads ("" if it reads none).
func writerEndpointSource(a *deployed, value any) string {
	if ref, ok := asMap(value)["Fn::GetStackOutput"]; ok {
		producer := a.byName[fmt.Sprint(asMap(ref)["StackName"])]
		if producer == nil {
			return ""
		}
		output := asMap(producer.Template.Outputs[fmt.Sprint(asMap(ref)["OutputName"])])
		att := asList(asMap(output["Value"])["Fn::GetAtt"])
		if len(att) != 2 || producer.Template.Resources[fmt.Sprint(att[0])]["Type"] != "AWS::RDS::DBCluster" {
			return ""
		}
		return fmt.Sprint(att[1])
	}
	return ""
}

// promoteText is what moves a global database's writer to another region: none of it belongs
// in the runbook of a regional cluster.
var promoteText = regexp.MustCompile(`(?i)promot(e|ing) (the |a )?secondary|switchover-global-cluster|failover-global-cluster|describe-global-clusters|global writer endpoint|global database ` + "`")

// The runbook of a regional cluster has its environment (one region, its cluster) and no step
// that promotes, switches over or fails over a global database.
func TestRegionalCluster_TheRunbookHasNoPromoteStep(t *testing.T) {
	for _, r := range regionalEnvironments(t) {
		text := renderRunbook(r.a, r.a.platform.ConfigFile)
		section := sectionOf(text, "## "+r.env.Name+"\n")
		if section == "" {
			t.Errorf("the runbook of %s has no section for %s, which runs a regional cluster:\n%s", r.a.platform.ConfigFile, r.env.Name, text)
			continue
		}
		if !strings.Contains(section, "regional Aurora cluster") {
			t.Errorf("the runbook's %s does not say it runs a regional cluster", r.env.Name)
		}
		if found := promoteText.FindAllString(section, -1); len(found) > 0 {
			t.Errorf("the runbook's %s tells how to move a global database's writer (%q), but it has none", r.env.Name, found)
		}
	}
}

// sectionOf is text from heading to the next heading of the same level ("" without it).
func sectionOf(text, heading string) string {
	_, after, ok := strings.Cut(text, heading)
	if !ok {
		return ""
	}
	if end := strings.Index(after, "\n## "); end >= 0 {
		return after[:end]
	}
	return after
}

// asMap is value as a JSON object (nil if it is none).
func asMap(value any) map[string]any {
	m, _ := value.(map[string]any)
	return m
}

// The architecture page draws a regional cluster's environment as one writing region, and
// says nothing of a global writer endpoint or of storage replication to other regions.
func TestRegionalCluster_TheDiagramDrawsOneWriterAndNoGlobalWriterEndpoint(t *testing.T) {
	for _, r := range regionalEnvironments(t) {
		doc, _ := renderDiagram(t, r.a.platform, r.a.platform.ConfigFile)
		paths := sectionOf(doc, "## Request and replication paths\n")
		section := sectionOf(paths, "### "+r.env.Name+"\n")
		if !strings.Contains(section, "regional Aurora cluster") || !strings.Contains(section, "(writer)") {
			t.Errorf("the diagram of %s does not draw its regional cluster's writing region:\n%s", r.env.Name, section)
		}
		for _, global := range []string{"global writer endpoint", "storage replication", "secondary"} {
			if strings.Contains(section, global) || strings.Contains(paths[:max(strings.Index(paths, "###"), 0)], global) {
				t.Errorf("the diagram of %s, which has no global database, says %q", r.env.Name, global)
			}
		}
	}
}

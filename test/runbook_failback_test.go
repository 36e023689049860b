package test

import (
	"fmt"
	"strings"
	"testing"

	"github.com/example/platform/test/constructkit"
)

// The fail-back section of each environment with more than one region gives, for every region's
// service, the exact command that puts its minimum task count back to the template's: the
// Region switch plans' scale-up raises it, and CloudFormation does not lower it (the template
// never changed). The command's values come from the scalable target in the assembly: its
// region, its ResourceId (service/<cluster>/<service>) and its MinCapacity.
func TestRunbook_FailBackPutsEveryRaisedMinimumBack(t *testing.T) {
	eachAssembly(t, func(t *testing.T, a *deployed) {
		doc := renderRunbook(a, a.platform.ConfigFile)
		checked := 0
		for _, s := range a.stacks {
			failBack := markdownSection(markdownSection(doc, "## "+s.Stage+"\n"), "### Fail back\n")
			if failBack == "" {
				continue // one region: nothing to fail back from
			}
			for id, target := range resourcesOf(s, "AWS::ApplicationAutoScaling::ScalableTarget").ofType("AWS::ApplicationAutoScaling::ScalableTarget") {
				if target["ServiceNamespace"] != "ecs" {
					continue
				}
				cluster, service := serviceResourceID(t, s.Template.Resources, target["ResourceId"])
				want := fmt.Sprintf("aws application-autoscaling register-scalable-target --region %s --service-namespace ecs --scalable-dimension ecs:service:DesiredCount "+
					"--resource-id service/$(aws cloudformation describe-stack-resource --region %s --stack-name %s --logical-resource-id %s --query StackResourceDetail.PhysicalResourceId --output text)/%s --min-capacity %v\n",
					s.Region, s.Region, s.Name, cluster, service, target["MinCapacity"])
				checked++
				if !strings.Contains(failBack, want) {
					t.Errorf("%s's fail-back does not put %s/%s back to its minimum; want\n%s\nin\n%s", s.Stage, s.Name, id, want, failBack)
				}
			}
		}
		constructkit.CheckedSomething(t, checked, "service to fail back")
	})
}

// serviceResourceID reads a scalable target's ResourceId, service/<cluster>/<service>: the
// cluster's logical ID (its physical ID is generated) and the service's name.
func serviceResourceID(t *testing.T, resources map[string]map[string]any, resourceID any) (cluster, service string) {
	t.Helper()
	join, _ := resourceID.(map[string]any)["Fn::Join"].([]any)
	if len(join) != 2 {
		t.Fatalf("ResourceId %s is not a join", jsonOf(resourceID))
	}
	parts := asList(join[1])
	if len(parts) != 4 || parts[0] != "service/" || parts[2] != "/" {
		t.Fatalf("ResourceId %s is not service/<cluster>/<service>", jsonOf(resourceID))
	}
	cluster = refTo(parts[1])
	attribute, _ := parts[3].(map[string]any)["Fn::GetAtt"].([]any)
	if cluster == "" || len(attribute) != 2 {
		t.Fatalf("ResourceId %s names no cluster or service", jsonOf(resourceID))
	}
	service, _ = propertiesOf(resources[fmt.Sprint(attribute[0])])["ServiceName"].(string)
	if service == "" {
		t.Fatalf("service %v has no name", attribute[0])
	}
	return cluster, service
}

// markdownSection is the part of doc from heading to the next heading of the same level, or "".
func markdownSection(doc, heading string) string {
	start := strings.Index(doc, heading)
	if start < 0 {
		return ""
	}
	level := heading[:strings.Index(heading, " ")+1]
	rest := doc[start+len(heading):]
	if end := strings.Index(rest, "\n"+level); end >= 0 {
		rest = rest[:end+1]
	}
	return heading + rest
}

package test

import (
	"strings"
	"testing"

	"github.com/example/platform/stacks"
	"github.com/example/platform/test/testkit"
)

// minimalConfig is a fixture of one account and one environment in one region with every
// optional part left out, the global database too (like config/minimal.json).
const minimalConfig = "test/testdata/one-region-minimal.json"

// The plan must describe the minimal fixture's assembly too (plan_test.go runs over
// planConfigs), in the project's own run; make check holds only the config it was given.
func init() {
	if checkConfig == "" {
		planConfigs = append(planConfigs, minimalConfig)
	}
}

// The minimal environment synthesizes to its regional stacks: at most 6.
func TestFootprint_MinimalEnvironmentSynthesizesToAtMostSixStacks(t *testing.T) {
	p := testkit.Synth(t, minimalConfig)
	env := p.Config.Environments[0]
	var names []string
	for _, s := range assemblyOf(t, p).stacks {
		if s.Stage == env.Name {
			names = append(names, s.Name)
		}
	}
	if len(names) == 0 || len(names) > 6 {
		t.Errorf("%s synthesizes %d stacks, want 1 to 6: %v", env.Name, len(names), names)
	}
}

// Without the edge the public load balancer is the way in: it admits any address on its
// listener, asks for no origin header, says its address in an output, and the smoke test calls
// it there; the primary keys stack keeps no origin secret, and the app stack no drills.
func TestFootprint_WithoutTheEdgeThePublicLoadBalancerIsTheWayIn(t *testing.T) {
	p := testkit.Synth(t, minimalConfig)
	env, region := p.Config.Environments[0], p.Config.Environments[0].Regions[0]
	app := assemblyOf(t, p).byName[stacks.StackName(p.Config.Name, env.Name, region.Region, stacks.TierApp)]
	if app == nil {
		t.Fatal("no app stack")
	}
	if _, ok := app.Template.Outputs[stacks.PublicURLOutput]; !ok {
		t.Errorf("%s has no %s output", app.Name, stacks.PublicURLOutput)
	}
	open := false
	for _, lb := range resourcesOf(app, "AWS::ElasticLoadBalancingV2::LoadBalancer") {
		if propertiesOf(lb)["Scheme"] != "internet-facing" {
			continue
		}
		for _, group := range asList(propertiesOf(lb)["SecurityGroups"]) {
			sg := app.Template.Resources[attOf(group)]
			for _, rule := range asList(propertiesOf(sg)["SecurityGroupIngress"]) {
				r, _ := rule.(map[string]any)
				open = open || r["CidrIp"] == "0.0.0.0/0"
			}
		}
	}
	if !open {
		t.Errorf("%s: the public load balancer admits no address beyond CloudFront's, so nothing reaches the environment without the edge", app.Name)
	}
	if strings.Contains(jsonOf(app.Template.Resources), stacks.OriginHeaderName) {
		t.Errorf("%s still asks for the origin header %s, which only CloudFront sends", app.Name, stacks.OriginHeaderName)
	}
	if got := resourcesOf(app, "AWS::FIS::ExperimentTemplate"); len(got) > 0 {
		t.Errorf("%s has %d drills, which the minimal fixture leaves out", app.Name, len(got))
	}
	keys := templateResources(t, p, stacks.StackName(p.Config.Name, env.Name, region.Region, stacks.TierKeys))
	if got := keys.ofType("AWS::SecretsManager::Secret"); len(got) > 0 {
		t.Errorf("the keys stack keeps an origin secret without the edge")
	}
	_, res := pipelineOf(t, p)
	smoke := ""
	for _, props := range res.ofType("AWS::CodeBuild::Project") {
		if s := jsonOf(props); strings.Contains(s, "curl") {
			smoke += s
		}
	}
	if !strings.Contains(smoke, "REGION_0_URL") || strings.Contains(smoke, "SITE_URL") || strings.Contains(smoke, "API_URL") {
		t.Errorf("the smoke test does not call the region's load balancer alone:\n%s", smoke)
	}
}

// attOf is the logical ID of an Fn::GetAtt.
func attOf(value any) string {
	m, _ := value.(map[string]any)
	att := asList(m["Fn::GetAtt"])
	if len(att) == 0 {
		return ""
	}
	id, _ := att[0].(string)
	return id
}

// The runbook speaks of backup copies in another region only where a backup plan copies: the
// minimal environment's plan has no copy rule (one region), a multi-region fixture's does.
func TestFootprint_TheRunbookSpeaksOfBackupCopiesOnlyWhereAPlanCopies(t *testing.T) {
	copies := []string{"with a copy in another region", "copies from other regions are there too"}
	for file, wantCopies := range map[string]bool{minimalConfig: false, twoEnvironments: true} {
		a := assemblyOf(t, testkit.Synth(t, file))
		plans, copying := 0, 0
		for _, s := range a.stacks {
			for _, r := range s.Template.Resources {
				if r["Type"] != "AWS::Backup::BackupPlan" {
					continue
				}
				plans++
				if strings.Contains(jsonOf(r), "CopyActions") {
					copying++
				}
			}
		}
		if plans == 0 || (copying > 0) != wantCopies {
			t.Fatalf("%s: %d backup plans, %d with a copy rule; the test wants plans, copying: %v", file, plans, copying, wantCopies)
		}
		text := renderRunbook(a, file)
		if !strings.Contains(text, "restore from AWS Backup (a locked vault") {
			t.Errorf("%s: the runbook does not say to restore from AWS Backup", file)
		}
		for _, phrase := range copies {
			if strings.Contains(text, phrase) != wantCopies {
				t.Errorf("%s (backup plans copying: %v): the runbook says %q: %v", file, wantCopies, phrase, !wantCopies)
			}
		}
	}
}

// edgeWithoutAcceleratorName is the minimal fixture with its edge back on.
const edgeWithoutAcceleratorName = minimalConfig + " with the edge"

// With the edge but no accelerator, no load balancer is public: the smoke test writes and reads
// its item through the edge, and names no output the stacks do not have.
func TestFootprint_WithTheEdgeButNoAcceleratorTheSmokeTestGoesThroughTheEdge(t *testing.T) {
	fixtureOnly(t, "a variant of the minimal fixture")
	cfg := testkit.LoadConfig(t, minimalConfig)
	edge := true
	cfg.Environments[0].Footprint.Edge = &edge
	p := testkit.Variant(t, cfg, minimalConfig, edgeWithoutAcceleratorName)
	_, res := pipelineOf(t, p)
	smoke := ""
	for _, props := range res.ofType("AWS::CodeBuild::Project") {
		if s := jsonOf(props); strings.Contains(s, "curl") {
			smoke += s
		}
	}
	if !strings.Contains(smoke, `${SITE_URL}/items/${ITEM}`) || strings.Contains(smoke, "REGION_0_URL") || strings.Contains(smoke, "API_URL") {
		t.Errorf("the smoke test does not go through the edge alone:\n%s", smoke)
	}
}

// A primary cluster of one instance has no reader to promote when its zone is lost: the runbook
// says Aurora re-creates the writer, and no longer than it takes, where the fixture with readers
// keeps the promotion.
func TestFootprint_TheRunbookPromotesAReaderOnlyWhereTheClusterHasOne(t *testing.T) {
	const promotes = "Aurora promotes a reader in another zone"
	for file, wantReader := range map[string]bool{minimalConfig: false, twoEnvironments: true} {
		text := renderRunbook(assemblyOf(t, testkit.Synth(t, file)), file)
		if strings.Contains(text, promotes) != wantReader {
			t.Errorf("%s (readers: %v): the runbook says %q: %v", file, wantReader, promotes, !wantReader)
		}
		if !wantReader && !strings.Contains(text, "Aurora creates a new writer in another zone") {
			t.Errorf("%s: the runbook does not say how a one-instance cluster survives a zone", file)
		}
	}
}

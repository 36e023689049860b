package test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/example/platform/stacks"
	"github.com/example/platform/test/testkit"
)

// configs are the platforms every whole-app test runs against.
var configs = []string{"config/example.json", "config/three-region.json"}

func TestPlatform_ExampleHasANetworkStackPerEnvironmentAndRegion(t *testing.T) {
	p := testkit.Synth(t, "config/example.json")
	want := []string{
		"acme-prod-eu-west-1-network", "acme-prod-us-east-1-network",
		"acme-staging-eu-west-1-network", "acme-staging-us-east-1-network",
	}
	if got := p.StackNames(); !reflect.DeepEqual(got, want) {
		t.Errorf("stacks = %v\nwant %v", got, want)
	}
}

func TestPlatform_ThreeRegionConfigDeploysNetworksInThreeRegions(t *testing.T) {
	p := testkit.Synth(t, "config/three-region.json")
	want := []string{"globex-prod-ap-southeast-2-network", "globex-prod-eu-west-1-network", "globex-prod-us-east-1-network"}
	if got := p.StackNames(); !reflect.DeepEqual(got, want) {
		t.Errorf("stacks = %v\nwant %v", got, want)
	}
}

func TestPlatform_StacksLandInTheirEnvironmentsAccountAndRegion(t *testing.T) {
	for _, file := range configs {
		p := testkit.Synth(t, file)
		for _, env := range p.Config.Environments {
			for _, region := range env.Regions {
				name := stacks.StackName(p.Config.Name, env.Name, region.Region, stacks.TierNetwork)
				stack := p.Stack(t, name)
				if *stack.Account() != env.Account || *stack.Region() != region.Region {
					t.Errorf("%s is in %s/%s, want %s/%s", name, *stack.Account(), *stack.Region(), env.Account, region.Region)
				}
			}
		}
	}
}

func TestPlatform_EachEnvironmentIsOneStageInConfigOrder(t *testing.T) {
	p := testkit.Synth(t, "config/example.json")
	var names []string
	for _, stage := range p.Stacks.Stages {
		names = append(names, *stage.StageName())
	}
	if strings.Join(names, ",") != "staging,prod" {
		t.Errorf("stages = %v, want staging,prod", names)
	}
}

func TestPlatform_EveryStackCarriesThePlatformTags(t *testing.T) {
	p := testkit.Synth(t, "config/example.json")
	for _, artifact := range p.Artifacts() {
		tags := map[string]string{}
		for k, v := range *artifact.Tags() {
			tags[k] = *v
		}
		env := strings.Split(*artifact.StackName(), "-")[1]
		want := map[string]string{"platform": "acme", "environment": env, "owner": "platform-team", "cost-centre": "cc-1234"}
		if !reflect.DeepEqual(tags, want) {
			t.Errorf("%s tags = %v, want %v", *artifact.StackName(), tags, want)
		}
	}
}

func TestPlatform_HasNoCdkNagErrors(t *testing.T) {
	for _, file := range configs {
		p := testkit.Synth(t, file)
		if errs := p.Errors(); len(errs) > 0 {
			t.Errorf("%s: %d error annotations (cdk-nag AwsSolutions findings need a fix or a reasoned compliance.Accept):\n%s",
				file, len(errs), strings.Join(errs, "\n"))
		}
	}
}

func TestPlatform_SynthesizesWithoutLookups(t *testing.T) {
	for _, file := range configs {
		p := testkit.Synth(t, file)
		if missing := p.Assembly.Manifest().Missing; missing != nil && len(*missing) > 0 {
			for _, m := range *missing {
				t.Errorf("%s needs a context lookup (%s), so synth would need credentials", file, *m.Key)
			}
		}
	}
}

// CDK's CloudFormation validator catches templates that would fail to deploy. The test
// kit runs it once per config; this test reads its report.
func TestPlatform_PassesCloudFormationValidation(t *testing.T) {
	for _, file := range configs {
		p := testkit.Synth(t, file)
		data, err := os.ReadFile(filepath.Join(p.Outdir, "validation-report.json"))
		if err != nil {
			t.Fatalf("%s: no validation report: %v", file, err)
		}
		var report struct {
			PluginReports []struct {
				PluginName string `json:"pluginName"`
				Violations []struct {
					RuleName, Description, Severity string
				} `json:"violations"`
			} `json:"pluginReports"`
		}
		if err := json.Unmarshal(data, &report); err != nil {
			t.Fatal(err)
		}
		validated := false
		for _, plugin := range report.PluginReports {
			if plugin.PluginName != "CloudFormation Validate" {
				continue
			}
			validated = true
			for _, v := range plugin.Violations {
				t.Errorf("%s: %s (%s): %s", file, v.RuleName, v.Severity, v.Description)
			}
		}
		if !validated {
			t.Errorf("%s: the CloudFormation validator did not run", file)
		}
	}
}

// Without this, a stage that lost its compliance aspect would pass the test above silently.
func TestPlatform_CdkNagChecksEveryStackInEveryStage(t *testing.T) {
	for _, file := range configs {
		p := testkit.Synth(t, file)
		for _, artifact := range p.Artifacts() {
			report := filepath.Join(p.Outdir, "AwsSolutions-"+*artifact.StackName()+"-NagReport.csv")
			if _, err := os.Stat(report); err != nil {
				t.Errorf("%s: cdk-nag did not check it (no %s)", *artifact.StackName(), filepath.Base(report))
			}
		}
	}
}

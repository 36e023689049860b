package test

import (
	"encoding/json"
	"os"
	"path/filepath"
	"reflect"
	"sort"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"

	"github.com/example/platform/lib/config"
	"github.com/example/platform/stacks"
	"github.com/example/platform/test/testkit"
)

type pipelineAction struct {
	Name          string
	RunOrder      int
	ActionTypeID  struct{ Category, Provider string } `json:"ActionTypeId"`
	Configuration map[string]any
}

type pipelineStage struct {
	Name    string
	Actions []pipelineAction
}

type codePipeline struct {
	PipelineType   string
	ArtifactStores []struct{ Region string }
	Stages         []pipelineStage
}

func pipelineOf(t *testing.T, p *testkit.Platform) (codePipeline, resources) {
	t.Helper()
	name := stacks.StackName(p.Config.Name, stacks.ToolingEnvironment, p.Config.Pipeline.Region, stacks.TierPipeline)
	res := templateResources(t, p, name)
	for _, props := range res.ofType("AWS::CodePipeline::Pipeline") {
		data, _ := json.Marshal(props)
		var pipeline codePipeline
		if err := json.Unmarshal(data, &pipeline); err != nil {
			t.Fatal(err)
		}
		return pipeline, res
	}
	t.Fatalf("%s has no pipeline", name)
	return codePipeline{}, nil
}

func TestPipeline_LivesInTheToolingAccountAndRegion(t *testing.T) {
	for _, file := range configs {
		p := testkit.Synth(t, file)
		stack := p.Stacks.Pipeline.Stack
		if *stack.Account() != p.Config.Pipeline.Account || *stack.Region() != p.Config.Pipeline.Region {
			t.Errorf("%s: pipeline in %s/%s, want %s/%s", file, *stack.Account(), *stack.Region(), p.Config.Pipeline.Account, p.Config.Pipeline.Region)
		}
	}
}

func TestPipeline_StagesRunSourceBuildSelfMutationThenEnvironmentsInConfigOrder(t *testing.T) {
	for _, file := range configs {
		p := testkit.Synth(t, file)
		pipeline, _ := pipelineOf(t, p)
		var got []string
		for _, s := range pipeline.Stages {
			if s.Name != "Assets" { // asset publishing, present when the app has file assets
				got = append(got, s.Name)
			}
		}
		want := []string{"Source", "Build", "UpdatePipeline"}
		for _, env := range p.Config.Environments {
			want = append(want, env.Name)
		}
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: stages %v, want %v", file, got, want)
		}
		if pipeline.PipelineType != "V2" {
			t.Errorf("%s: pipeline type %q, want V2", file, pipeline.PipelineType)
		}
	}
}

// An environment that needs approval deploys nothing until the broadening check and a person
// have said yes; one that does not, has no gate.
func TestPipeline_ApprovalRunsBeforeAnyDeploymentOfAGatedEnvironment(t *testing.T) {
	for _, file := range configs {
		p := testkit.Synth(t, file)
		pipeline, _ := pipelineOf(t, p)
		for _, env := range p.Config.Environments {
			stage := stageNamed(t, pipeline, env.Name)
			approval, check, firstDeploy := 0, 0, 1<<30
			for _, a := range stage.Actions {
				switch {
				case a.Name == "Approve":
					approval = a.RunOrder
				case a.Name == "CheckPermissions.Check":
					check = a.RunOrder
				case a.ActionTypeID.Category == "Deploy":
					firstDeploy = min(firstDeploy, a.RunOrder)
				}
			}
			switch {
			case !env.NeedsApproval() && approval != 0:
				t.Errorf("%s: %s needs no approval but has one", file, env.Name)
			case env.NeedsApproval() && (approval == 0 || check == 0):
				t.Errorf("%s: %s needs approval; check at %d, approval at %d", file, env.Name, check, approval)
			case env.NeedsApproval() && !(check < approval && approval < firstDeploy):
				t.Errorf("%s: %s runs check %d, approval %d, first deployment %d; want them in that order", file, env.Name, check, approval, firstDeploy)
			}
		}
	}
}

func TestPipeline_ExampleGatesProductionButNotStaging(t *testing.T) {
	p := testkit.Synth(t, "config/example.json")
	pipeline, _ := pipelineOf(t, p)
	if hasAction(stageNamed(t, pipeline, "staging"), "Approve") || !hasAction(stageNamed(t, pipeline, "prod"), "Approve") {
		t.Error("example.json must deploy staging without a gate and wait for approval before prod")
	}
}

// Stacks that do not depend on each other deploy at once: the secondary regions' stacks of
// each tier start in the same step of each environment.
func TestPipeline_IndependentStacksOfDifferentRegionsDeployInParallel(t *testing.T) {
	checked := 0
	for _, file := range configs {
		p := testkit.Synth(t, file)
		pipeline, _ := pipelineOf(t, p)
		for _, env := range p.Config.Environments {
			actions := stageNamed(t, pipeline, env.Name).Actions
			for _, tier := range regionalTiers {
				orders := map[int]bool{}
				for _, r := range env.Secondaries() {
					for _, a := range actions {
						if a.Name == stacks.StackName(p.Config.Name, env.Name, r.Region, tier)+".Deploy" {
							orders[a.RunOrder] = true
						}
					}
				}
				if len(env.Secondaries()) > 1 {
					checked++
				}
				if len(env.Secondaries()) > 0 && len(orders) != 1 {
					t.Errorf("%s/%s: the secondaries' %s stacks deploy at run orders %v, want one shared step", file, env.Name, tier, orders)
				}
			}
		}
	}
	if checked == 0 {
		t.Error("no environment with two or more secondaries: this test proves nothing")
	}
}

func TestPipeline_EveryEnvironmentEndsWithASmokeTestOfEveryRegion(t *testing.T) {
	for _, file := range configs {
		p := testkit.Synth(t, file)
		pipeline, res := pipelineOf(t, p)
		for _, env := range p.Config.Environments {
			stage := stageNamed(t, pipeline, env.Name)
			last := stage.Actions[0]
			for _, a := range stage.Actions {
				if a.RunOrder > last.RunOrder {
					last = a
				}
			}
			if last.Name != "SmokeTest" {
				t.Errorf("%s/%s: last action is %s, want the smoke test", file, env.Name, last.Name)
				continue
			}
			variables, _ := json.Marshal(last.Configuration["EnvironmentVariables"])
			for _, name := range []string{"SITE_URL", "API_URL"} {
				if !strings.Contains(string(variables), name) {
					t.Errorf("%s/%s: the smoke test does not get %s", file, env.Name, name)
				}
			}
			// Every region is checked through the edge (its own health route), then the API
			// through the accelerator.
			buildSpec := smokeTestBuildSpec(t, res, last)
			for _, r := range env.Regions {
				if want := "${SITE_URL}" + config.HealthPathPrefix + r.Region; !strings.Contains(buildSpec, want) {
					t.Errorf("%s/%s: the smoke test does not request %s", file, env.Name, want)
				}
			}
			if want := "${API_URL}" + p.Config.Service.HealthCheckPath; !strings.Contains(buildSpec, want) {
				t.Errorf("%s/%s: the smoke test does not request %s", file, env.Name, want)
			}
		}
	}
}

// smokeTestBuildSpec is the build spec of the CodeBuild project the action runs.
func smokeTestBuildSpec(t *testing.T, res resources, action pipelineAction) string {
	t.Helper()
	ref, _ := action.Configuration["ProjectName"].(map[string]any)
	id, _ := ref["Ref"].(string)
	project, ok := res.ofType("AWS::CodeBuild::Project")[id]
	if !ok {
		t.Fatalf("action %s runs project %v, which is not in the template", action.Name, action.Configuration["ProjectName"])
	}
	spec, _ := json.Marshal(project["Source"])
	return string(spec)
}

func TestPipeline_HasCrossRegionSupportForEveryRegion(t *testing.T) {
	for _, file := range configs {
		p := testkit.Synth(t, file)
		pipeline, _ := pipelineOf(t, p)
		got := map[string]bool{}
		for _, store := range pipeline.ArtifactStores {
			got[store.Region] = true
		}
		for _, env := range p.Config.Environments {
			for _, r := range env.Regions {
				if !got[r.Region] {
					t.Errorf("%s: no artifact store in %s", file, r.Region)
				}
			}
		}
	}
}

func TestPipeline_ApprovalNotificationsGoToTheEncryptedTopic(t *testing.T) {
	for _, file := range configs {
		p := testkit.Synth(t, file)
		_, res := pipelineOf(t, p)
		rules := res.ofType("AWS::CodeStarNotifications::NotificationRule")
		topics := res.ofType("AWS::SNS::Topic")
		if len(rules) != 1 || len(topics) != 1 {
			t.Fatalf("%s: %d notification rules and %d topics, want one each", file, len(rules), len(topics))
		}
		var topicID string
		for id, topic := range topics {
			topicID = id
			if topic["KmsMasterKeyId"] == nil {
				t.Errorf("%s: the approval topic is not encrypted", file)
			}
		}
		for _, rule := range rules {
			data, _ := json.Marshal(rule)
			if !strings.Contains(string(data), `"codepipeline-pipeline-manual-approval-needed"`) ||
				!strings.Contains(string(data), `"TargetAddress":{"Ref":"`+topicID+`"}`) {
				t.Errorf("%s: the notification rule does not send approval requests to the topic: %s", file, data)
			}
		}
		subscriptions := res.ofType("AWS::SNS::Subscription")
		if len(subscriptions) != len(p.Config.AlertEmails) {
			t.Errorf("%s: %d subscriptions, want one per alert e-mail (%d)", file, len(subscriptions), len(p.Config.AlertEmails))
		}
	}
}

// The pipeline builds what a developer builds: the README's test command, then the synthesis
// of the same config.
func TestPipeline_SynthRunsTheMakeTargetsOfTheREADME(t *testing.T) {
	for _, file := range configs {
		p := testkit.Synth(t, file)
		_, res := pipelineOf(t, p)
		found := false
		for _, project := range res.ofType("AWS::CodeBuild::Project") {
			data, _ := json.Marshal(project)
			if strings.Contains(string(data), `make synth CONFIG=`+file) {
				found = true
				if !strings.Contains(string(data), `"make test`) {
					t.Errorf("%s: the synth step does not run make test", file)
				}
			}
		}
		if !found {
			t.Errorf("%s: no CodeBuild project runs make synth CONFIG=%s", file, file)
		}
	}
}

func TestPipeline_PullRequestChecksRunTheBuildspecFromTheSource(t *testing.T) {
	for file, sourceType := range map[string]string{"config/example.json": "GITHUB", "config/three-region.json": "CODECOMMIT"} {
		p := testkit.Synth(t, file)
		_, res := pipelineOf(t, p)
		found := false
		for _, project := range res.ofType("AWS::CodeBuild::Project") {
			source, _ := project["Source"].(map[string]any)
			if source["BuildSpec"] == "buildspec.yml" && source["Type"] == sourceType {
				found = true
			}
		}
		if !found {
			t.Errorf("%s: no pull-request project with a %s source running buildspec.yml", file, sourceType)
		}
	}
}

// CI (.ci/run), the pull-request checks (buildspec.yml) and the pipeline run the same target.
func TestBuildspec_ParsesAndRunsTheSameTestTargetAsCI(t *testing.T) {
	root := testkit.RepoRoot(t)
	data, err := os.ReadFile(filepath.Join(root, "buildspec.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var spec struct {
		Version   float64
		Phases    map[string]struct{ Commands []string }
		Artifacts struct{ Files []string }
	}
	if err := yaml.Unmarshal(data, &spec); err != nil {
		t.Fatalf("buildspec.yml: %v", err)
	}
	commands := spec.Phases["build"].Commands
	ci, err := os.ReadFile(filepath.Join(root, ".ci", "run"))
	if err != nil {
		t.Fatal(err)
	}
	if spec.Version != 0.2 || len(commands) == 0 || commands[0] != "make test" || !strings.Contains(string(ci), "\nmake test\n") {
		t.Errorf("buildspec.yml (version %v) runs %v; .ci/run must run make test too and buildspec first", spec.Version, commands)
	}
	if !contains(commands, `make synth CONFIG="$CONFIG"`) || !containsPrefix(commands, "npx --no-install cdk diff") ||
		!reflect.DeepEqual(spec.Artifacts.Files, []string{"cdk-diff.txt"}) {
		t.Errorf("buildspec.yml must synthesize, diff and keep the diff: %v, artifacts %v", commands, spec.Artifacts.Files)
	}
}

func stageNamed(t *testing.T, pipeline codePipeline, name string) pipelineStage {
	t.Helper()
	var names []string
	for _, s := range pipeline.Stages {
		if s.Name == name {
			return s
		}
		names = append(names, s.Name)
	}
	sort.Strings(names)
	t.Fatalf("no pipeline stage %s in %v", name, names)
	return pipelineStage{}
}

func hasAction(stage pipelineStage, name string) bool {
	for _, a := range stage.Actions {
		if a.Name == name {
			return true
		}
	}
	return false
}

func containsPrefix(list []string, prefix string) bool {
	for _, s := range list {
		if strings.HasPrefix(s, prefix) {
			return true
		}
	}
	return false
}

// The pull-request checks diff against what is deployed through each target's read-only CDK
// lookup role, and may assume no other role.
func TestPipeline_PullRequestChecksMayAssumeOnlyTheLookupRoles(t *testing.T) {
	for _, file := range configs {
		p := testkit.Synth(t, file)
		_, res := pipelineOf(t, p)
		var want []string
		for _, env := range p.Config.Environments {
			for _, r := range env.Regions {
				want = append(want, "arn:aws:iam::"+env.Account+":role/cdk-hnb659fds-lookup-role-"+env.Account+"-"+r.Region)
			}
		}
		sort.Strings(want)
		var got []string
		for id, policy := range res.ofType("AWS::IAM::Policy") {
			if !strings.Contains(id, "PullRequests") {
				continue
			}
			data, _ := json.Marshal(policy)
			var doc struct {
				PolicyDocument struct {
					Statement []struct {
						Action   any
						Resource any
					}
				}
			}
			_ = json.Unmarshal(data, &doc)
			for _, s := range doc.PolicyDocument.Statement {
				if s.Action != "sts:AssumeRole" {
					continue
				}
				switch r := s.Resource.(type) {
				case string:
					got = append(got, r)
				case []any:
					for _, x := range r {
						got = append(got, x.(string))
					}
				}
			}
		}
		sort.Strings(got)
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: pull-request checks may assume %v, want exactly the lookup roles %v", file, got, want)
		}
	}
}

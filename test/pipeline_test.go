package test

import (
	"encoding/json"
	"maps"
	"os"
	"os/exec"
	"path/filepath"
	"reflect"
	"regexp"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/example/platform/internal/toolchain"
	"github.com/example/platform/lib/config"
	"github.com/example/platform/lib/plan"
	"github.com/example/platform/stacks"
	"github.com/example/platform/test/constructkit"
	"github.com/example/platform/test/testkit"
)

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
		// The accounts' security baseline first, then the image repositories: every environment
		// pulls from them.
		want := []string{"Source", "Build", "UpdatePipeline", config.BaselineName, stacks.ToolingEnvironment}
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
			approval, check, firstDeploy, deploys := 0, 0, 1<<30, 0
			for _, a := range stage.Actions {
				switch {
				case a.Name == "Approve":
					approval = a.RunOrder
				case a.Name == "CheckPermissions.Check":
					check = a.RunOrder
				case a.ActionTypeID.Category == "Deploy":
					deploys++
					firstDeploy = min(firstDeploy, a.RunOrder)
				}
			}
			constructkit.CheckedSomething(t, deploys, "deploy action in "+file+"/"+env.Name)
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
	p := testkit.Synth(t, twoEnvironments)
	pipeline, _ := pipelineOf(t, p)
	if hasAction(stageNamed(t, pipeline, "staging"), "Approve") || !hasAction(stageNamed(t, pipeline, "prod"), "Approve") {
		t.Error("the two-environment fixture must deploy staging without a gate and wait for approval before prod")
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
				if tier == stacks.TierData {
					continue // the secondaries join the global cluster one at a time: below
				}
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
	constructkit.CheckedSomething(t, checked, "environment with two or more secondaries")
}

// RDS changes a global cluster's membership one region at a time, so the secondaries' data
// stacks (each adds a cluster to the primary's global cluster) deploy one after another.
func TestPipeline_SecondaryRegionsJoinTheGlobalClusterOneAtATime(t *testing.T) {
	checked := 0
	for _, file := range configs {
		p := testkit.Synth(t, file)
		pipeline, _ := pipelineOf(t, p)
		for _, env := range p.Config.Environments {
			previous := 0
			for _, r := range env.Regions {
				name := stacks.StackName(p.Config.Name, env.Name, r.Region, stacks.TierData) + ".Deploy"
				action := mustAction(t, stageNamed(t, pipeline, env.Name), name)
				if action.RunOrder <= previous {
					t.Errorf("%s/%s: %s deploys at run order %d, not after the region before it (%d)", file, env.Name, name, action.RunOrder, previous)
				}
				previous = action.RunOrder
			}
			if len(env.Secondaries()) > 1 {
				checked++
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
			smoke, found := actionNamed(stage, "SmokeTest")
			if !found {
				t.Errorf("%s/%s: no smoke test", file, env.Name)
				continue
			}
			// Only MarkDeployed, which tags a release that passed, runs after it.
			for _, a := range stage.Actions {
				if a.RunOrder > smoke.RunOrder && a.Name != "MarkDeployed" {
					t.Errorf("%s/%s: %s runs after the smoke test", file, env.Name, a.Name)
				}
			}
			variables, _ := json.Marshal(smoke.Configuration["EnvironmentVariables"])
			for _, name := range []string{"SITE_URL", "API_URL"} {
				if !strings.Contains(string(variables), name) {
					t.Errorf("%s/%s: the smoke test does not get %s", file, env.Name, name)
				}
			}
			// Every region is checked through the edge (its own health route), then the API
			// through the accelerator.
			buildSpec := buildSpecOf(t, res, smoke)
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
		// The pipeline stack finds CDK Pipelines' support stacks by their construct IDs (an
		// internal prefix): it must find one per region other than its own.
		if found, want := len(p.Stacks.Pipeline.SupportStacks), len(got)-1; found != want {
			t.Errorf("%s: the pipeline stack found %d support stacks, want %d: CDK Pipelines changed their construct IDs; update supportStacks", file, found, want)
		}
	}
}

// People get exactly one e-mail per decision they must make. CodePipeline e-mails the Approve
// action's topic when it waits; the permissions-broadening check publishes only when it finds a
// change a person must confirm (when it finds none, its function approves the Confirm action
// itself, and nobody is told). No CodeStar notification rule: its manual-approval-needed event
// covers every approval action of the pipeline, the self-approving Confirm included, and on a
// first deployment it races the topic policy (aws-cdk issue 29484) and the CodeStar
// Notifications service-linked role (aws-cdk issue 34406).
func TestPipeline_EmailsOncePerHumanDecision(t *testing.T) {
	permissionChecks := 0
	for _, file := range configs {
		p := testkit.Synth(t, file)
		pipeline, res := pipelineOf(t, p)
		topics := res.ofType("AWS::SNS::Topic")
		if len(topics) != 1 {
			t.Fatalf("%s: %d topics, want the approval topic only", file, len(topics))
		}
		var topicID string
		for id, topic := range topics {
			topicID = id
			if topic["KmsMasterKeyId"] == nil {
				t.Errorf("%s: the approval topic is not encrypted", file)
			}
		}
		if rules := res.ofType("AWS::CodeStarNotifications::NotificationRule"); len(rules) != 0 {
			t.Errorf("%s: a CodeStar notification rule e-mails every approval action, the self-approving permissions confirmation too: %v", file, rules)
		}
		topicRef := `{"Ref":"` + topicID + `"}`
		for _, env := range p.Config.Environments {
			stage := stageNamed(t, pipeline, env.Name)
			var notifying []string
			for _, a := range stage.Actions {
				config, _ := json.Marshal(a.Configuration)
				switch {
				case a.ActionTypeID.Category == "Approval" && strings.Contains(string(config), `"NotificationArn":`+topicRef):
					notifying = append(notifying, a.Name)
				case a.ActionTypeID.Category == "Approval" && strings.Contains(string(config), "NotificationArn"):
					t.Errorf("%s/%s: %s notifies another topic: %s", file, env.Name, a.Name, config)
				case a.Name == "CheckPermissions.Check":
					if !strings.Contains(string(config), `NOTIFICATION_ARN\",\"type\":\"PLAINTEXT\",\"value\":\"",`+topicRef) {
						t.Errorf("%s/%s: the permissions check does not tell the topic when a change needs confirming: %s", file, env.Name, config)
					}
					notifying = append(notifying, a.Name+" (only on a broadening change)")
				}
			}
			want := []string(nil)
			if env.NeedsApproval() {
				want = []string{"Approve", "CheckPermissions.Check (only on a broadening change)"}
			}
			sort.Strings(notifying)
			if !reflect.DeepEqual(notifying, want) {
				t.Errorf("%s/%s: e-mails come from %v, want %v", file, env.Name, notifying, want)
			}
		}
		// The check publishes in the branch where `cdk diff --security-only --fail` fails, and
		// approves itself in the other.
		for id, project := range res.ofType("AWS::CodeBuild::Project") {
			spec, _ := json.Marshal(project["Source"])
			if text := string(spec); strings.Contains(text, "--security-only") {
				permissionChecks++
				publish, otherwise := strings.Index(text, "aws sns publish"), strings.Index(text, " else ")
				if publish < 0 || otherwise < 0 || publish < otherwise || !strings.Contains(text, "aws lambda invoke") {
					t.Errorf("%s: %s no longer publishes only when the diff finds a broadening change: %s", file, id, text)
				}
			}
		}
		subscriptions := res.ofType("AWS::SNS::Subscription")
		if len(subscriptions) != len(p.Config.AlertEmails) {
			t.Errorf("%s: %d subscriptions, want one per alert e-mail (%d)", file, len(subscriptions), len(p.Config.AlertEmails))
		}
	}
	constructkit.CheckedSomething(t, permissionChecks, "permissions-check project in either config")
}

// The pipeline builds what a developer builds: the README's test command, the rules on the
// pipeline's config (make check), then the synthesis of the same config.
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
				commands := buildCommands(project)
				check := slices.Index(commands, "make check CONFIG="+file)
				synth := slices.IndexFunc(commands, func(c string) bool { return strings.HasPrefix(c, "make synth CONFIG="+file) })
				if check < 0 || check > synth {
					t.Errorf("%s: the synth step runs %q, not make check CONFIG=%s before it synthesizes", file, commands, file)
				}
			}
		}
		if !found {
			t.Errorf("%s: no CodeBuild project runs make synth CONFIG=%s", file, file)
		}
	}
}

// The GitHub project authenticates with the platform's CodeConnections connection: without
// source credentials CloudFormation cannot create its webhook (aws-cdk issue 31726).
func TestPipeline_PullRequestChecksRunTheBuildspecFromTheSource(t *testing.T) {
	for file, sourceType := range map[string]string{twoEnvironments: "GITHUB", threeRegions: "CODECOMMIT"} {
		p := testkit.Synth(t, file)
		_, res := pipelineOf(t, p)
		found := false
		for _, project := range res.ofType("AWS::CodeBuild::Project") {
			source, _ := project["Source"].(map[string]any)
			if source["BuildSpec"] == "buildspec.yml" && source["Type"] == sourceType {
				found = true
				var wantAuth any
				if cc := p.Config.Pipeline.Source.CodeConnections; cc != nil {
					wantAuth = map[string]any{"Type": "CODECONNECTIONS", "Resource": cc.ConnectionArn}
				}
				if !reflect.DeepEqual(source["Auth"], wantAuth) {
					t.Errorf("%s: the pull-request project authenticates with %v, want %v", file, source["Auth"], wantAuth)
				}
			}
		}
		if !found {
			t.Errorf("%s: no pull-request project with a %s source running buildspec.yml", file, sourceType)
		}
	}
}

// CI (.ci/run), the pull-request checks (buildspec.yml) and the pipeline run the same target;
// the checks then diff through make pr-diff, whose failure fails the build.
func TestBuildspec_RunsTheTestsOfCIThenSynthesizesAndDiffs(t *testing.T) {
	spec := readBuildspec(t)
	commands := spec.Phases["build"].Commands
	ci, err := os.ReadFile(filepath.Join(constructkit.RepoRoot(t), ".ci", "run"))
	if err != nil {
		t.Fatal(err)
	}
	if spec.Version != 0.2 || len(commands) == 0 || commands[0] != "make test" || !strings.Contains(string(ci), "\nmake test\n") {
		t.Errorf("buildspec.yml (version %v) runs %v; .ci/run must run make test too and buildspec first", spec.Version, commands)
	}
	if want := []string{"make test", `make synth CONFIG="$CONFIG"`, "make pr-diff"}; !reflect.DeepEqual(commands, want) {
		t.Errorf("buildspec.yml runs %v, want %v", commands, want)
	}
	// A pipe hides a failing command from /bin/sh (CodeBuild's default shell): the diff's pipe
	// lives in the Makefile, whose recipes run with pipefail; buildspec.yml runs bash regardless.
	for _, c := range commands {
		if strings.Contains(c, "|") {
			t.Errorf("buildspec.yml pipes %q: without pipefail a failing diff leaves the build green; put it in a make target", c)
		}
	}
	if spec.Env.Shell != "bash" {
		t.Errorf("buildspec.yml runs in %q, want bash", spec.Env.Shell)
	}
	if spec.Artifacts != nil {
		t.Errorf("buildspec.yml declares artifacts %v, but the pull-request project keeps none (NO_ARTIFACTS): the diff is in the build log", spec.Artifacts.Files)
	}
}

// make pr-diff diffs the stacks of the stages it finds in the assembly, never the tooling
// stacks (the checks may not read the tooling account), reads templates without change sets,
// and fails when cdk diff fails (it stops at the first stack it cannot read).
func TestMakefile_PRDiffDiffsTheStagesAndFailsWhenTheDiffFails(t *testing.T) {
	dir := t.TempDir()
	assembly := filepath.Join(dir, "cdk.out")
	if err := os.MkdirAll(assembly, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(assembly, "manifest.json"), []byte("{}"), 0o644); err != nil {
		t.Fatal(err)
	}
	// A stand-in for the CDK CLI: it lists an assembly's stacks as `cdk ls '**'` does, records
	// how it was called, and fails a diff as an unreadable stack does.
	fakeCDK := filepath.Join(dir, "cdk")
	script := `#!/usr/bin/env bash
echo "$*" >> "` + filepath.Join(dir, "calls") + `"
case "$1" in
  ls) printf '%s\n' 'pipeline (acme-tooling-us-east-1-pipeline)' 'cross-region-stack-333333333333:eu-west-1 (acme-support)' \
        'staging/us-east-1-keys (acme-staging-us-east-1-keys)' 'prod/us-west-2-accelerator (acme-prod-us-west-2-accelerator)' \
        'staging/eu-west-1-app (acme-staging-eu-west-1-app)' ;;
  diff) echo "Stack acme-staging-us-east-1-keys"; echo "Could not assume the lookup role" >&2; exit 1 ;;
esac
`
	if err := os.WriteFile(fakeCDK, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	diffFile := filepath.Join(dir, "cdk-diff.txt")
	cmd := exec.Command("make", "--no-print-directory", "pr-diff", "CDK="+fakeCDK, "ASSEMBLY="+assembly, "DIFF_FILE="+diffFile)
	cmd.Dir = constructkit.RepoRoot(t)
	out, err := cmd.CombinedOutput()
	if err == nil {
		t.Errorf("make pr-diff succeeded although cdk diff failed:\n%s", out)
	}
	calls, _ := os.ReadFile(filepath.Join(dir, "calls"))
	if want := "diff --app " + assembly + " --method template prod/* staging/*\n"; !strings.HasSuffix(string(calls), want) {
		t.Errorf("make pr-diff called the CLI as\n%s\nwant it to end with\n%s", calls, want)
	}
	if kept, _ := os.ReadFile(diffFile); !strings.Contains(string(kept), "Could not assume the lookup role") {
		t.Errorf("%s holds %q, want the diff's output, errors included", diffFile, kept)
	}
}

// Every CLI a pipeline step installs is package.json's version, and every build selects
// go.mod's Go and caches where the image keeps Go's caches: buildspec.yml (pull requests) and
// the synth step agree with the repository, so what runs in AWS is what runs on a laptop.
func TestPipeline_BuildsUseTheRepositorysGoAndCLIVersions(t *testing.T) {
	root := constructkit.RepoRoot(t)
	goMod, _ := os.ReadFile(filepath.Join(root, "go.mod"))
	goVersion := regexp.MustCompile(`(?m)^go ([0-9]+\.[0-9]+)`).FindSubmatch(goMod)
	var pkg struct{ DevDependencies map[string]string }
	data, _ := os.ReadFile(filepath.Join(root, "package.json"))
	if err := json.Unmarshal(data, &pkg); err != nil || goVersion == nil {
		t.Fatalf("go.mod's go line %q, package.json %v", goVersion, err)
	}
	wantRuntimes := map[string]string{"golang": string(goVersion[1]), "nodejs": stacks.BuildNodeVersion}
	wantCache := []string{"/go/pkg/mod/**/*", "/root/.cache/go-build/**/*"}

	spec := readBuildspec(t)
	if got := spec.Phases["install"].RuntimeVersions; !reflect.DeepEqual(got, wantRuntimes) {
		t.Errorf("buildspec.yml selects %v, want %v (go.mod's go line)", got, wantRuntimes)
	}
	if !reflect.DeepEqual(spec.Cache.Paths, wantCache) {
		t.Errorf("buildspec.yml caches %v, want %v (GOMODCACHE and GOCACHE in the image)", spec.Cache.Paths, wantCache)
	}

	npmInstall := regexp.MustCompile(`npm install -g ([a-z@/-]+?)(?:@([^\s"\\]+))?(?:[\s"\\]|$)`)
	for _, file := range configs {
		p := testkit.Synth(t, file)
		_, res := pipelineOf(t, p)
		installed := map[string]int{}
		synthFound := false
		for id, project := range res.ofType("AWS::CodeBuild::Project") {
			source, _ := json.Marshal(project["Source"])
			// The runtime versions and cache paths above are those of this image.
			image, _ := project["Environment"].(map[string]any)["Image"].(string)
			if runsMake := strings.Contains(string(source), "make synth") || strings.Contains(string(source), "buildspec.yml"); runsMake && image != "aws/codebuild/standard:7.0" {
				t.Errorf("%s: %s builds in %s, whose Go versions and caches are not the ones buildspec.yml and the synth step name", file, id, image)
			}
			for _, m := range npmInstall.FindAllStringSubmatch(string(source), -1) {
				installed[m[1]]++
				if want := pkg.DevDependencies[m[1]]; m[2] != want {
					t.Errorf("%s: %s installs %s@%s, want package.json's %q", file, id, m[1], m[2], want)
				}
			}
			spec, _ := project["Source"].(map[string]any)["BuildSpec"].(string)
			if !strings.Contains(spec, "make synth CONFIG=") {
				continue
			}
			synthFound = true
			var synth struct {
				Phases map[string]struct {
					RuntimeVersions map[string]string `json:"runtime-versions"`
				}
				Cache struct{ Paths []string }
			}
			if err := json.Unmarshal([]byte(spec), &synth); err != nil {
				t.Fatalf("%s: %s: %v", file, id, err)
			}
			if got := synth.Phases["install"].RuntimeVersions; !reflect.DeepEqual(got, wantRuntimes) {
				t.Errorf("%s: the synth step selects %v, want %v", file, got, wantRuntimes)
			}
			if !reflect.DeepEqual(synth.Cache.Paths, wantCache) {
				t.Errorf("%s: the synth step caches %v, want %v", file, synth.Cache.Paths, wantCache)
			}
		}
		// Self-mutation and the permissions check install the CDK CLI, asset publishing cdk-assets.
		if !synthFound || installed["aws-cdk"] != 2 || installed["cdk-assets"] < 1 {
			t.Errorf("%s: synth step found %v; npm installs %v, want aws-cdk twice (self-mutation, permissions check) and cdk-assets", file, synthFound, installed)
		}
	}
}

// Every stack that asks for termination protection has it once the pipeline has deployed it.
// CDK Pipelines' CloudFormation actions ignore terminationProtection (aws-cdk issues 17871,
// 30405), so an action of the stack's stage must turn it on after the stack's deployment,
// through the deploy role of the stack's account and region, which its role may assume; stacks
// that do not ask for it are left alone.
func TestPipeline_EveryProtectedStackIsProtectedAfterThePipelineDeploysIt(t *testing.T) {
	enable := regexp.MustCompile(`^aws cloudformation update-termination-protection --enable-termination-protection --profile (\S+) --region (\S+) --stack-name (\S+)$`)
	roleOf := regexp.MustCompile(`^aws configure set profile\.(\S+)\.role_arn (\S+)$`)
	for _, file := range configs {
		p := testkit.Synth(t, file)
		pipeline, res := pipelineOf(t, p)
		type protection struct {
			action, region, role string
			runOrder             int
			mayAssume            bool
		}
		// protections[stage][stack name] are the actions of the stage that protect the stack.
		protections := map[string]map[string][]protection{}
		for _, stage := range pipeline.Stages {
			protections[stage.Name] = map[string][]protection{}
			for _, a := range stage.Actions {
				project, ok := projectRunBy(res, a)
				if !ok {
					continue
				}
				commands := buildCommands(project)
				profiles := map[string]string{}
				for _, c := range commands {
					if m := roleOf.FindStringSubmatch(c); m != nil && slices.Contains(commands, "aws configure set profile."+m[1]+".credential_source EcsContainer") {
						profiles[m[1]] = m[2]
					}
				}
				assumable := projectAssumableRoles(res, project)
				for _, c := range commands {
					if m := enable.FindStringSubmatch(c); m != nil {
						role := profiles[m[1]]
						protections[stage.Name][m[3]] = append(protections[stage.Name][m[3]],
							protection{action: a.Name, region: m[2], role: role, runOrder: a.RunOrder, mayAssume: slices.Contains(assumable, role)})
					}
				}
			}
		}
		protectedStacks := 0
		for _, artifact := range stageArtifacts(p) {
			stageName, name := strings.Split(*artifact.HierarchicalId(), "/")[0], *artifact.StackName()
			deploy, _ := actionNamed(stageNamed(t, pipeline, stageName), name+".Deploy")
			found := protections[stageName][name]
			if artifact.TerminationProtection() == nil || !*artifact.TerminationProtection() {
				if len(found) > 0 {
					t.Errorf("%s: %s (%s) does not ask for termination protection, but %s turns it on; protect only the stacks that set terminationProtection",
						file, name, *artifact.HierarchicalId(), found[0].action)
				}
				continue
			}
			protectedStacks++
			wantRole := withPartition(*artifact.AssumeRoleArn())
			ok := false
			for _, f := range found {
				ok = ok || (f.runOrder > deploy.RunOrder && f.region == *artifact.Environment().Region && f.role == wantRole && f.mayAssume)
			}
			if !ok {
				t.Errorf("%s: %s (%s) sets terminationProtection, but no action of pipeline stage %s turns it on after %s.Deploy (run order %d) through %s, which the action may assume (found %+v). "+
					"CDK Pipelines ignores the setting (aws-cdk issues 17871, 30405): add the stack to its stage's ProtectStacks step (stacks/pipeline.go, protectStacks)",
					file, name, *artifact.HierarchicalId(), stageName, name, deploy.RunOrder, wantRole, found)
			}
		}
		constructkit.CheckedSomething(t, protectedStacks, "stack asking for termination protection in "+file)
	}
}

// The pull-request checks diff every stack of every stage (make pr-diff) through its account and
// region's read-only CDK lookup role, the edge's us-east-1 and the accelerator's us-west-2 too,
// and may assume no other role.
func TestPipeline_PullRequestChecksMayAssumeExactlyTheLookupRolesOfTheDiffedStacks(t *testing.T) {
	for _, file := range configs {
		p := testkit.Synth(t, file)
		_, res := pipelineOf(t, p)
		wanted := map[string]bool{}
		for _, artifact := range stageArtifacts(p) {
			wanted[withPartition(*artifact.LookupRole().Arn)] = true
		}
		want := slices.Sorted(maps.Keys(wanted))
		constructkit.CheckedSomething(t, len(want), "lookup role of a stage's stack in "+file)
		var got []string
		for id, policy := range res.ofType("AWS::IAM::Policy") {
			if strings.Contains(id, "PullRequests") {
				got = append(got, assumableRoles(policy)...)
			}
		}
		sort.Strings(got)
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: pull-request checks may assume %v, want exactly the lookup roles of the stages' stacks %v", file, got, want)
		}
	}
}

// CodeBuild's pull-request webhook here is GitHub's: a GitLab or Bitbucket connection gets the
// pipeline (its source action uses any connection) but no pull-request project, which would
// fail to create.
func TestPipeline_GitLabConnectionGetsThePipelineButNoPullRequestProject(t *testing.T) {
	cfg := testkit.LoadConfig(t, twoEnvironments)
	cfg.Pipeline.Source.CodeConnections.Provider = config.ProviderGitLab
	tools, err := toolchain.Read(constructkit.RepoRoot(t))
	if err != nil {
		t.Fatal(err)
	}
	// The pipeline stack alone, without the environments' stages: the source decides this.
	app := constructkit.NewApp(t)
	planned := plan.New(cfg)
	pipeline := stacks.NewPipelineStack(app, planned, twoEnvironments, tools, nil, stacks.NewToolingStage(app, planned), slices.Values([]*stacks.EnvironmentStage(nil)), nil)
	if pipeline.PullRequests != nil {
		t.Error("a GitLab connection got a pull-request project")
	}
	data, _ := json.Marshal(constructkit.TemplateOf(t, pipeline.Stack).ToJSON())
	if text := string(data); strings.Contains(text, `"Type":"GITHUB"`) || !strings.Contains(text, `"Provider":"CodeStarSourceConnection"`) {
		t.Errorf("want the connection's source action and no GitHub project, got %s", text)
	}
}

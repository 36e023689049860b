package test

import (
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/example/platform/lib/config"
	"github.com/example/platform/lib/registry"
	"github.com/example/platform/stacks"
	"github.com/example/platform/test/constructkit"
	"github.com/example/platform/test/testkit"
)

// The release is built once, before anything deploys: the Image step runs first in the Build
// stage, privileged for Docker, gates on the scan at the configured severity, and the synth
// step synthesizes with the digest it wrote.
func TestRelease_TheImageIsBuiltOnceAndScannedBeforeTheSynthAndEveryStage(t *testing.T) {
	for _, file := range configs {
		p := testkit.Synth(t, file)
		pipeline, res := pipelineOf(t, p)
		if pipeline.Stages[1].Name != "Build" {
			t.Fatalf("%s: the second stage is %s, want Build", file, pipeline.Stages[1].Name)
		}
		image, synth := mustAction(t, pipeline.Stages[1], "Image"), mustAction(t, pipeline.Stages[1], "Synth")
		if image.RunOrder >= synth.RunOrder {
			t.Errorf("%s: Image runs at %d, Synth at %d: the synth needs the digest", file, image.RunOrder, synth.RunOrder)
		}
		project := projectOf(t, res, image)
		if !strings.Contains(jsonOf(project["Environment"]), `"PrivilegedMode":true`) {
			t.Errorf("%s: the Image step is not privileged: Docker needs it", file)
		}
		if spec := jsonOf(project["Source"]); !strings.Contains(spec, stacks.ImageCommand+" publish") {
			t.Errorf("%s: the Image step does not run %s publish", file, stacks.ImageCommand)
		}
		assertVariables(t, file+" Image", project, map[string]string{
			"IMAGE_SCAN_THRESHOLD": p.Config.Service.ScanThreshold,
			"IMAGE_REPOSITORY":     stacks.RepositoryName(p.Config.Name, p.Config.Service.Name),
			"IMAGE_DOCKERFILE":     p.Config.Service.Dockerfile,
			"IMAGE_REGIONS":        strings.Join(imageRegions(p.Config), ","),
			"IMAGE_RELEASE_DIGEST": p.Config.Service.ReleaseDigest,
			"IMAGE_ACCOUNT":        p.Config.Pipeline.Account,
		})
		synthSpec := buildSpecOf(t, res, synth)
		if !strings.Contains(synthSpec, `IMAGE_DIGEST=\\\"$(cat `+stacks.ImageDigestFile+`)\\\"`) {
			t.Errorf("%s: the synth step does not synthesize with the Image step's digest: %s", file, synthSpec)
		}
		// Every stage comes after the Build stage, so after the scan gate.
		for i, stage := range pipeline.Stages {
			if i > 1 && stage.Name == "Build" {
				t.Errorf("%s: a Build stage after a deployment", file)
			}
		}
	}
}

// imageRegions are the regions the Image step must push to: the first environment's primary
// first (where the scan is read), then every other region any environment runs in.
func imageRegions(p *config.Platform) []string {
	home := p.Environments[0].Primary().Region
	regions := []string{home}
	for _, env := range p.Environments {
		for _, r := range env.Regions {
			if !slices.Contains(regions, r.Region) {
				regions = append(regions, r.Region)
			}
		}
	}
	slices.Sort(regions[1:])
	return regions
}

// Promote, don't rebuild: given the pipeline's digest, every app stack of every environment
// runs exactly that image, by digest, from the tooling account's repository in its own region
// (the released variant: two environments, one of one region and one of two).
func TestRelease_EveryEnvironmentAndRegionRunsTheSameDigest(t *testing.T) {
	p := changedRelease(t)
	cfg := p.Config
	apps := 0
	for _, env := range cfg.Environments {
		for _, region := range env.Regions {
			apps++
			want := fmt.Sprintf("%s.dkr.ecr.%s.amazonaws.com/%s@%s", cfg.Pipeline.Account, region.Region, stacks.RepositoryName(cfg.Name, cfg.Service.Name), releaseDigest)
			if got := serviceImage(t, p, stacks.StackName(cfg.Name, env.Name, region.Region, stacks.TierApp), cfg.Service.Name); got != want {
				t.Errorf("%s/%s runs %s, want %s", env.Name, region.Region, got, want)
			}
		}
	}
	if len(cfg.Environments) < 2 || apps <= len(cfg.Environments) {
		t.Errorf("%s: %d app stacks in %d environments: nothing to compare", p.ConfigFile, apps, len(cfg.Environments))
	}
}

// Without a release (a synthesis outside the pipeline), the bootstrap image runs.
func TestRelease_WithoutADigestTheBootstrapImageRuns(t *testing.T) {
	p := testkit.Synth(t, twoEnvironments)
	env := p.Config.Environments[0]
	if got := serviceImage(t, p, stacks.StackName(p.Config.Name, env.Name, env.Primary().Region, stacks.TierApp), p.Config.Service.Name); got != p.Config.Service.BootstrapImage {
		t.Errorf("runs %s, want the bootstrap image %s", got, p.Config.Service.BootstrapImage)
	}
}

// The repositories are the tooling account's, one per region an environment runs in, and only
// the environment accounts that run there may pull.
func TestRelease_EachRegionsRepositoryIsPullableOnlyByTheEnvironmentsThere(t *testing.T) {
	eachAssembly(t, func(t *testing.T, a *deployed) {
		cfg := a.platform.Config
		constructkit.CheckedSomething(t, len(a.platform.Stacks.Plan.RegistryRegions()), "registry region")
		for _, region := range a.platform.Stacks.Plan.RegistryRegions() {
			name := stacks.StackName(cfg.Name, stacks.ToolingEnvironment, region, stacks.TierRegistry)
			s := a.byName[name]
			if s == nil || s.Account != cfg.Pipeline.Account || s.Region != region {
				t.Errorf("no repository stack %s in the tooling account in %s", name, region)
				continue
			}
			var want []string
			for _, env := range cfg.Environments {
				if slices.ContainsFunc(env.Regions, func(r config.Region) bool { return r.Region == region }) && !slices.Contains(want, "arn:aws:iam::"+env.Account+":root") {
					want = append(want, "arn:aws:iam::"+env.Account+":root")
				}
			}
			repositories := resourcesOf(s, "AWS::ECR::Repository")
			constructkit.CheckedSomething(t, len(repositories), "repository in "+name)
			for id, repository := range repositories {
				var policy struct {
					Statement []struct {
						Effect    string
						Principal struct{ AWS any }
						Action    []string
					}
				}
				if err := json.Unmarshal([]byte(jsonOf(propertiesOf(repository)["RepositoryPolicyText"])), &policy); err != nil {
					t.Fatal(err)
				}
				var pullers []string
				for _, statement := range policy.Statement {
					pullers = append(pullers, stringsOf(statement.Principal.AWS)...)
					if statement.Effect != "Allow" || slices.ContainsFunc(statement.Action, func(a string) bool {
						return !strings.HasPrefix(a, "ecr:BatchGetImage") && !strings.HasPrefix(a, "ecr:GetDownloadUrlForLayer") && a != "ecr:BatchCheckLayerAvailability"
					}) {
						t.Errorf("%s/%s allows %v, more than pulling", name, id, statement.Action)
					}
				}
				slices.Sort(pullers)
				slices.Sort(want)
				if !slices.Equal(pullers, want) {
					t.Errorf("%s/%s may be pulled by %v, want exactly the environment accounts there %v", name, id, pullers, want)
				}
			}
		}
	})
}

// Approvals: only the approver role may decide a gated environment's Approve action, and the
// configured principals (default: the tooling account) may assume it.
func TestRelease_OnlyTheApproverRoleDecidesTheApprovals(t *testing.T) {
	for _, file := range configs {
		p := testkit.Synth(t, file)
		pipeline, res := pipelineOf(t, p)
		deciders := map[string]string{} // policy id -> roles
		for id, policy := range res.ofType("AWS::IAM::Policy") {
			for _, s := range statementsOf(policy) {
				if slices.Contains(stringsOf(s["Action"]), "codepipeline:PutApprovalResult") && strings.Contains(jsonOf(s["Resource"]), "/"+stacks.ApproveAction) {
					deciders[id] = jsonOf(policy["Roles"])
				}
			}
		}
		if len(deciders) != 1 {
			t.Fatalf("%s: %d policies may decide the Approve actions, want the approver role's alone: %v", file, len(deciders), deciders)
		}
		for _, roles := range deciders {
			if !strings.Contains(roles, "Approver") {
				t.Errorf("%s: the Approve actions are decided by %s, not the approver role", file, roles)
			}
		}
		// What the approver must be able to do to decide: both approvals of each gated stage,
		// and read the smoke test the Approve action links to, with its logs.
		var approverPolicy string
		for id := range deciders {
			approverPolicy = jsonOf(res.ofType("AWS::IAM::Policy")[id]["PolicyDocument"])
		}
		for _, env := range p.Config.Environments {
			if !env.NeedsApproval() {
				continue
			}
			for _, action := range []string{"/" + env.Name + "/" + stacks.ApproveAction, "/" + env.Name + "/" + stacks.ConfirmAction} {
				if !strings.Contains(approverPolicy, action+`"`) {
					t.Errorf("%s: the approver role cannot decide %s", file, action)
				}
			}
			approve := mustAction(t, stageNamed(t, pipeline, env.Name), stacks.ApproveAction)
			reviewed := regexp.MustCompile(`/projects/([^/]+)/`).FindStringSubmatch(jsonOf(approve.Configuration))
			if reviewed == nil {
				continue // the first environment's approval links to the pipeline, which the role reads
			}
			for _, want := range []string{"codebuild:BatchGetBuilds", ":project/" + reviewed[1] + `"`, "log-group:/aws/codebuild/" + reviewed[1] + ":*"} {
				if !strings.Contains(approverPolicy, want) {
					t.Errorf("%s/%s: the approver cannot read the smoke test the approval links to (no %s)", file, env.Name, want)
				}
			}
		}
		approvers := 0
		for id, role := range res.ofType("AWS::IAM::Role") {
			if role["RoleName"] != stacks.ApproverRoleName(p.Config.Name) {
				continue
			}
			approvers++
			trust := jsonOf(role["AssumeRolePolicyDocument"])
			for _, principal := range p.Config.Pipeline.ApproverPrincipals() {
				if !strings.Contains(trust, principal) {
					t.Errorf("%s: %s cannot be assumed by %s", file, id, principal)
				}
			}
		}
		constructkit.CheckedSomething(t, approvers, "role named "+stacks.ApproverRoleName(p.Config.Name)+" in "+file)
	}
}

// After each environment deploys, the release it runs is tagged deployed-<env>-..., which the
// repositories keep for rollbacks, in each of that environment's regions.
func TestRelease_EachEnvironmentTagsTheReleaseItRunsForRollbacks(t *testing.T) {
	for _, file := range configs {
		p := testkit.Synth(t, file)
		pipeline, res := pipelineOf(t, p)
		for _, env := range p.Config.Environments {
			stage := stageNamed(t, pipeline, env.Name)
			mark := mustAction(t, stage, "MarkDeployed")
			deploys := 0
			for _, a := range stage.Actions {
				if a.ActionTypeID.Category != "Deploy" {
					continue
				}
				deploys++
				if a.RunOrder >= mark.RunOrder {
					t.Errorf("%s/%s: MarkDeployed (%d) runs before %s (%d) deploys", file, env.Name, mark.RunOrder, a.Name, a.RunOrder)
				}
			}
			constructkit.CheckedSomething(t, deploys, "deploy action in "+file+"/"+env.Name)
			project := projectOf(t, res, mark)
			if !strings.Contains(jsonOf(project["Source"]), stacks.ImageCommand+" mark-deployed") {
				t.Errorf("%s/%s: MarkDeployed does not run %s mark-deployed", file, env.Name, stacks.ImageCommand)
			}
			var regions []string
			for _, r := range env.Regions {
				regions = append(regions, r.Region)
			}
			assertVariables(t, file+" "+env.Name+" MarkDeployed", project, map[string]string{
				"IMAGE_ENVIRONMENT": env.Name, "IMAGE_TAG_PREFIX": registry.DeployedTagPrefix, "IMAGE_REGIONS": strings.Join(regions, ","),
			})
		}
	}
}

// docs/delivery.md's release steps are the pipeline's: every action or stage they name in backticks
// exists in the two-environment fixture's pipeline, in the order the pipeline runs them, and they name every
// step a release goes through.
func TestRelease_READMEStepsMatchThePipeline(t *testing.T) {
	p := testkit.Synth(t, twoEnvironments)
	pipeline, _ := pipelineOf(t, p)
	// Every stage and action, in the order the pipeline runs them.
	type event struct {
		name         string
		stage, order int
	}
	var events []event
	for i, stage := range pipeline.Stages {
		events = append(events, event{stage.Name, i, 0})
		actions := slices.Clone(stage.Actions)
		slices.SortStableFunc(actions, func(a, b pipelineAction) int { return a.RunOrder - b.RunOrder })
		for _, a := range actions {
			name, _, _ := strings.Cut(a.Name, ".")
			events = append(events, event{name, i, a.RunOrder})
		}
	}
	events = append([]event{{"Source", 0, 0}}, events...)
	known := map[string]bool{}
	for _, e := range events {
		known[e.name] = true
	}
	var steps []string
	for _, line := range strings.Split(docSection(t, "docs/delivery.md", "## How a new version reaches production"), "\n") {
		if len(line) > 2 && line[0] >= '1' && line[0] <= '9' && line[1] == '.' {
			steps = append(steps, line)
		} else if len(steps) > 0 && strings.HasPrefix(line, "   ") {
			steps[len(steps)-1] += line
		}
	}
	var named []string
	at := event{stage: -1} // the page may only name what runs at or after this point
	for _, step := range steps {
		parts := strings.Split(step, "`")
		for i := 1; i < len(parts); i += 2 {
			if !known[parts[i]] {
				continue
			}
			named = append(named, parts[i])
			found := slices.IndexFunc(events, func(e event) bool {
				return e.name == parts[i] && (e.stage > at.stage || e.stage == at.stage && e.order >= at.order)
			})
			if found < 0 {
				t.Errorf("docs/delivery.md names `%s` after a step the pipeline runs later", parts[i])
				continue
			}
			at = events[found]
		}
	}
	for _, step := range []string{"Source", "Image", "Synth", "SelfMutate", stacks.ToolingEnvironment, "SmokeTest", "MarkDeployed", "CheckPermissions", stacks.ApproveAction, "ProtectStacks"} {
		if !slices.Contains(named, step) {
			t.Errorf("docs/delivery.md's release steps do not name `%s`", step)
		}
	}
}

package test

import (
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/jsii-runtime-go"

	"github.com/example/platform/internal/cfnvalidator"
	"github.com/example/platform/lib/config"
	"github.com/example/platform/lib/plan"
	"github.com/example/platform/stacks"
	"github.com/example/platform/test/constructkit"
	"github.com/example/platform/test/testkit"
)

func TestPlatform_ExampleHasEveryRegionalTierPerEnvironmentAndRegionAndAPipeline(t *testing.T) {
	fixtureOnly(t, "the two-environment fixture's stacks")
	p := testkit.Synth(t, twoEnvironments)
	want := []string{
		// The pipeline, and the stack CDK Pipelines adds for each other region it deploys to.
		"acme-tooling-us-east-1-pipeline", "acme-tooling-us-east-1-pipeline-support-eu-west-1",
		"acme-tooling-us-east-1-pipeline-support-us-west-2",
		// The service's image repository in every region an environment runs in.
		stacks.StackName("acme", stacks.ToolingEnvironment, "eu-west-1", stacks.TierRegistry),
		stacks.StackName("acme", stacks.ToolingEnvironment, "us-east-1", stacks.TierRegistry),
	}
	// The security baseline of every account (staging's, prod's, the tooling account) in every
	// region the platform uses it.
	for _, account := range []string{"111111111111", "222222222222", "333333333333"} {
		for _, region := range []string{"eu-west-1", "us-east-1", "us-west-2"} {
			want = append(want, stacks.BaselineStackName("acme", account, region))
		}
	}
	for _, env := range []string{"prod", "staging"} {
		// Once per environment: the edge and the recovery stack in us-east-1, the accelerator and
		// the observer's DR stack in us-west-2 (the default observer region).
		want = append(want, stacks.StackName("acme", env, "us-east-1", stacks.TierEdge),
			stacks.StackName("acme", env, "us-west-2", stacks.TierAccelerator), stacks.StackName("acme", env, "us-west-2", stacks.TierDR),
			stacks.StackName("acme", env, "us-east-1", stacks.TierRecovery))
		for _, region := range []string{"eu-west-1", "us-east-1"} {
			for _, tier := range regionalTiers {
				want = append(want, stacks.StackName("acme", env, region, tier))
			}
		}
	}
	sort.Strings(want)
	if got := p.StackNames(); !reflect.DeepEqual(got, want) {
		t.Errorf("stacks = %v\nwant %v", got, want)
	}
}

func TestPlatform_ThreeRegionConfigDeploysEveryTierInThreeRegions(t *testing.T) {
	fixtureOnly(t, "the three-region fixture's stacks")
	p := testkit.Synth(t, threeRegions)
	regions := map[string]int{}
	for _, name := range p.StackNames() {
		if region, ok := strings.CutPrefix(name, "globex-prod-"); ok {
			regions[strings.TrimSuffix(region, "-"+tierOf(name))]++
		}
	}
	tiers := len(regionalTiers)
	// us-east-1 also holds the edge and the recovery stack, us-west-2 the accelerator,
	// ca-central-1 (the observer region the config names) the observer's DR stack.
	want := map[string]int{"us-east-1": tiers + 2, "eu-west-1": tiers, "ap-southeast-2": tiers, "us-west-2": 1, "ca-central-1": 1}
	if !reflect.DeepEqual(regions, want) {
		t.Errorf("stacks per region = %v, want %v", regions, want)
	}
}

func TestPlatform_StacksLandInTheirEnvironmentsAccountAndRegion(t *testing.T) {
	for _, file := range configs {
		p := testkit.Synth(t, file)
		regional := 0
		for _, stage := range p.Stacks.Stages {
			for _, r := range stage.Regions {
				for _, stack := range r.Stacks() {
					regional++
					if *stack.Account() != stage.Environment.Account || *stack.Region() != r.Region.Region {
						t.Errorf("%s is in %s/%s, want %s/%s", *stack.StackName(), *stack.Account(), *stack.Region(),
							stage.Environment.Account, r.Region.Region)
					}
				}
			}
			// The once-per-environment stacks the environment's footprint keeps.
			once := map[awscdk.Stack]string{}
			if stage.Edge != nil {
				once[stage.Edge.Stack] = stacks.EdgeRegion
			}
			if stage.Accelerator != nil {
				once[stage.Accelerator.Stack] = stacks.AcceleratorRegion
			}
			if stage.Observer != nil {
				once[stage.Observer.Stack] = stage.Environment.ObserverRegion
			}
			for stack, region := range once {
				if *stack.Account() != stage.Environment.Account || *stack.Region() != region {
					t.Errorf("%s is in %s/%s, want %s/%s", *stack.StackName(), *stack.Account(), *stack.Region(), stage.Environment.Account, region)
				}
			}
		}
		constructkit.CheckedSomething(t, regional, "regional stack in "+file)
	}
}

func TestPlatform_EachEnvironmentIsOneStageInConfigOrder(t *testing.T) {
	fixtureOnly(t, "the two-environment fixture's stages")
	p := testkit.Synth(t, twoEnvironments)
	var names []string
	for _, stage := range p.Stacks.Stages {
		names = append(names, *stage.StageName())
	}
	if strings.Join(names, ",") != "staging,prod" {
		t.Errorf("stages = %v, want staging,prod", names)
	}
}

// Every stack carries the config's tags, under the config's keys (tags.keys), for any config:
// the platform, the environment (baseline for an account's baseline stacks), the owner, and the
// cost centre only where the config sets one.
func TestPlatform_EveryStackCarriesThePlatformTags(t *testing.T) {
	for _, file := range withFixtures("test/testdata/adopting.json") {
		p := testkit.Synth(t, file)
		cfg, keys := p.Config, p.Config.Tags.Keys
		environments := stackEnvironments(p.Stacks.Plan)
		for _, artifact := range p.Artifacts() {
			tags := map[string]string{}
			for k, v := range *artifact.Tags() {
				tags[k] = *v
			}
			env, planned := environments[*artifact.StackName()]
			if !planned {
				t.Errorf("%s: stack %s is not in the plan", file, *artifact.StackName())
				continue
			}
			want := map[string]string{keys.Platform: cfg.Name, keys.Environment: env, keys.Owner: cfg.Owner}
			if cfg.CostCentre != "" {
				want[keys.CostCentre] = cfg.CostCentre
			}
			if !reflect.DeepEqual(tags, want) {
				t.Errorf("%s: %s tags = %v, want %v", file, *artifact.StackName(), tags, want)
			}
		}
	}
	if checkConfig != "" {
		return
	}
	// The fixtures' own values, so the rule above cannot agree with a wrong reading of the config.
	for _, artifact := range testkit.Synth(t, "test/testdata/adopting.json").Artifacts() {
		tags := *artifact.Tags()
		if tags["Stage"] == nil || tags["CostCenter"] == nil || *tags["CostCenter"] != "cc-1234" || tags["environment"] != nil {
			t.Errorf("%s: the adopting fixture's stacks carry Stage and CostCenter=cc-1234, not environment; got %v", *artifact.StackName(), tags)
		}
	}
}

// stackEnvironments are the environment tag of every stack of the plan, by stack name: its
// environment's name, tooling, or baseline for a baseline stack (shared by its account's
// environments).
func stackEnvironments(p *plan.Plan) map[string]string {
	out := map[string]string{}
	all := []plan.Stack{p.Pipeline}
	all = append(all, p.Support...)
	for _, stage := range p.Stages() {
		all = append(all, stage.Stacks...)
	}
	for _, s := range all {
		out[s.Name] = s.Environment
		if s.Environment == "" {
			out[s.Name] = stacks.TierBaseline
		}
	}
	return out
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

// CDK's CloudFormation validator catches templates that would fail to deploy. `make synth`, the
// pipeline and `cdk deploy` run it in every synthesis; the tests run it here only, on the
// assembly every other test reads (testkit.Platform.Validate), with one engine per test binary.
func TestPlatform_PassesCloudFormationValidation(t *testing.T) {
	platforms := make([]*testkit.Platform, len(configs))
	for i, file := range configs {
		platforms[i] = testkit.Synth(t, file)
		platforms[i].PrepareValidation()
	}
	// The reports come from the validator's process: wait for them after the package's other
	// tests, which go on synthesizing meanwhile (Validate calls nothing of CDK's from here).
	t.Parallel()
	for i, file := range configs {
		report := platforms[i].Validate(t)
		for _, v := range report.Violations {
			severity := ""
			if v.Severity != nil {
				severity = *v.Severity
			}
			t.Errorf("%s: %s (%s): %s", file, *v.RuleName, severity, *v.Description)
		}
	}
}

// The test above can fail: the validator, run as the app runs it (a plugin CDK calls, backed by
// the same kind of process), fails a synthesis of a template CloudFormation would refuse (a
// bucket name with capitals and an underscore).
func TestPlatform_CloudFormationValidationRejectsAnInvalidTemplate(t *testing.T) {
	stack := constructkit.Stack(t, "us-east-1")
	awss3.NewCfnBucket(stack, jsii.String("Bad"), &awss3.CfnBucketProps{BucketName: jsii.String("Not_A_Valid_Bucket")})
	app := stack.Node().Root().(awscdk.App)
	// As the app runs it: CDK's validator in a process of its own, handed the templates by CDK.
	awscdk.Validations_Of(app).AddPlugins(cfnvalidator.NewPlugin(testkit.ValidatorProcess(t)))
	failure := func() (failure any) {
		defer func() { failure = recover() }()
		app.Synth(nil)
		return nil
	}()
	if failure == nil || !strings.Contains(fmt.Sprint(failure), "Validation failed") {
		t.Fatalf("the synthesis of a bucket named Not_A_Valid_Bucket did not fail validation: %v", failure)
	}
	if errors := validatorErrors(t, *app.Outdir()); !slices.Contains(errors, "Bad") {
		t.Errorf("validation-report.json names no error of %s on the bucket: %v", cfnvalidator.Name, errors)
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

func TestPlatform_EachRegionHasTheConfiguredNATGatewaysAndEndpoints(t *testing.T) {
	eachRegion(t, func(t *testing.T, p *testkit.Platform, env config.Environment, region config.Region) {
		network := templateResources(t, p, stacks.StackName(p.Config.Name, env.Name, region.Region, stacks.TierNetwork))
		if got := len(network.ofType("AWS::EC2::NatGateway")); got != region.NatGateways {
			t.Errorf("%d NAT gateways, want %d", got, region.NatGateways)
		}
		if got := len(network.ofType("AWS::EC2::VPCEndpoint")); got != 7 {
			t.Errorf("%d VPC endpoints, want 2 gateway and 5 interface endpoints", got)
		}
		vpcs := network.ofType("AWS::EC2::VPC")
		constructkit.CheckedSomething(t, len(vpcs), "VPC")
		for _, vpc := range vpcs {
			if vpc["CidrBlock"] != region.CIDR {
				t.Errorf("VPC CIDR %v, want %s", vpc["CidrBlock"], region.CIDR)
			}
		}
	})
}

// An environment of one region is valid config: it synthesizes, with nothing that needs a
// second region (no Region switch plan, no backup copy, no replica, no peering), and its
// runbook says there is nowhere to move it.
func TestPlatform_AnEnvironmentOfOneRegionSynthesizesWithoutCrossRegionParts(t *testing.T) {
	fixtureOnly(t, "the two-environment fixture with staging cut to one region")
	p := oneRegionStaging(t)
	a := assemblyOf(t, p)
	oneRegion := map[string]bool{}
	for _, env := range p.Config.Environments {
		oneRegion[env.Name] = len(env.Regions) == 1
	}
	checked := 0
	for _, s := range a.stacks {
		if !oneRegion[s.Stage] {
			continue
		}
		checked++
		for id, r := range s.Template.Resources {
			switch r["Type"] {
			case "AWS::ARCRegionSwitch::Plan", "AWS::EC2::VPCPeeringConnection":
				t.Errorf("%s/%s: a %s in a one-region environment", s.Name, id, r["Type"])
			case "AWS::Backup::BackupPlan":
				if strings.Contains(jsonOf(r), "CopyActions") {
					t.Errorf("%s/%s copies backups to another region, which the environment does not have", s.Name, id)
				}
			}
		}
	}
	constructkit.CheckedSomething(t, checked, "stack of a one-region environment")
	if got := len(a.stacks); got != len(p.Artifacts()) || got == 0 {
		t.Errorf("the assembly reader found %d stacks, the app has %d", got, len(p.Artifacts()))
	}
	if doc := renderRunbook(a, p.ConfigFile); !strings.Contains(doc, "This environment has one region") {
		t.Error("the runbook of a one-region environment does not say there is nowhere to move it")
	}
}

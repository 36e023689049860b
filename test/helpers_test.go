package test

// The helpers the whole-app tests share: running a check over every config, environment, region
// or assembly; finding stacks, resources, pipeline stages, actions and projects in what the app
// synthesized; reading template values; the README and docs/, golden files and the built app. What one
// rule checks (its predicates and tables) stays next to that rule.

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/aws-cdk-go/awscdk/v2/cxapi"
	"gopkg.in/yaml.v3"

	"github.com/example/platform/internal/assembly"
	"github.com/example/platform/lib/config"
	"github.com/example/platform/lib/plan"
	"github.com/example/platform/stacks"
	"github.com/example/platform/test/constructkit"
	"github.com/example/platform/test/testkit"
)

// regionalTiers are the stacks every environment has in each of its regions (test/plan_test.go
// holds the assembly to the plan).
var regionalTiers = plan.RegionalTiers()

// eachEnvironment runs check for every environment of every config (the two-environment fixture
// has a domain, the three-region one has none).
func eachEnvironment(t *testing.T, check func(t *testing.T, p *testkit.Platform, env config.Environment)) {
	t.Helper()
	environments := 0
	for _, file := range configs {
		p := testkit.Synth(t, file)
		for _, env := range p.Config.Environments {
			environments++
			t.Run(p.Config.Name+"/"+env.Name, func(t *testing.T) { check(t, p, env) })
		}
	}
	constructkit.CheckedSomething(t, environments, "environment in either config")
}

// eachRegion runs check for every environment and region of both configs.
func eachRegion(t *testing.T, check func(t *testing.T, p *testkit.Platform, env config.Environment, region config.Region)) {
	t.Helper()
	eachEnvironment(t, func(t *testing.T, p *testkit.Platform, env config.Environment) {
		constructkit.CheckedSomething(t, len(env.Regions), "region in "+env.Name)
		for _, region := range env.Regions {
			t.Run(region.Region, func(t *testing.T) { check(t, p, env, region) })
		}
	})
}

// deployed is a platform's synthesized assembly, read from its output directory as CloudFormation
// and the deploy rules see it.
type deployed struct {
	platform *testkit.Platform
	stacks   []*assembly.Stack
	byName   map[string]*assembly.Stack
}

var (
	deployedAssemblies   = map[*testkit.Platform]*deployed{}
	deployedAssembliesMu sync.Mutex
)

// assemblyOf is p's assembly, read once per test binary.
func assemblyOf(t *testing.T, p *testkit.Platform) *deployed {
	t.Helper()
	a, err := readAssembly(p)
	if err != nil {
		t.Fatal(err)
	}
	return a
}

// readAssembly is assemblyOf for code that runs outside a test.
func readAssembly(p *testkit.Platform) (*deployed, error) {
	deployedAssembliesMu.Lock()
	defer deployedAssembliesMu.Unlock()
	if a, ok := deployedAssemblies[p]; ok {
		return a, nil
	}
	read, err := assembly.Read(p.Outdir)
	if err != nil {
		return nil, err
	}
	if len(read) == 0 {
		return nil, fmt.Errorf("%s: the assembly in %s holds no stack", p.ConfigFile, p.Outdir)
	}
	a := &deployed{platform: p, stacks: read, byName: assembly.ByName(read)}
	deployedAssemblies[p] = a
	return a, nil
}

// eachAssembly runs rule over the assembly of every config.
func eachAssembly(t *testing.T, rule func(t *testing.T, a *deployed)) {
	t.Helper()
	for _, file := range configs {
		a := assemblyOf(t, testkit.Synth(t, file))
		t.Run(file, func(t *testing.T) { rule(t, a) })
	}
}

// dependsOnStack reports whether consumer deploys after producer (directly or through others).
func (a *deployed) dependsOnStack(consumer, producer string) bool {
	seen := map[string]bool{}
	var visit func(string) bool
	visit = func(name string) bool {
		if seen[name] {
			return false
		}
		seen[name] = true
		s := a.byName[name]
		if s == nil {
			return false
		}
		for _, dep := range s.DependsOn {
			if dep == producer || visit(dep) {
				return true
			}
		}
		return false
	}
	return visit(consumer)
}

// dependencies maps each stack name to the names of the stacks it depends on, as the app
// declares them.
func dependencies(p *testkit.Platform) map[string]map[string]bool {
	deps := map[string]map[string]bool{}
	for _, stage := range p.Stacks.Stages {
		for _, stack := range stage.Stacks() {
			deps[*stack.StackName()] = map[string]bool{}
			for _, dep := range *stack.Dependencies() {
				deps[*stack.StackName()][*dep.StackName()] = true
			}
		}
	}
	return deps
}

// resources are a template's resources by logical ID, as the template declares them (Type,
// Properties, DeletionPolicy, DependsOn...).
type resources map[string]map[string]any

// templateResources are the resources of p's stack stackName.
func templateResources(t *testing.T, p *testkit.Platform, stackName string) resources {
	t.Helper()
	s, ok := assemblyOf(t, p).byName[stackName]
	if !ok {
		t.Fatalf("no stack %s in %s's assembly", stackName, p.ConfigFile)
	}
	return s.Template.Resources
}

// resourcesOf are a stack's resources of resourceType.
func resourcesOf(s *assembly.Stack, resourceType string) resources {
	return resources(s.Template.Resources).withType(resourceType)
}

// withType are the resources of resourceType.
func (r resources) withType(resourceType string) resources {
	out := resources{}
	for id, resource := range r {
		if resource["Type"] == resourceType {
			out[id] = resource
		}
	}
	return out
}

// ofType are the properties of the resources of resourceType, by logical ID.
func (r resources) ofType(resourceType string) map[string]map[string]any {
	out := map[string]map[string]any{}
	for id, resource := range r.withType(resourceType) {
		out[id] = propertiesOf(resource)
	}
	return out
}

func propertiesOf(resource map[string]any) map[string]any {
	props, _ := resource["Properties"].(map[string]any)
	return props
}

// dataStack are the resources of an environment's data stack in region.
func dataStack(t *testing.T, p *testkit.Platform, env config.Environment, region string) resources {
	t.Helper()
	return templateResources(t, p, stacks.StackName(p.Config.Name, env.Name, region, stacks.TierData))
}

// edgeResources are the resources of an environment's edge stack.
func edgeResources(t *testing.T, p *testkit.Platform, env config.Environment) resources {
	t.Helper()
	return templateResources(t, p, stacks.StackName(p.Config.Name, env.Name, stacks.EdgeRegion, stacks.TierEdge))
}

// appTemplate is the template of an environment's app stack in region, for CDK's assertions.
func appTemplate(t *testing.T, p *testkit.Platform, env config.Environment, region config.Region) assertions.Template {
	t.Helper()
	return p.Template(t, stacks.StackName(p.Config.Name, env.Name, region.Region, stacks.TierApp))
}

// routesTo are the routes of a stack to cidr.
func routesTo(t *testing.T, p *testkit.Platform, stackName, cidr string) []map[string]any {
	t.Helper()
	var found []map[string]any
	for _, route := range templateResources(t, p, stackName).ofType("AWS::EC2::Route") {
		if route["DestinationCidrBlock"] == cidr {
			found = append(found, route)
		}
	}
	return found
}

// serviceImage is the image the service's container runs in an app stack, with the pseudo
// parameters CDK leaves to CloudFormation filled in.
func serviceImage(t *testing.T, p *testkit.Platform, stackName, container string) string {
	t.Helper()
	for _, task := range templateResources(t, p, stackName).ofType("AWS::ECS::TaskDefinition") {
		for _, raw := range task["ContainerDefinitions"].([]any) {
			c := raw.(map[string]any)
			if c["Name"] == container {
				return resolvePseudo(c["Image"])
			}
		}
	}
	t.Fatalf("%s runs no container %s", stackName, container)
	return ""
}

func resolvePseudo(value any) string {
	switch v := value.(type) {
	case string:
		return v
	case map[string]any:
		if join, ok := v["Fn::Join"].([]any); ok {
			var parts []string
			for _, part := range join[1].([]any) {
				parts = append(parts, resolvePseudo(part))
			}
			return strings.Join(parts, join[0].(string))
		}
		if ref, ok := v["Ref"].(string); ok && ref == "AWS::URLSuffix" {
			return "amazonaws.com"
		}
	}
	return jsonOf(value)
}

// tierOf is the tier a stack name ends with.
func tierOf(stackName string) string { return stackName[strings.LastIndex(stackName, "-")+1:] }

// environmentOf is the environment a stack belongs to (the tooling account's stacks belong to a
// tooling environment, always protected).
func environmentOf(p *testkit.Platform, stackName string) config.Environment {
	if strings.HasPrefix(stackName, p.Config.Name+"-"+stacks.ToolingEnvironment+"-") {
		return config.Environment{Name: stacks.ToolingEnvironment, Account: p.Config.Pipeline.Account}
	}
	for _, env := range p.Config.Environments {
		if strings.HasPrefix(stackName, p.Config.Name+"-"+env.Name+"-") {
			return env
		}
	}
	panic("no environment for " + stackName)
}

// stageArtifacts are the stacks of every environment stage: what make pr-diff diffs (stage/*).
func stageArtifacts(p *testkit.Platform) []cxapi.CloudFormationStackArtifact {
	var found []cxapi.CloudFormationStackArtifact
	for _, artifact := range p.Artifacts() {
		if strings.Contains(*artifact.HierarchicalId(), "/") {
			found = append(found, artifact)
		}
	}
	return found
}

// refTo is the logical ID a {"Ref": id} or {"Fn::GetAtt": [id, attr]} value names, or "".
func refTo(value any) string {
	m, _ := value.(map[string]any)
	if ref, ok := m["Ref"].(string); ok {
		return ref
	}
	if att, ok := m["Fn::GetAtt"].([]any); ok && len(att) == 2 {
		id, _ := att[0].(string)
		return id
	}
	return ""
}

// stackOutputOf names the stack a Fn::GetStackOutput value reads, or "" for any other value.
func stackOutputOf(value any) string {
	m, _ := value.(map[string]any)
	ref, _ := m["Fn::GetStackOutput"].(map[string]any)
	name, _ := ref["StackName"].(string)
	return name
}

// weakReferences are every Fn::GetStackOutput in value.
func weakReferences(value any) []map[string]any {
	var found []map[string]any
	var walk func(any)
	walk = func(v any) {
		switch x := v.(type) {
		case map[string]any:
			if ref, ok := x["Fn::GetStackOutput"].(map[string]any); ok {
				found = append(found, ref)
			}
			for _, child := range x {
				walk(child)
			}
		case []any:
			for _, child := range x {
				walk(child)
			}
		}
	}
	walk(value)
	return found
}

// dependsOnResource reports whether resource's DependsOn names id.
func dependsOnResource(resource map[string]any, id string) bool {
	switch deps := resource["DependsOn"].(type) {
	case string:
		return deps == id
	case []any:
		return slices.Contains(deps, any(id))
	}
	return false
}

func jsonOf(value any) string {
	data, _ := json.Marshal(value)
	return string(data)
}

func jsonNumber(n int) string {
	data, _ := json.Marshal(n)
	return string(data)
}

// asList is value as a list, or nil when it is not one.
func asList(value any) []any {
	list, _ := value.([]any)
	return list
}

// stringsOf are the strings of a value that templates write as one string or a list (a
// statement's Action or Resource, a principal); elements that are not strings are left out.
func stringsOf(value any) []string {
	if s, ok := value.(string); ok {
		return []string{s}
	}
	var out []string
	for _, x := range asList(value) {
		if s, ok := x.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

// statementsOf are the statements of a policy's document (the properties of an
// AWS::IAM::Policy).
func statementsOf(policy map[string]any) []map[string]any {
	document, _ := policy["PolicyDocument"].(map[string]any)
	var out []map[string]any
	for _, raw := range asList(document["Statement"]) {
		if statement, ok := raw.(map[string]any); ok {
			out = append(out, statement)
		}
	}
	return out
}

// assumableRoles are the resources of a policy's sts:AssumeRole statements.
func assumableRoles(policy map[string]any) []string {
	var roles []string
	for _, s := range statementsOf(policy) {
		if s["Action"] == "sts:AssumeRole" {
			roles = append(roles, stringsOf(s["Resource"])...)
		}
	}
	return roles
}

// withPartition fills in the partition the assembly leaves to CloudFormation.
func withPartition(arn string) string { return strings.ReplaceAll(arn, "${AWS::Partition}", "aws") }

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

// pipelineOf is the platform's pipeline and the resources of its stack.
func pipelineOf(t *testing.T, p *testkit.Platform) (codePipeline, resources) {
	t.Helper()
	name := stacks.StackName(p.Config.Name, stacks.ToolingEnvironment, p.Config.Pipeline.Region, stacks.TierPipeline)
	res := templateResources(t, p, name)
	for _, props := range res.ofType("AWS::CodePipeline::Pipeline") {
		var pipeline codePipeline
		if err := json.Unmarshal([]byte(jsonOf(props)), &pipeline); err != nil {
			t.Fatal(err)
		}
		return pipeline, res
	}
	t.Fatalf("%s has no pipeline", name)
	return codePipeline{}, nil
}

// stageNamed is the pipeline's stage called name.
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

// actionNamed is the action of stage called name, if there is one.
func actionNamed(stage pipelineStage, name string) (pipelineAction, bool) {
	for _, a := range stage.Actions {
		if a.Name == name {
			return a, true
		}
	}
	return pipelineAction{}, false
}

func hasAction(stage pipelineStage, name string) bool {
	_, found := actionNamed(stage, name)
	return found
}

// mustAction is the action of stage called name.
func mustAction(t *testing.T, stage pipelineStage, name string) pipelineAction {
	t.Helper()
	a, ok := actionNamed(stage, name)
	if !ok {
		t.Fatalf("stage %s has no action %s", stage.Name, name)
	}
	return a
}

// projectRunBy is the CodeBuild project an action runs, if it runs one of the template's.
func projectRunBy(res resources, action pipelineAction) (map[string]any, bool) {
	ref, _ := action.Configuration["ProjectName"].(map[string]any)
	id, _ := ref["Ref"].(string)
	project, ok := res.ofType("AWS::CodeBuild::Project")[id]
	return project, ok
}

// projectOf is the CodeBuild project an action runs.
func projectOf(t *testing.T, res resources, action pipelineAction) map[string]any {
	t.Helper()
	project, ok := projectRunBy(res, action)
	if !ok {
		t.Fatalf("action %s runs project %v, which is not in the template", action.Name, action.Configuration["ProjectName"])
	}
	return project
}

// buildSpecOf is the source (with the build spec) of the CodeBuild project the action runs, as
// JSON.
func buildSpecOf(t *testing.T, res resources, action pipelineAction) string {
	t.Helper()
	return jsonOf(projectOf(t, res, action)["Source"])
}

// buildCommands are the commands of every phase of a CodeBuild project's build spec (a JSON
// string in the template, as CDK Pipelines renders it).
func buildCommands(project map[string]any) []string {
	spec, _ := project["Source"].(map[string]any)["BuildSpec"].(string)
	var parsed struct {
		Phases map[string]struct{ Commands []string }
	}
	_ = json.Unmarshal([]byte(spec), &parsed)
	var commands []string
	for _, phase := range []string{"install", "pre_build", "build", "post_build"} {
		commands = append(commands, parsed.Phases[phase].Commands...)
	}
	return commands
}

// projectAssumableRoles are the roles the project's service role may assume.
func projectAssumableRoles(res resources, project map[string]any) []string {
	role, _ := project["ServiceRole"].(map[string]any)["Fn::GetAtt"].([]any)
	if len(role) == 0 {
		return nil
	}
	var roles []string
	for _, policy := range res.ofType("AWS::IAM::Policy") {
		if strings.Contains(jsonOf(policy["Roles"]), `{"Ref":"`+role[0].(string)+`"}`) {
			roles = append(roles, assumableRoles(policy)...)
		}
	}
	return roles
}

// assertVariables checks environment variables of a CodeBuild project.
func assertVariables(t *testing.T, what string, project map[string]any, want map[string]string) {
	t.Helper()
	var environment struct {
		EnvironmentVariables []struct{ Name, Value string }
	}
	if err := json.Unmarshal([]byte(jsonOf(project["Environment"])), &environment); err != nil {
		t.Fatal(err)
	}
	got := map[string]string{}
	for _, v := range environment.EnvironmentVariables {
		got[v.Name] = v.Value
	}
	for name, value := range want {
		if got[name] != value {
			t.Errorf("%s: %s = %q, want %q", what, name, got[name], value)
		}
	}
}

// buildspecFile is buildspec.yml, as CodeBuild reads it.
type buildspecFile struct {
	Version float64
	Env     struct {
		Shell string
	}
	Phases map[string]struct {
		RuntimeVersions map[string]string `yaml:"runtime-versions"`
		Commands        []string
	}
	Artifacts *struct{ Files []string }
	Cache     struct{ Paths []string }
}

func readBuildspec(t *testing.T) buildspecFile {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(constructkit.RepoRoot(t), "buildspec.yml"))
	if err != nil {
		t.Fatal(err)
	}
	var spec buildspecFile
	if err := yaml.Unmarshal(data, &spec); err != nil {
		t.Fatalf("buildspec.yml: %v", err)
	}
	return spec
}

// readmeSection is the text of the README section under heading ("### Title"), up to the next
// heading of the same or a higher level.
func readmeSection(t *testing.T, heading string) string {
	t.Helper()
	return docSection(t, "README.md", heading)
}

// docSection is the text of the section under heading in file (a path from the repository root,
// such as docs/delivery.md), up to the next heading of the same or a higher level.
func docSection(t *testing.T, file, heading string) string {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(constructkit.RepoRoot(t), filepath.FromSlash(file)))
	if err != nil {
		t.Fatal(err)
	}
	_, rest, found := strings.Cut("\n"+string(data), "\n"+heading+"\n")
	if !found {
		t.Fatalf("%s has no section %q", file, heading)
	}
	level := strings.Index(heading, " ")
	var section []string
	for _, line := range strings.Split(rest, "\n") {
		if hashes := strings.Index(line, "# "); strings.HasPrefix(line, "#") && hashes >= 0 && hashes+1 <= level {
			break
		}
		section = append(section, line)
	}
	return strings.Join(section, "\n")
}

// compareGolden compares got (lines by stack) with the golden file, or rewrites the file when
// UPDATE_GOLDEN=1. Each line that disappeared is reported with what, how to proceed.
func compareGolden(t *testing.T, file string, got map[string][]string, testName, what string) {
	t.Helper()
	if len(got) == 0 {
		t.Fatalf("nothing to compare with %s: the test pins nothing", file)
	}
	update := "UPDATE_GOLDEN=1 go test ./test -run " + testName
	if os.Getenv("UPDATE_GOLDEN") == "1" {
		data, _ := json.MarshalIndent(got, "", "  ")
		if err := os.WriteFile(file, append(data, '\n'), 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("wrote %s", file)
		return
	}
	data, err := os.ReadFile(file)
	if err != nil {
		t.Fatalf("%v (create it with %s)", err, update)
	}
	var want map[string][]string
	if err := json.Unmarshal(data, &want); err != nil {
		t.Fatal(err)
	}
	for stack, lines := range want {
		for _, line := range lines {
			if !slices.Contains(got[stack], line) {
				t.Errorf("%s: %s\n  %s %s", stack, line, what, update)
			}
		}
	}
	for stack, lines := range got {
		for _, line := range lines {
			if !slices.Contains(want[stack], line) {
				t.Errorf("%s: newly read by other stacks: %s; pin it with %s", stack, line, update)
			}
		}
	}
}

package test

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/example/platform/test/constructkit"
	"github.com/example/platform/test/testkit"
)

// boundaryFixture sets a platform-wide permissions boundary and another for the tooling account
// (the adoption fixture: an organization that adopts its services also bounds its roles, and one
// synthesis serves both).
const boundaryFixture = adoptingConfig

// boundaryConfigs are the configs that set a permissions boundary: the fixture, and the
// organization's config when the repository has it and it sets one.
func boundaryConfigs(t *testing.T) []string {
	if checkConfig != "" {
		return configs
	}
	out := []string{boundaryFixture}
	if existing, ok := organizationConfig(t); ok && testkit.LoadConfig(t, existing).PermissionsBoundary != nil {
		out = append(out, existing)
	}
	return out
}

// organizationConfig is the shipped config of a platform in an existing organization, when the
// repository has it.
func organizationConfig(t *testing.T) (string, bool) {
	const file = "config/existing-organization.json"
	_, err := os.Stat(filepath.Join(constructkit.RepoRoot(t), file))
	return file, err == nil
}

// Where the organization denies iam:CreateRole without its boundary, every role the platform
// creates must carry it, CDK's own (custom-resource providers, the pipeline's) included, and IAM
// users too: each points at its own account's policy.
func TestRule_EveryRoleAndUserCarriesItsAccountsBoundary(t *testing.T) {
	for _, file := range boundaryConfigs(t) {
		p := testkit.Synth(t, file)
		if p.Config.PermissionsBoundary == nil {
			t.Skipf("%s sets no permissionsBoundary", file)
		}
		a := assemblyOf(t, p)
		t.Run(file, func(t *testing.T) {
			roles := 0
			for _, s := range a.stacks {
				want := "arn:aws:iam::" + s.Account + ":policy/" + p.Config.BoundaryFor(s.Account)
				for _, kind := range []string{"AWS::IAM::Role", "AWS::IAM::User"} {
					for id, r := range resourcesOf(s, kind) {
						roles++
						got := resolveIn(propertiesOf(r)["PermissionsBoundary"], s.Account)
						if got != want {
							t.Errorf("%s: %s %s has permissions boundary %s, want %s", s.Name, kind, id, got, want)
						}
					}
				}
			}
			if roles == 0 {
				t.Fatal("the assembly has no role to check")
			}
			t.Logf("%d roles and users carry their account's boundary", roles)
		})
	}
}

// resolveIn is value as CloudFormation resolves it in account: joins, the partition and the
// account ID.
func resolveIn(value any, account string) string {
	switch v := value.(type) {
	case string:
		return strings.NewReplacer("${AWS::Partition}", "aws", "${AWS::AccountId}", account).Replace(v)
	case map[string]any:
		if join, ok := v["Fn::Join"].([]any); ok {
			var parts []string
			for _, part := range asList(join[1]) {
				parts = append(parts, resolveIn(part, account))
			}
			return strings.Join(parts, join[0].(string))
		}
		switch v["Ref"] {
		case "AWS::Partition":
			return "aws"
		case "AWS::AccountId":
			return account
		}
	}
	return jsonOf(value)
}

// roleMakersOutOfReach are resource types that create roles in a template the app never sees
// (a nested stack's, a product's), where the boundary aspect cannot reach them: AWS's rotation
// application from the Serverless Application Repository was one (aws/aws-cdk#19649).
var roleMakersOutOfReach = []string{"AWS::Serverless::Application", "AWS::CloudFormation::Stack", "AWS::ServiceCatalog::CloudFormationProvisionedProduct"}

// Every role a deployment creates must be one the app wrote, for the boundary to reach it: no
// stack of any config nests a stack or an application, or runs a transform (a macro writes
// resources after synthesis), whether or not the config sets a boundary today.
func TestRule_NoStackCreatesRolesTheBoundaryCannotReach(t *testing.T) {
	stacks := 0
	for _, file := range withFixtures(boundaryFixture) {
		for _, s := range assemblyOf(t, testkit.Synth(t, file)).stacks {
			stacks++
			if s.Template.Transform != nil {
				t.Errorf("%s: %s runs the transform %v, whose resources the boundary aspect never sees", file, s.Name, s.Template.Transform)
			}
			for id, resource := range s.Template.Resources {
				if kind, _ := resource["Type"].(string); slices.Contains(roleMakersOutOfReach, kind) {
					t.Errorf("%s: %s has %s %s, whose roles are created out of the boundary aspect's reach: build it in the stack (see lib/database/rotation.go)",
						file, s.Name, kind, id)
				}
			}
		}
	}
	constructkit.CheckedSomething(t, stacks, "stack")
}

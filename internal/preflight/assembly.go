package preflight

import (
	"encoding/json"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"

	"github.com/example/platform/internal/assembly"
)

// Assembly is what the preflight reads from a synthesized cloud assembly.
type Assembly struct {
	Stacks []*assembly.Stack
	// BootstrapVersion is the least bootstrap stack version its stacks and assets require.
	BootstrapVersion int
}

// ReadAssembly reads the cloud assembly in dir (cdk.out).
func ReadAssembly(dir string) (*Assembly, error) {
	stacks, err := assembly.Read(dir)
	if err != nil {
		return nil, err
	}
	a := &Assembly{Stacks: stacks}
	// Every artifact (stacks and asset manifests, nested assemblies too) states the version.
	err = filepath.WalkDir(dir, func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.Name() != "manifest.json" {
			return err
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		var manifest struct {
			Artifacts map[string]struct {
				Properties struct {
					RequiresBootstrapStackVersion int `json:"requiresBootstrapStackVersion"`
				} `json:"properties"`
			} `json:"artifacts"`
		}
		if err := json.Unmarshal(data, &manifest); err != nil {
			return fmt.Errorf("%s: %w", path, err)
		}
		for _, artifact := range manifest.Artifacts {
			a.BootstrapVersion = max(a.BootstrapVersion, artifact.Properties.RequiresBootstrapStackVersion)
		}
		return nil
	})
	return a, err
}

// Named is a resource the platform creates under a fixed physical name.
type Named struct {
	Target
	Stack, Type, Name string
}

// nameProperties are the resource types whose fixed names another account's or an earlier
// deployment's resource can already hold, and the property that names them.
var nameProperties = map[string]string{
	"AWS::S3::Bucket":             "BucketName",
	"AWS::SecretsManager::Secret": "Name",
	"AWS::KMS::Alias":             "AliasName",
	"AWS::Logs::LogGroup":         "LogGroupName",
	"AWS::Events::EventBus":       "Name",
	"AWS::RDS::GlobalCluster":     "GlobalClusterIdentifier",
	"AWS::DynamoDB::GlobalTable":  "TableName",
	"AWS::DynamoDB::Table":        "TableName",
	"AWS::Backup::BackupVault":    "BackupVaultName",
	"AWS::RDS::DBCluster":         "DBClusterIdentifier",
	"AWS::IAM::Role":              "RoleName",
	"AWS::SSM::Parameter":         "Name",
	"AWS::ECR::Repository":        "RepositoryName",
	"AWS::Events::Archive":        "ArchiveName",
	"AWS::SQS::Queue":             "QueueName",
}

// Named are the resources of nameProperties' types that the templates give a name, each
// with the account-region its stack deploys to, sorted by type then name.
func (a *Assembly) Named() []Named {
	var out []Named
	for _, s := range a.Stacks {
		for _, r := range s.Template.Resources {
			typ, _ := r["Type"].(string)
			prop, ok := nameProperties[typ]
			if !ok {
				continue
			}
			props, _ := r["Properties"].(map[string]any)
			if name, ok := literal(props[prop], s.Account, s.Region); ok {
				out = append(out, Named{Target: Target{s.Account, s.Region}, Stack: s.Name, Type: typ, Name: name})
			}
		}
	}
	slices.SortFunc(out, func(x, y Named) int {
		if x.Type != y.Type {
			return compare(x.Type, y.Type)
		}
		return compare(x.Name+x.Region, y.Name+y.Region)
	})
	return out
}

// literal resolves a template value that is known before deployment: a string, or an
// Fn::Join of strings and the account, region and partition pseudo parameters.
func literal(v any, account, region string) (string, bool) {
	switch v := v.(type) {
	case string:
		return v, true
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64), true
	case map[string]any:
		if ref, ok := v["Ref"].(string); ok {
			pseudo := map[string]string{"AWS::AccountId": account, "AWS::Region": region, "AWS::Partition": "aws", "AWS::URLSuffix": "amazonaws.com"}
			value, known := pseudo[ref]
			return value, known
		}
		join, ok := v["Fn::Join"].([]any)
		if !ok || len(join) != 2 {
			return "", false
		}
		sep, _ := join[0].(string)
		parts, _ := join[1].([]any)
		var out []string
		for _, p := range parts {
			s, ok := literal(p, account, region)
			if !ok {
				return "", false
			}
			out = append(out, s)
		}
		return strings.Join(out, sep), true
	}
	return "", false
}

// resources are the stack's resources of typ, by logical ID.
func resources(s *assembly.Stack, typ string) map[string]map[string]any {
	out := map[string]map[string]any{}
	for id, r := range s.Template.Resources {
		if r["Type"] == typ {
			props, _ := r["Properties"].(map[string]any)
			if props == nil {
				props = map[string]any{}
			}
			out[id] = props
		}
	}
	return out
}

// stacksIn are the assembly's stacks that deploy to t.
func (a *Assembly) stacksIn(t Target) []*assembly.Stack {
	var out []*assembly.Stack
	for _, s := range a.Stacks {
		if s.Account == t.Account && s.Region == t.Region {
			out = append(out, s)
		}
	}
	return out
}

// ChecksNamesOf reports whether the preflight checks that no resource of resourceType already
// holds the name a template gives one, and the property that names it.
func ChecksNamesOf(resourceType string) (property string, ok bool) {
	property, ok = nameProperties[resourceType]
	return property, ok
}

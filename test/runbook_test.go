package test

import (
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"

	"github.com/example/platform/internal/runbook"
	"github.com/example/platform/test/constructkit"
	"github.com/example/platform/test/testkit"
)

// renderRunbook is the runbook generated from a's assembly, rendered once per assembly.
func renderRunbook(a *deployed, file string) string {
	key := renderedKey{a, file}
	if text, ok := renderedRunbooks.Load(key); ok {
		return text.(string)
	}
	var out strings.Builder
	runbook.Render(&out, file, a.stacks)
	renderedRunbooks.Store(key, out.String())
	return out.String()
}

// renderedRunbooks holds each assembly's runbook once: two dozen tests read the same text.
var renderedRunbooks sync.Map

type renderedKey struct {
	a    *deployed
	file string
}

// docs/runbook.md is generated (make docs); this keeps the committed copy current.
func TestRunbook_CommittedRunbookMatchesTheExampleConfig(t *testing.T) {
	a := assemblyOf(t, testkit.Synth(t, "config/example.json"))
	committed, err := os.ReadFile(filepath.Join(constructkit.RepoRoot(t), "docs", "runbook.md"))
	if err != nil {
		t.Fatalf("%v: run make docs", err)
	}
	if string(committed) != renderRunbook(a, "config/example.json") {
		t.Error("docs/runbook.md is out of date with the app: run make docs and commit it")
	}
}

// lookupPattern is how the runbook resolves a physical ID: from the stack that owns it.
var lookupPattern = regexp.MustCompile(`describe-stack-resource --region (\S+) --stack-name (\S+) --logical-resource-id (\S+)`)

// outputPattern is how the runbook reads a stack's output.
var outputPattern = regexp.MustCompile(`describe-stacks --region (\S+) --stack-name (\S+) --query "Stacks\[0\]\.Outputs\[\?OutputKey=='([^']+)'\]`)

func hasResource(a *deployed, resourceType string) bool {
	for _, s := range a.stacks {
		for _, r := range s.Template.Resources {
			if r["Type"] == resourceType {
				return true
			}
		}
	}
	return false
}

// Every resource the runbook resolves through CloudFormation is in the stack and region it
// names, so no command in it fails on a name.
func TestRunbook_ResolvesOnlyResourcesTheirStacksHave(t *testing.T) {
	eachAssembly(t, func(t *testing.T, a *deployed) {
		doc := renderRunbook(a, a.platform.ConfigFile)
		lookups := lookupPattern.FindAllStringSubmatch(doc, -1)
		for _, m := range lookups {
			region, stack, id := m[1], m[2], m[3]
			s := a.byName[stack]
			switch {
			case s == nil:
				t.Errorf("the runbook looks up %s in stack %s, which the assembly does not have", id, stack)
			case s.Region != region:
				t.Errorf("the runbook asks %s for stack %s, which deploys to %s", region, stack, s.Region)
			case s.Template.Resources[id] == nil:
				t.Errorf("the runbook looks up %s in %s, which has no such resource", id, stack)
			}
		}
		constructkit.CheckedSomething(t, len(lookups), "CloudFormation lookup in the runbook")
		outputs := outputPattern.FindAllStringSubmatch(doc, -1)
		for _, m := range outputs {
			region, stack, key := m[1], m[2], m[3]
			if s := a.byName[stack]; s == nil || s.Region != region || s.Template.Outputs[key] == nil {
				t.Errorf("the runbook reads output %s of stack %s in %s, which the assembly does not have", key, stack, region)
			}
		}
		// Plan ARNs are found in the plan's regions, not read from the recovery stack's outputs
		// (TestRunbook_FindsPlansAndTheApproverWhereTheyAnswer).
	})
}

// recoveryNames are the named resources an operator acts on or watches in an incident, by
// type: the property that holds the name.
var recoveryNames = map[string]func(props map[string]any) string{
	"AWS::RDS::GlobalCluster":         func(p map[string]any) string { return str(p["GlobalClusterIdentifier"]) },
	"AWS::RDS::DBCluster":             func(p map[string]any) string { return str(p["DBClusterIdentifier"]) },
	"AWS::DynamoDB::GlobalTable":      func(p map[string]any) string { return str(p["TableName"]) },
	"AWS::CloudWatch::CompositeAlarm": func(p map[string]any) string { return str(p["AlarmName"]) },
	// The alarms that say a region is unreachable: through the edge and from the observer.
	"AWS::CloudWatch::Alarm": func(p map[string]any) string {
		if name := str(p["AlarmName"]); strings.HasSuffix(name, "-health-check") || strings.HasSuffix(name, "-observer-health") {
			return name
		}
		return ""
	},
	"AWS::ARCRegionSwitch::Plan": func(p map[string]any) string { return str(p["Name"]) },
	// The pipeline the runbook freezes before a switch.
	"AWS::CodePipeline::Pipeline": func(p map[string]any) string { return str(p["Name"]) },
	"AWS::Synthetics::Canary":     func(p map[string]any) string { return str(p["Name"]) },
	"AWS::Backup::BackupVault":    func(p map[string]any) string { return str(p["BackupVaultName"]) },
	"AWS::ResilienceHub::App":     func(p map[string]any) string { return str(p["Name"]) },
	"AWS::Backup::BackupPlan": func(p map[string]any) string {
		plan, _ := p["BackupPlan"].(map[string]any)
		return str(plan["BackupPlanName"])
	},
	"AWS::FIS::ExperimentTemplate": func(p map[string]any) string {
		tags, _ := p["Tags"].(map[string]any)
		return str(tags["Name"])
	},
}

// The runbook names every plan, canary, vault, backup plan, drill, database, table,
// Resilience Hub application and region-unhealthy alarm the assembly creates, and names no
// such resource that the assembly does not create.
func TestRunbook_NamesEveryRecoveryResourceOfTheAssembly(t *testing.T) {
	eachAssembly(t, func(t *testing.T, a *deployed) {
		doc := renderRunbook(a, a.platform.ConfigFile)
		names := map[string]bool{}
		for _, s := range a.stacks {
			for id, r := range s.Template.Resources {
				nameOf, ok := recoveryNames[fmt.Sprint(r["Type"])]
				if !ok {
					continue
				}
				name := nameOf(propertiesOf(r))
				if name == "" {
					if r["Type"] == "AWS::FIS::ExperimentTemplate" {
						t.Errorf("%s/%s has no Name tag: the runbook finds a drill by it", s.Name, id)
					}
					continue
				}
				names[name] = true
				if !strings.Contains(doc, "`"+name+"`") && !strings.Contains(doc, " "+name+" ") {
					t.Errorf("the runbook does not name %s (%s in %s)", name, r["Type"], s.Name)
				}
			}
		}
		constructkit.CheckedSomething(t, len(names), "recovery resource")
		// The other way round: what the commands name by flag exists.
		for _, flag := range []string{"--global-cluster-identifier", "--source-db-cluster-identifier", "--alarm-names",
			"--backup-vault-name", "--source-table-name", "--name"} {
			for _, m := range regexp.MustCompile(regexp.QuoteMeta(flag)+` (\S+)`).FindAllStringSubmatch(doc, -1) {
				if !names[m[1]] && !strings.HasPrefix(m[1], "<") {
					t.Errorf("the runbook's %s %s names nothing the assembly creates", flag, m[1])
				}
			}
		}
		for _, m := range regexp.MustCompile(`cluster:(\S+)`).FindAllStringSubmatch(doc, -1) {
			if !names[m[1]] {
				t.Errorf("the runbook's cluster ARN names %s, which the assembly does not create", m[1])
			}
		}
	})
}

// Every environment with more than one region has a way to move to each secondary in the
// runbook: by hand always, with the plan when there is one.
func TestRunbook_EverySecondaryRegionCanBeTakenOver(t *testing.T) {
	eachAssembly(t, func(t *testing.T, a *deployed) {
		doc := renderRunbook(a, a.platform.ConfigFile)
		checked := 0
		for _, env := range a.platform.Config.Environments {
			for _, r := range env.Regions[1:] {
				checked++
				if !strings.Contains(doc, "#### To "+r.Region+"\n") {
					t.Errorf("%s: the runbook has no way to move to %s", env.Name, r.Region)
				}
				arn := fmt.Sprintf("arn:aws:rds:%s:%s:cluster:", r.Region, env.Account)
				for _, verb := range []string{"switchover-global-cluster", "failover-global-cluster"} {
					if !regexp.MustCompile(verb + `[^\n]*` + regexp.QuoteMeta(arn)).MatchString(doc) {
						t.Errorf("%s: the runbook does not %s to %s", env.Name, verb, r.Region)
					}
				}
			}
		}
		constructkit.CheckedSomething(t, checked, "secondary region")
	})
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

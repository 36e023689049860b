// Package assembly reads a synthesized cloud assembly (a cdk.out directory) without CDK: its
// stacks, their environments, templates and dependencies, through every nested stage
// assembly. The diff, diagram and benchmark tools share it.
package assembly

import (
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"sort"
	"strings"
)

// Stack is one synthesized stack.
type Stack struct {
	// Name is the CloudFormation stack name; ID is the artifact ID dependencies refer to.
	Name, ID string
	// Stage is the nested assembly's display name ("staging"); empty for top-level stacks.
	Stage           string
	Account, Region string
	// Template is the parsed template; TemplateBytes its size on disk.
	Template      Template
	TemplateBytes int
	// DependsOn are the names of the stacks this one deploys after.
	DependsOn []string
}

// Template is the part of a CloudFormation template the tools read.
type Template struct {
	Resources  map[string]map[string]any
	Parameters map[string]any
	Outputs    map[string]any
	// Transform names the macros CloudFormation runs over the template, if any.
	Transform any
}

// Read returns every stack of the assembly in dir, sorted by stage then name.
func Read(dir string) ([]*Stack, error) {
	var stacks []*Stack
	ids := map[string]string{} // artifact ID -> stack name, across nested assemblies
	var pending []struct {
		stack *Stack
		deps  []string
	}
	var read func(dir, stage string) error
	read = func(dir, stage string) error {
		data, err := os.ReadFile(filepath.Join(dir, "manifest.json"))
		if err != nil {
			return fmt.Errorf("%s is not a cloud assembly (synthesize into it first): %w", dir, err)
		}
		var manifest struct {
			Artifacts map[string]struct {
				Type         string   `json:"type"`
				Environment  string   `json:"environment"`
				Dependencies []string `json:"dependencies"`
				Properties   struct {
					TemplateFile  string `json:"templateFile"`
					StackName     string `json:"stackName"`
					DirectoryName string `json:"directoryName"`
					DisplayName   string `json:"displayName"`
				} `json:"properties"`
			} `json:"artifacts"`
		}
		if err := json.Unmarshal(data, &manifest); err != nil {
			return fmt.Errorf("%s/manifest.json: %w", dir, err)
		}
		for _, id := range slices.Sorted(maps.Keys(manifest.Artifacts)) {
			artifact := manifest.Artifacts[id]
			switch artifact.Type {
			case "aws:cloudformation:stack":
				raw, err := os.ReadFile(filepath.Join(dir, artifact.Properties.TemplateFile))
				if err != nil {
					return err
				}
				s := &Stack{Name: artifact.Properties.StackName, ID: id, Stage: stage, TemplateBytes: len(raw)}
				if s.Name == "" {
					s.Name = id
				}
				if err := json.Unmarshal(raw, &s.Template); err != nil {
					return fmt.Errorf("%s: %w", artifact.Properties.TemplateFile, err)
				}
				// aws://<account>/<region>
				if env, ok := strings.CutPrefix(artifact.Environment, "aws://"); ok {
					s.Account, s.Region, _ = strings.Cut(env, "/")
				}
				ids[id] = s.Name
				stacks = append(stacks, s)
				pending = append(pending, struct {
					stack *Stack
					deps  []string
				}{s, artifact.Dependencies})
			case "cdk:cloud-assembly":
				if err := read(filepath.Join(dir, artifact.Properties.DirectoryName), artifact.Properties.DisplayName); err != nil {
					return err
				}
			}
		}
		return nil
	}
	if err := read(dir, ""); err != nil {
		return nil, err
	}
	for _, p := range pending {
		for _, dep := range p.deps {
			if name, ok := ids[dep]; ok { // asset manifests are artifacts too; only stacks count
				p.stack.DependsOn = append(p.stack.DependsOn, name)
			}
		}
		sort.Strings(p.stack.DependsOn)
	}
	sort.Slice(stacks, func(i, j int) bool {
		if stacks[i].Stage != stacks[j].Stage {
			return stacks[i].Stage < stacks[j].Stage
		}
		return stacks[i].Name < stacks[j].Name
	})
	return stacks, nil
}

// ByName indexes stacks by CloudFormation name.
func ByName(stacks []*Stack) map[string]*Stack {
	out := make(map[string]*Stack, len(stacks))
	for _, s := range stacks {
		out[s.Name] = s
	}
	return out
}

// ResourceTypes counts the template's resources by type.
func (s *Stack) ResourceTypes() map[string]int {
	counts := map[string]int{}
	for _, r := range s.Template.Resources {
		if t, ok := r["Type"].(string); ok {
			counts[t]++
		}
	}
	return counts
}

// PipelineAction is one action of a CodePipeline stage, and the run order it shares with the
// actions that run beside it.
type PipelineAction struct {
	Name     string
	RunOrder int
}

// PipelineStage is one stage of a CodePipeline, its actions in template order.
type PipelineStage struct {
	Name    string
	Actions []PipelineAction
}

// PipelineStages are the stages of the stack's CodePipeline, and whether it has one.
func (s *Stack) PipelineStages() ([]PipelineStage, bool) {
	for _, r := range s.Template.Resources {
		if r["Type"] != "AWS::CodePipeline::Pipeline" {
			continue
		}
		props, _ := r["Properties"].(map[string]any)
		rawStages, _ := props["Stages"].([]any)
		var stages []PipelineStage
		for _, rs := range rawStages {
			m, _ := rs.(map[string]any)
			stage := PipelineStage{Name: fmt.Sprint(m["Name"])}
			rawActions, _ := m["Actions"].([]any)
			for _, ra := range rawActions {
				a, _ := ra.(map[string]any)
				order := 1 // CodePipeline's default
				if f, ok := a["RunOrder"].(float64); ok {
					order = int(f)
				}
				stage.Actions = append(stage.Actions, PipelineAction{Name: fmt.Sprint(a["Name"]), RunOrder: order})
			}
			stages = append(stages, stage)
		}
		return stages, true
	}
	return nil, false
}

// Package templatediff compares the CloudFormation templates of two cloud assemblies (two
// cdk.out directories), stack by stack, without AWS credentials: what a change does to the
// templates, before anything is deployed.
package templatediff

import (
	"encoding/json"
	"fmt"
	"io"
	"maps"
	"reflect"
	"slices"
	"strings"

	"github.com/example/platform/internal/assembly"
)

// Change is one difference at a path inside a template section.
type Change struct {
	Kind     string // "+" added, "-" removed, "~" modified
	Path     string // e.g. ServiceTaskF92E9D60.Properties.ContainerDefinitions[0].Image
	Old, New any
}

// StackDiff is what changed in one stack, by its CloudFormation name.
type StackDiff struct {
	Stack   string
	Kind    string // "+" new stack, "-" removed stack, "~" changed stack
	Changes []Change
}

// resourceFields are compared; Metadata (construct paths, suppressions) is not deployed
// behaviour and is left out.
var resourceFields = []string{"Type", "Properties", "DependsOn", "Condition", "DeletionPolicy", "UpdateReplacePolicy"}

// Compare returns the stacks whose templates differ between the base and head assemblies.
func Compare(baseDir, headDir string) ([]StackDiff, error) {
	base, err := templates(baseDir)
	if err != nil {
		return nil, err
	}
	head, err := templates(headDir)
	if err != nil {
		return nil, err
	}
	var diffs []StackDiff
	for _, name := range sortedUnion(base, head) {
		before, inBase := base[name]
		after, inHead := head[name]
		switch {
		case !inBase:
			diffs = append(diffs, StackDiff{Stack: name, Kind: "+", Changes: compareTemplates(nil, after)})
		case !inHead:
			diffs = append(diffs, StackDiff{Stack: name, Kind: "-", Changes: compareTemplates(before, nil)})
		default:
			if changes := compareTemplates(before, after); len(changes) > 0 {
				diffs = append(diffs, StackDiff{Stack: name, Kind: "~", Changes: changes})
			}
		}
	}
	return diffs, nil
}

func templates(dir string) (map[string]*template, error) {
	stacks, err := assembly.Read(dir)
	if err != nil {
		return nil, err
	}
	out := map[string]*template{}
	for _, s := range stacks {
		out[s.Name] = &s.Template
	}
	return out, nil
}

// Render prints diffs in the style of `cdk diff`.
func Render(w io.Writer, diffs []StackDiff) {
	if len(diffs) == 0 {
		fmt.Fprintln(w, "No differences in any stack.")
		return
	}
	for _, d := range diffs {
		label := map[string]string{"+": " (new stack)", "-": " (removed stack)", "~": ""}[d.Kind]
		fmt.Fprintf(w, "Stack %s%s\n", d.Stack, label)
		for _, c := range d.Changes {
			switch c.Kind {
			case "+":
				fmt.Fprintf(w, "[+] %s: %s\n", c.Path, short(c.New))
			case "-":
				fmt.Fprintf(w, "[-] %s: %s\n", c.Path, short(c.Old))
			default:
				fmt.Fprintf(w, "[~] %s: %s → %s\n", c.Path, short(c.Old), short(c.New))
			}
		}
		fmt.Fprintln(w)
	}
	fmt.Fprintf(w, "%d stack(s) differ\n", len(diffs))
}

type template = assembly.Template

// compareTemplates reports resources added, removed and modified (field by field), then
// parameters and outputs.
func compareTemplates(before, after *template) []Change {
	if before == nil {
		before = &template{}
	}
	if after == nil {
		after = &template{}
	}
	var changes []Change
	for _, id := range sortedUnion(before.Resources, after.Resources) {
		old, inOld := before.Resources[id]
		cur, inNew := after.Resources[id]
		label := "Resources." + id
		switch {
		case !inOld:
			changes = append(changes, Change{Kind: "+", Path: label, New: cur["Type"]})
		case !inNew:
			changes = append(changes, Change{Kind: "-", Path: label, Old: old["Type"]})
		default:
			for _, field := range resourceFields {
				changes = append(changes, compareValues(label+"."+field, old[field], cur[field])...)
			}
		}
	}
	changes = append(changes, compareValues("Parameters", toAny(before.Parameters), toAny(after.Parameters))...)
	changes = append(changes, compareValues("Outputs", toAny(before.Outputs), toAny(after.Outputs))...)
	return changes
}

func toAny(m map[string]any) any {
	if m == nil {
		return nil
	}
	return m
}

// compareValues walks two JSON values and reports the smallest differing paths.
func compareValues(path string, old, cur any) []Change {
	if reflect.DeepEqual(old, cur) {
		return nil
	}
	if old == nil {
		return []Change{{Kind: "+", Path: path, New: cur}}
	}
	if cur == nil {
		return []Change{{Kind: "-", Path: path, Old: old}}
	}
	oldMap, oldIsMap := old.(map[string]any)
	curMap, curIsMap := cur.(map[string]any)
	if oldIsMap && curIsMap {
		var changes []Change
		for _, k := range sortedUnion(oldMap, curMap) {
			changes = append(changes, compareValues(path+"."+k, oldMap[k], curMap[k])...)
		}
		return changes
	}
	oldList, oldIsList := old.([]any)
	curList, curIsList := cur.([]any)
	if oldIsList && curIsList && len(oldList) == len(curList) {
		var changes []Change
		for i := range oldList {
			changes = append(changes, compareValues(fmt.Sprintf("%s[%d]", path, i), oldList[i], curList[i])...)
		}
		return changes
	}
	return []Change{{Kind: "~", Path: path, Old: old, New: cur}}
}

func short(v any) string {
	data, _ := json.Marshal(v)
	s := string(data)
	if len(s) > 160 {
		s = s[:157] + "..."
	}
	return strings.ReplaceAll(s, "\n", " ")
}

// sortedUnion is every key of a and b, once each, sorted.
func sortedUnion[V any](a, b map[string]V) []string {
	keys := maps.Clone(a)
	if keys == nil {
		keys = map[string]V{}
	}
	maps.Copy(keys, b)
	return slices.Sorted(maps.Keys(keys))
}

package guard

import (
	"fmt"
	"sort"
	"strings"

	"github.com/example/platform/internal/assembly"
)

// zeroID stands in for a key ID the rules cannot know.
const zeroID = "00000000-0000-0000-0000-000000000000"

// Resolve returns a copy of each stack's resources with every Fn::GetStackOutput (a weak
// cross-stack reference, which the rules do not follow) replaced by a value of the shape the
// output holds: an ARN for an Arn attribute (arn:aws:kms:<region>:<account>:key/<id> for a key),
// a key ID for a key's Ref, the output's own name otherwise. An output no stack of the assembly
// publishes is an error: the reference could not be deployed either.
func Resolve(stacks []*assembly.Stack) (map[string]map[string]any, error) {
	byName := assembly.ByName(stacks)
	var missing []string
	out := make(map[string]map[string]any, len(stacks))
	for _, s := range stacks {
		resources := resolve(s.Template.Resources, func(ref map[string]any) any {
			v, err := outputValue(byName, ref)
			if err != nil {
				missing = append(missing, s.Name+": "+err.Error())
			}
			return v
		})
		out[s.Name] = resources.(map[string]any)
	}
	if len(missing) > 0 {
		sort.Strings(missing)
		return nil, fmt.Errorf("unresolved Fn::GetStackOutput:\n  %s", strings.Join(missing, "\n  "))
	}
	return out, nil
}

// resolve copies v, replacing each {"Fn::GetStackOutput": ref} with value(ref).
func resolve[T any](v T, value func(map[string]any) any) any {
	switch x := any(v).(type) {
	case map[string]map[string]any:
		out := make(map[string]any, len(x))
		for k, r := range x {
			out[k] = resolve(r, value)
		}
		return out
	case map[string]any:
		if ref, ok := x["Fn::GetStackOutput"].(map[string]any); ok && len(x) == 1 {
			return value(ref)
		}
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = resolve(e, value)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = resolve(e, value)
		}
		return out
	}
	return v
}

// outputValue is the stand-in for the output ref names.
func outputValue(byName map[string]*assembly.Stack, ref map[string]any) (any, error) {
	stackName, _ := ref["StackName"].(string)
	outputName, _ := ref["OutputName"].(string)
	producer := byName[stackName]
	if producer == nil {
		return outputName, fmt.Errorf("%s of %s: no such stack in the assembly", outputName, stackName)
	}
	output, _ := producer.Template.Outputs[outputName].(map[string]any)
	if output == nil {
		return outputName, fmt.Errorf("%s: %s publishes no such output", outputName, stackName)
	}
	value, _ := output["Value"].(map[string]any)
	logicalID, attribute := "", ""
	if r, ok := value["Ref"].(string); ok {
		logicalID = r
	} else if ga, ok := value["Fn::GetAtt"].([]any); ok && len(ga) == 2 {
		logicalID, _ = ga[0].(string)
		attribute, _ = ga[1].(string)
	}
	typ, _ := producer.Template.Resources[logicalID]["Type"].(string)
	region, _ := ref["Region"].(string)
	if region == "" {
		region = producer.Region
	}
	switch {
	case typ == "AWS::KMS::Key" && attribute == "Arn":
		return fmt.Sprintf("arn:aws:kms:%s:%s:key/%s", region, producer.Account, zeroID), nil
	case typ == "AWS::KMS::Key" && attribute == "":
		return zeroID, nil
	case strings.HasSuffix(attribute, "Arn"):
		// AWS::<Service>::<Kind>: arn:aws:<service>:<region>:<account>:<kind>/<logical ID>
		parts := strings.Split(typ, "::")
		if len(parts) == 3 {
			return fmt.Sprintf("arn:aws:%s:%s:%s:%s/%s", strings.ToLower(parts[1]), region, producer.Account,
				strings.ToLower(parts[2]), logicalID), nil
		}
	}
	return stackName + "/" + outputName, nil
}

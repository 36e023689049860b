package bootstrap

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// actions.json maps each CloudFormation resource type the platform's stacks contain to the IAM
// actions CloudFormation's handler calls to create, update, read, list and delete it, as the
// type's registry schema lists them under handlers.*.permissions, narrowed where the schema
// grants more than the platform uses. An entry "@<type>" includes that type's actions (a
// AWS::Serverless::Application is a nested stack of a Lambda function, its permission, role and
// security group). "Custom::*" covers every custom resource: CloudFormation invokes its Lambda
// function, which runs with its own role. AWS::CDK::Metadata has no handler and needs nothing.
//
//go:embed actions.json
var actionsJSON []byte

var actionTable = func() map[string][]string {
	table := map[string][]string{}
	if err := json.Unmarshal(actionsJSON, &table); err != nil {
		panic(fmt.Sprintf("internal/bootstrap/actions.json: %v", err))
	}
	return table
}()

// actionPattern is the rule every action of an execution policy keeps: a service prefix and an
// action name, never "*" nor "<service>:*". A wildcard may only end a read-only verb prefix
// (Describe*, Get*, List*, or a longer prefix starting with one, such as s3:GetBucket*): what it
// adds is reading configuration, never a change.
var actionPattern = regexp.MustCompile(`^[a-z0-9-]+:([A-Z][A-Za-z0-9]+|(Describe|Get|List)[A-Za-z0-9]*\*)$`)

// ValidAction reports whether action keeps actionPattern's rule.
func ValidAction(action string) bool { return actionPattern.MatchString(action) }

// ActionsFor are the IAM actions CloudFormation needs for resources of resourceType, sorted, or
// false when the table has no entry for the type.
func ActionsFor(resourceType string) ([]string, bool) {
	key := resourceType
	if strings.HasPrefix(resourceType, "Custom::") {
		key = "Custom::*"
	}
	entries, ok := actionTable[key]
	if !ok {
		return nil, false
	}
	var out []string
	for _, entry := range entries {
		if included, ok := strings.CutPrefix(entry, "@"); ok {
			actions, found := ActionsFor(included)
			if !found {
				return nil, false
			}
			out = append(out, actions...)
			continue
		}
		out = append(out, entry)
	}
	slices.Sort(out)
	return slices.Compact(out), true
}

// TableTypes are the resource types the table has, sorted.
func TableTypes() []string {
	types := make([]string, 0, len(actionTable))
	for t := range actionTable {
		types = append(types, t)
	}
	slices.Sort(types)
	return types
}

// compact drops every action a wildcard of the list covers (ec2:DescribeVpcs beside
// ec2:Describe*), keeping the list sorted.
func compact(actions []string) []string {
	var wildcards []string
	for _, a := range actions {
		if prefix, ok := strings.CutSuffix(a, "*"); ok {
			wildcards = append(wildcards, prefix)
		}
	}
	var out []string
	for _, a := range actions {
		covered := slices.ContainsFunc(wildcards, func(prefix string) bool {
			return a != prefix+"*" && strings.HasPrefix(strings.TrimSuffix(a, "*"), prefix)
		})
		if !covered {
			out = append(out, a)
		}
	}
	return out
}

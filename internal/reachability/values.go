package reachability

import (
	"encoding/json"
	"fmt"
	"net/netip"
	"sort"
	"strconv"
	"strings"

	"github.com/example/platform/internal/assembly"
)

// target is a resource a value names.
type target struct {
	stack *assembly.Stack
	id    string
	attr  string
}

func (t target) key() string                  { return key(t.stack, t.id) }
func (t target) resource() map[string]any     { return t.stack.Template.Resources[t.id] }
func (t target) typ() string                  { s, _ := t.resource()["Type"].(string); return s }
func key(s *assembly.Stack, id string) string { return s.Name + "/" + id }
func stackOf(identity string) string          { s, _, _ := strings.Cut(identity, "/"); return s }

// resolve follows a Ref, an Fn::GetAtt or an Fn::GetStackOutput (through the producer's output)
// to the resource it names.
func (m *Model) resolve(s *assembly.Stack, value any) (target, bool) {
	v, _ := value.(map[string]any)
	if len(v) != 1 {
		return target{}, false
	}
	if id, ok := v["Ref"].(string); ok {
		if _, ok := s.Template.Resources[id]; ok {
			return target{stack: s, id: id}, true
		}
		return target{}, false
	}
	if att, ok := v["Fn::GetAtt"]; ok {
		var id, attr string
		switch a := att.(type) {
		case []any:
			if len(a) == 2 {
				id, _ = a[0].(string)
				attr, _ = a[1].(string)
			}
		case string:
			id, attr, _ = strings.Cut(a, ".")
		}
		if _, ok := s.Template.Resources[id]; ok {
			return target{stack: s, id: id, attr: attr}, true
		}
		return target{}, false
	}
	if ref, ok := v["Fn::GetStackOutput"].(map[string]any); ok {
		name, _ := ref["StackName"].(string)
		output, _ := ref["OutputName"].(string)
		producer := m.stacks[name]
		if producer == nil {
			return target{}, false
		}
		out, _ := producer.Template.Outputs[output].(map[string]any)
		if out == nil {
			return target{}, false
		}
		return m.resolve(producer, out["Value"])
	}
	return target{}, false
}

// targets are the resources a value names: one reference, a list of them, or an Fn::Join of
// them (a comma-separated parameter such as a serverless application's subnet IDs).
func (m *Model) targets(s *assembly.Stack, value any) []target {
	if t, ok := m.resolve(s, value); ok {
		return []target{t}
	}
	var out []target
	switch v := value.(type) {
	case []any:
		for _, child := range v {
			out = append(out, m.targets(s, child)...)
		}
	case map[string]any:
		if join, ok := v["Fn::Join"].([]any); ok && len(join) == 2 {
			out = append(out, m.targets(s, join[1])...)
		}
	}
	return out
}

// identity is the identity of the resource of type resourceType that a property names; "" (and
// a problem) if it names none.
func (m *Model) identity(s *assembly.Stack, id, property string, value any, resourceType string) string {
	t, ok := m.resolve(s, value)
	if !ok || t.typ() != resourceType {
		m.problem(s, id, "%s %s does not name an %s of the assembly", property, jsonOf(value), resourceType)
		return ""
	}
	return t.key()
}

// str is a string value: a literal, an Fn::Join of strings, a pseudo parameter, or an attribute
// the model knows (a VPC's or a subnet's CidrBlock).
func (m *Model) str(s *assembly.Stack, value any) (string, bool) {
	switch v := value.(type) {
	case string:
		return v, true
	case float64:
		return strconv.FormatFloat(v, 'f', -1, 64), true
	case map[string]any:
		if join, ok := v["Fn::Join"].([]any); ok && len(join) == 2 {
			sep, _ := join[0].(string)
			var parts []string
			for _, part := range list(join[1]) {
				p, ok := m.str(s, part)
				if !ok {
					return "", false
				}
				parts = append(parts, p)
			}
			return strings.Join(parts, sep), true
		}
		switch v["Ref"] {
		case "AWS::Region":
			return s.Region, true
		case "AWS::AccountId":
			return s.Account, true
		case "AWS::Partition":
			return "aws", true
		case "AWS::URLSuffix":
			return "amazonaws.com", true
		}
		t, ok := m.resolve(s, value)
		if !ok {
			return "", false
		}
		props, _ := t.resource()["Properties"].(map[string]any)
		switch {
		case t.attr == "CidrBlock" && (t.typ() == "AWS::EC2::VPC" || t.typ() == "AWS::EC2::Subnet"):
			return m.str(t.stack, props["CidrBlock"])
		case t.attr == "Endpoint.Port":
			port, ok := m.num(s, value)
			return strconv.Itoa(port), ok
		}
	}
	return "", false
}

// num is an integer value: a literal, a numeric string, or a database's Endpoint.Port (its Port
// property, or its engine's default).
func (m *Model) num(s *assembly.Stack, value any) (int, bool) {
	switch v := value.(type) {
	case float64:
		return int(v), true
	case string:
		n, err := strconv.Atoi(v)
		return n, err == nil
	case map[string]any:
		t, ok := m.resolve(s, value)
		if !ok || t.attr != "Endpoint.Port" || (t.typ() != "AWS::RDS::DBCluster" && t.typ() != "AWS::RDS::DBInstance") {
			return 0, false
		}
		props, _ := t.resource()["Properties"].(map[string]any)
		if props["Port"] != nil {
			return m.num(t.stack, props["Port"])
		}
		engine, _ := props["Engine"].(string)
		switch {
		case strings.Contains(engine, "postgres"):
			return 5432, true
		case strings.Contains(engine, "mysql"), engine == "aurora", strings.Contains(engine, "mariadb"):
			return 3306, true
		}
	}
	return 0, false
}

func (m *Model) prefix(s *assembly.Stack, id, property string, value any) netip.Prefix {
	text, ok := m.str(s, value)
	prefix, err := netip.ParsePrefix(text)
	if !ok || err != nil || !prefix.Addr().Is4() {
		m.problem(s, id, "%s %s cannot be resolved to an IPv4 CIDR", property, jsonOf(value))
		return netip.Prefix{}
	}
	return prefix.Masked()
}

func (m *Model) problem(s *assembly.Stack, id, format string, args ...any) {
	m.problems = append(m.problems, key(s, id)+": "+fmt.Sprintf(format, args...))
}

func list(value any) []any {
	l, _ := value.([]any)
	return l
}

func jsonOf(value any) string {
	data, _ := json.Marshal(value)
	return string(data)
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

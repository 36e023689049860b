package cost

import (
	"fmt"
	"strconv"
)

// fargateService is the service's tasks at their minimum count (the scaling target's minimum,
// else the desired count, else 1), at its task definition's CPU, memory and architecture.
func fargateService(r resource) ([]charge, error) {
	if lt := str(r.Props["LaunchType"]); lt != "" && lt != "FARGATE" {
		return nil, fmt.Errorf("launch type %q has no price; the estimate prices Fargate tasks", lt)
	}
	taskDef := r.Template[refName(r.Props["TaskDefinition"])]
	props, _ := taskDef["Properties"].(map[string]any)
	if props == nil {
		return nil, fmt.Errorf("TaskDefinition is not a task definition of the same stack; the estimate needs its CPU and memory")
	}
	cpu, memory := number(props["Cpu"], 0), number(props["Memory"], 0)
	if cpu == 0 || memory == 0 {
		return nil, fmt.Errorf("task definition %s has no literal Cpu and Memory", refName(r.Props["TaskDefinition"]))
	}
	tasks := number(r.Props["DesiredCount"], 1)
	if min, ok := scalingMinimum(r); ok {
		tasks = min
	}
	vcpu, gb := "fargate-vcpu-hour", "fargate-gb-hour"
	if platform, _ := props["RuntimePlatform"].(map[string]any); str(platform["CpuArchitecture"]) == "ARM64" {
		vcpu, gb = "fargate-arm-vcpu-hour", "fargate-arm-gb-hour"
	}
	return []charge{
		{vcpu, r.Hours * tasks * cpu / 1024},
		{gb, r.Hours * tasks * memory / 1024},
	}, nil
}

// scalingMinimum is the MinCapacity of the scaling target whose ResourceId names the service.
func scalingMinimum(r resource) (float64, bool) {
	for _, res := range r.Template {
		if res["Type"] != "AWS::ApplicationAutoScaling::ScalableTarget" {
			continue
		}
		props, _ := res["Properties"].(map[string]any)
		if mentions(props["ResourceId"], r.ID) {
			return number(props["MinCapacity"], 1), true
		}
	}
	return 0, false
}

// mentions reports whether a template value refers to the logical ID id (Ref or Fn::GetAtt).
func mentions(v any, id string) bool {
	switch v := v.(type) {
	case map[string]any:
		if ref, ok := v["Ref"].(string); ok && ref == id {
			return true
		}
		if att, ok := v["Fn::GetAtt"].([]any); ok && len(att) > 0 && att[0] == id {
			return true
		}
		for _, x := range v {
			if mentions(x, id) {
				return true
			}
		}
	case []any:
		for _, x := range v {
			if mentions(x, id) {
				return true
			}
		}
	}
	return false
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

// number reads a template number (JSON number or numeric string), or def.
func number(v any, def float64) float64 {
	switch v := v.(type) {
	case float64:
		return v
	case string:
		if f, err := strconv.ParseFloat(v, 64); err == nil {
			return f
		}
	}
	return def
}

// listLen is the length of a literal list, or def when the value is a token.
func listLen(v any, def int) int {
	if l, ok := v.([]any); ok {
		return len(l)
	}
	return def
}

// refName is the logical ID a {"Ref": id} names, or "".
func refName(v any) string {
	m, _ := v.(map[string]any)
	return str(m["Ref"])
}

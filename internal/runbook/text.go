package runbook

import (
	"fmt"
	"strings"

	"github.com/example/platform/internal/assembly"
)

// output is the command that reads a stack's output.
func output(stack, region, key string) string {
	return fmt.Sprintf("$(aws cloudformation describe-stacks --region %s --stack-name %s --query \"Stacks[0].Outputs[?OutputKey=='%s'].OutputValue\" --output text)",
		region, stack, key)
}

// lookup is the command that resolves a resource's physical ID (for most resources its Ref:
// a name or an ARN) from the stack that owns it.
func lookup(stack, region, logicalID string) string {
	return fmt.Sprintf("$(aws cloudformation describe-stack-resource --region %s --stack-name %s --logical-resource-id %s --query StackResourceDetail.PhysicalResourceId --output text)",
		region, stack, logicalID)
}

func approvalStep(p plan) (step, bool) {
	for _, action := range p.actions() {
		if s, ok := hasApproval(p.Steps[action]); ok {
			return s, true
		}
	}
	return step{}, false
}

func otherRegion(regions []string, primary string) string {
	for _, r := range regions {
		if r != primary {
			return r
		}
	}
	return primary
}

func capacity(r *region) string {
	if r.ScalableTarget == "" {
		return "—"
	}
	return trim(r.MinCapacity) + "–" + trim(r.MaxCapacity)
}

func stackName(s *assembly.Stack) string {
	if s == nil {
		return "—"
	}
	return s.Name
}

func code(s string) string {
	if s == "" {
		return "—"
	}
	return "`" + s + "`"
}

func codes(list []string) string {
	if len(list) == 0 {
		return "—"
	}
	var out []string
	for _, s := range list {
		out = append(out, code(s))
	}
	return strings.Join(out, ", ")
}

func trim(f float64) string { return fmt.Sprintf("%g", f) }

func duration(seconds float64) string {
	switch {
	case seconds >= 3600 && int(seconds)%3600 == 0:
		return fmt.Sprintf("%g h", seconds/3600)
	case seconds >= 60 && int(seconds)%60 == 0:
		return fmt.Sprintf("%g min", seconds/60)
	}
	return fmt.Sprintf("%g s", seconds)
}

func anchor(s string) string {
	return strings.ToLower(strings.NewReplacer(" ", "-", ".", "").Replace(s))
}

func orPlaceholder(s, what string) string {
	if s == "" {
		return "<" + what + ">"
	}
	return s
}

// dial is an endpoint group's traffic dial: CloudFormation's default, 100, when unset.
func dial(v any) float64 {
	if v == nil {
		return 100
	}
	return num(v)
}

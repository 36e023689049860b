package runbook

import (
	"cmp"
	"maps"
	"slices"
	"strings"
)

// orderForFailover lists an environment's secondaries, and the plans that activate them, in the
// order an operator moves to them: the region the edge already fails over to first, then the
// others by name.
func orderForFailover(env *environment) {
	if len(env.Regions) < 2 {
		return
	}
	first := env.Incident.Fallback
	rank := func(name string) int {
		if name == first {
			return 0
		}
		return 1
	}
	slices.SortStableFunc(env.Regions[1:], func(a, b *region) int { return cmp.Compare(rank(a.Name), rank(b.Name)) })
	position := map[string]int{}
	for i, r := range env.Regions {
		position[r.Name] = i
	}
	slices.SortFunc(env.Plans, func(a, b plan) int {
		return cmp.Or(cmp.Compare(position[otherRegion(a.Regions, a.Primary)], position[otherRegion(b.Regions, b.Primary)]), cmp.Compare(a.Name, b.Name))
	})
}

// actions are the plan's workflows in the order they are used: moving to the secondary first,
// then back to the primary.
func (p plan) actions() []string {
	actions := slices.Sorted(maps.Keys(p.Steps))
	back := func(action string) int {
		if strings.HasSuffix(action, " "+p.Primary) {
			return 1
		}
		return 0
	}
	slices.SortStableFunc(actions, func(a, b string) int { return cmp.Compare(back(a), back(b)) })
	return actions
}

// rehearsals records, for each environment, the environments the pipeline deploys before it that
// have Region switch plans: where a switch can be rehearsed first.
func rehearsals(envs []*environment) {
	hasPlans := map[string]bool{}
	for _, env := range envs {
		hasPlans[env.Name] = len(env.Plans) > 0
	}
	for _, env := range envs {
		if p := env.Incident.Pipeline; p != nil {
			for _, earlier := range p.Earlier {
				if hasPlans[earlier] {
					env.Incident.RehearseIn = append(env.Incident.RehearseIn, earlier)
				}
			}
		}
	}
}

package config

import (
	"fmt"
	"slices"
	"strings"
)

// DefaultObserverRegions are, in order of preference, the regions an environment is watched
// from when its config names none: the first it does not run in. Every environment account is
// already bootstrapped and baselined there (the accelerator's and the edge's regions), so the
// default adds no account-region to the platform.
var DefaultObserverRegions = []string{AcceleratorRegion, EdgeRegion}

// defaultObserverRegion is the first of DefaultObserverRegions that env does not run in, or ""
// when it runs in all of them (its config must then name one).
func defaultObserverRegion(env Environment) string {
	for _, region := range DefaultObserverRegions {
		if !env.RunsIn(region) {
			return region
		}
	}
	return ""
}

// RunsIn reports whether region is one of the environment's regions.
func (e Environment) RunsIn(region string) bool {
	return slices.ContainsFunc(e.Regions, func(r Region) bool { return r.Region == region })
}

func applyObserverDefault(d defaulted, path string, env *Environment) {
	if env.ObserverRegion == "" {
		if region := defaultObserverRegion(*env); region != "" {
			env.ObserverRegion, d[path+".observerRegion"] = region, true
		}
	}
}

// validateObserver: the observer region must be a region the platform can deploy to, and one
// where the environment runs nothing, or it would fail with the region it is meant to judge.
func validateObserver(path string, env Environment, found *problems) {
	field := path + ".observerRegion"
	if env.ObserverRegion == "" {
		found.addf(field, "required: the environment runs in both %s, which the default picks from; "+
			"name a region that runs none of its workload (the canaries there watch it from outside), such as %s",
			strings.Join(DefaultObserverRegions, " and "), suggestObserver(env))
		return
	}
	if !checkRegion(found, field, env.ObserverRegion) {
		return
	}
	for j, r := range env.Regions {
		if r.Region == env.ObserverRegion {
			found.addf(field, "%s is also %s.regions[%d]: the observer watches the environment from a region that runs none of its workload, "+
				"so that it still sees (and reports) that region failing; pick another, such as %s",
				found.value(field, env.ObserverRegion), path, j, suggestObserver(env))
			return
		}
	}
}

// suggestObserver is a region the environment does not run in, for an error message.
func suggestObserver(env Environment) string {
	for _, region := range append(slices.Clone(DefaultObserverRegions), "us-east-2", "eu-central-1", "ca-central-1") {
		if !env.RunsIn(region) {
			return region
		}
	}
	return fmt.Sprintf("a region other than its %d", len(env.Regions))
}

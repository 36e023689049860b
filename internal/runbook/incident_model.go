package runbook

import "strings"

// incident is what the runbook needs on the day a region fails, beyond where things are: the
// release to freeze, the order the edge fails over in, how to reach the service from outside,
// and what each region keeps that a lost region takes with it.
type incident struct {
	Pipeline *pipeline
	// Fallback is the region the edge's origin group retries reads at when the primary fails.
	Fallback string
	// SiteURL and APIURL are fixed when the config names a domain; otherwise "" and the
	// distribution's Comment and the accelerator's Name find them.
	SiteURL, APIURL       string
	SiteScheme, APIScheme string
	DistributionComment   string
	AcceleratorName       string
	// HealthPathPrefix is the edge's per-region health route ("/.platform/health/").
	HealthPathPrefix string
	// SecretReplicas are the regions the database secret is replicated to; RotatedIn the
	// region whose rotation schedule rotates it.
	SecretReplicas []string
	RotatedIn      string
	// SecretStack and SecretID find the database secret (its Ref is its ARN).
	SecretStack, SecretID string
	// Queues, Archives, CopiesTo and LakeReplicas are by region.
	Queues        map[string]queue
	Archives      map[string]string
	CopiesTo      map[string][]string
	LakeReplicas  map[string][]string
	TableReplicas []string
	// AlarmSeconds is how long each named alarm's condition must hold before it fires.
	AlarmSeconds map[string]float64
	// RehearseIn are the environments deployed before this one that have Region switch plans.
	RehearseIn []string
}

// queue is a region's work queue and the logical ID of its dead-letter queue in Stack.
type queue struct{ Name, Stack, DeadLetter string }

// pipeline is the delivery pipeline and the stage that deploys the environment; Earlier are
// the stages that run before it.
type pipeline struct {
	Name, Account, Region, Stage string
	Earlier                      []string
}

// fallbackRegion is the region of the origin group's second member: the load balancer of
// "<region>.origin.<domain>", or the app stack output the origin's name comes from.
func fallbackRegion(config map[string]any) string {
	groups, _ := config["OriginGroups"].(map[string]any)
	for _, g := range list(groups["Items"]) {
		m, _ := g.(map[string]any)
		members, _ := m["Members"].(map[string]any)
		items := list(members["Items"])
		if len(items) < 2 {
			continue
		}
		second, _ := items[1].(map[string]any)
		for _, o := range list(config["Origins"]) {
			origin, _ := o.(map[string]any)
			if str(origin["Id"]) != str(second["OriginId"]) {
				continue
			}
			if name := str(origin["DomainName"]); name != "" {
				region, _, _ := strings.Cut(name, ".")
				return region
			}
			domain, _ := origin["DomainName"].(map[string]any)
			output, _ := domain["Fn::GetStackOutput"].(map[string]any)
			return str(output["Region"])
		}
	}
	return ""
}

// urlOf is a URL output's fixed value ("" when it is built from an attribute) and its scheme.
func urlOf(v any) (string, string) {
	if s, ok := v.(string); ok {
		scheme, _, _ := strings.Cut(s, "://")
		return s, scheme
	}
	join, _ := v.(map[string]any)["Fn::Join"].([]any)
	if len(join) == 2 {
		if parts := list(join[1]); len(parts) > 0 {
			scheme, _, _ := strings.Cut(str(parts[0]), "://")
			return "", scheme
		}
	}
	return "", "https"
}

func (env *environment) regionNames() []string {
	var names []string
	for _, r := range env.Regions {
		names = append(names, r.Name)
	}
	return names
}

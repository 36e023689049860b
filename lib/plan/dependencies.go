package plan

// What each stack of an environment waits for: its references to other stacks' resources (CDK
// makes each one a dependency) and the explicit orderings references do not give. stacks/ adds
// every one of them; test/plan_test.go checks that the assembly has exactly these.

// regionalDependencies are what region i's stack of tier waits for.
func (e environment) regionalDependencies(i int, tier string) []Dependency {
	n := len(e.env.Regions)
	var deps []Dependency
	switch tier {
	case TierKeys:
		if i > 0 {
			deps = append(deps, e.in(0, TierKeys, "the replica key replicates the primary key"))
		}
	case TierNetwork:
		deps = append(deps, e.in(i, TierKeys, "flow logs and endpoints are encrypted with the region's key"))
	case TierData:
		deps = append(deps, e.in(i, TierKeys, "the database is encrypted with the region's key"),
			e.in(i, TierNetwork, "the database runs in the region's network"))
		deps = append(deps, e.dataOrder(i, n)...)
	case TierEvents:
		deps = append(deps, e.in(i, TierKeys, "the bus, queues and stream are encrypted with the region's key"))
	case TierLake:
		deps = append(deps, e.in(i, TierKeys, "the bucket is encrypted with the region's key"),
			e.in(i, TierEvents, "the lake's delivery stream reads the region's event stream"))
		if i == 0 {
			for j := 1; j < n; j++ {
				deps = append(deps, e.in(j, TierLake, "replication needs the destination bucket and its key"),
					e.in(j, TierKeys, "replicas are encrypted with this region's replica key"))
			}
		}
	case TierApp:
		deps = e.appDependencies(i, n)
	}
	return deps
}

// dataOrder: the primary's data waits for the secondaries' replica keys (its global table,
// secret and lake replicas name them); a secondary's waits for the primary's (it joins the
// global cluster) and the previous secondary's (one region joins at a time), and, with peering,
// for every earlier region's network (it requests a connection to each).
func (e environment) dataOrder(i, n int) []Dependency {
	var deps []Dependency
	if i == 0 {
		for j := 1; j < n; j++ {
			deps = append(deps, e.in(j, TierKeys, "replicas are encrypted with this region's replica key"))
		}
		return deps
	}
	deps = append(deps, e.in(0, TierData, "the secondary cluster joins the primary's global cluster"))
	if i > 1 {
		// While a secondary is being added the global cluster is modifying, and RDS refuses a
		// second membership change then.
		deps = append(deps, e.in(i-1, TierData, "regions join the global cluster one at a time"))
	}
	if e.env.PeersRegions() {
		for j := range i {
			deps = append(deps, e.in(j, TierNetwork, "the region requests a peering connection to this earlier region's network"))
		}
	}
	return deps
}

// appDependencies: the app uses every other tier of its region (the lake only for log search,
// whose delivery stream its log group subscribes to) and, with peering, routes back over the
// connections later regions' data stacks requested.
func (e environment) appDependencies(i, n int) []Dependency {
	deps := []Dependency{
		e.in(i, TierKeys, "the service's logs and secrets are encrypted with the region's key"),
		e.in(i, TierNetwork, "the service runs in the region's network"),
		e.in(i, TierData, "the service reads the region's database"),
		e.in(i, TierEvents, "the service publishes to the region's bus and stream"),
	}
	if e.env.Monitoring.OpenSearchOn() {
		deps = append(deps, e.in(i, TierLake, "the service's log group subscribes to the lake stack's log delivery"))
	}
	if e.env.PeersRegions() {
		for j := i + 1; j < n; j++ {
			deps = append(deps, e.in(j, TierData, "the return route uses the peering connection this later region requested"))
		}
	}
	return deps
}

// onceDependencies are what the environment's stack of tier (one of environmentTiers) waits for:
// the edge and the accelerator front every region's load balancers; the observer's canary reads
// the addresses they write; the recovery stack names every other stack.
func (e environment) onceDependencies(tier string) []Dependency {
	var deps []Dependency
	switch tier {
	case TierEdge:
		deps = e.apps("the distribution's origins are the regions' load balancers")
		if len(e.env.Regions) > 0 {
			deps = append(deps, e.in(0, TierKeys, "the origin secret is created with the primary key"))
		}
	case TierAccelerator:
		deps = e.apps("the endpoints are the regions' load balancers")
	case TierDR:
		deps = []Dependency{
			{Stack: e.name(EdgeRegion, TierEdge), Reason: "its canary reads the site's address, which the edge writes"},
			{Stack: e.name(AcceleratorRegion, TierAccelerator), Reason: "its canary reads the API's address, which the accelerator writes"},
		}
	case TierRecovery:
		deps = e.recoveryDependencies()
	}
	return deps
}

// recoveryDependencies are every other stack of the environment, each region's in tier order,
// then the once-per-environment ones: the order the Resilience Hub application lists them in.
// Its Region switch plans name the clusters by ARN, so the databases must exist before ARC
// evaluates them.
func (e environment) recoveryDependencies() []Dependency {
	var deps []Dependency
	for i := range e.env.Regions {
		for _, tier := range RegionalTiers() {
			reason := "the Resilience Hub application imports this stack's resources"
			if tier == TierData {
				reason = "the Region switch plans switch the database of this region's cluster"
			}
			deps = append(deps, e.in(i, tier, reason))
		}
	}
	for _, t := range environmentTiers {
		if t.tier != TierRecovery && t.in(e.env) {
			deps = append(deps, Dependency{Stack: e.name(environmentRegion(e.env, t.tier), t.tier), Reason: "the Resilience Hub application imports this stack's resources"})
		}
	}
	return deps
}

func (e environment) apps(reason string) []Dependency {
	var deps []Dependency
	for i := range e.env.Regions {
		deps = append(deps, e.in(i, TierApp, reason))
	}
	return deps
}

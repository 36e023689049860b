package config

// Footprint says which optional parts an environment has. Every field defaults to the full
// platform, so leaving it out changes nothing; a sandbox turns parts off to cost less.
type Footprint struct {
	// Edge is CloudFront with WAF, health routes and (with dns) Route 53 failover, in
	// us-east-1. Without it the API is reached through the accelerator or, without that too,
	// at each region's public load balancer, which then admits any address. Default: true.
	Edge *bool `json:"edge,omitempty"`
	// Accelerator is Global Accelerator in us-west-2, in front of every region's internal load
	// balancer. Default: true.
	Accelerator *bool `json:"accelerator,omitempty"`
	// Observer is the stack in observerRegion whose canary calls the site and the API from
	// outside; it needs the edge and the accelerator. Default: true.
	Observer *bool `json:"observer,omitempty"`
	// Recovery is the stack of Region switch plans and the Resilience Hub application; it
	// needs two regions and the observer. Default: true when the environment has both.
	Recovery *bool `json:"recovery,omitempty"`
	// Drills are each region's fault-injection (AWS FIS) experiment templates. Default: true.
	Drills *bool `json:"drills,omitempty"`
	// GlobalDatabase is the Aurora global database that spans the environment's regions. Off,
	// the environment's one region runs a regional Aurora PostgreSQL cluster (same encryption,
	// backups and monitoring) and the service writes to that cluster's endpoint: there is no
	// switchover or failover to another region. Off needs exactly one region. Default: true.
	GlobalDatabase *bool `json:"globalDatabase,omitempty"`
}

// HasEdge reports whether the environment has CloudFront and WAF.
func (e Environment) HasEdge() bool { return kept(e.Footprint.Edge) }

// HasAccelerator reports whether the environment has Global Accelerator.
func (e Environment) HasAccelerator() bool { return kept(e.Footprint.Accelerator) }

// HasObserver reports whether the environment has the observer's stack and canary.
func (e Environment) HasObserver() bool { return kept(e.Footprint.Observer) }

// HasRecovery reports whether the environment has the recovery stack.
func (e Environment) HasRecovery() bool { return kept(e.Footprint.Recovery) }

// HasDrills reports whether the environment's regions have fault-injection templates.
func (e Environment) HasDrills() bool { return kept(e.Footprint.Drills) }

// HasGlobalDatabase reports whether the environment's Aurora clusters form a global database;
// without one its single region runs a regional cluster.
func (e Environment) HasGlobalDatabase() bool { return kept(e.Footprint.GlobalDatabase) }

// kept reads a footprint switch: unset (an Environment built without Load) is the full platform.
func kept(switched *bool) bool { return switched == nil || *switched }

// applyFootprintDefaults keeps today's full footprint unless a switch is set; recovery is on by
// default only where it can be (two regions and the observer), so a one-region environment
// needs no switch to be valid.
func applyFootprintDefaults(d defaulted, path string, env *Environment) {
	f := &env.Footprint
	d.bool(path+".edge", &f.Edge, true)
	d.bool(path+".accelerator", &f.Accelerator, true)
	d.bool(path+".observer", &f.Observer, true)
	d.bool(path+".drills", &f.Drills, true)
	d.bool(path+".globalDatabase", &f.GlobalDatabase, true)
	d.bool(path+".recovery", &f.Recovery, len(env.Regions) > 1 && on(f.Observer))
}

// validateFootprint refuses the combinations whose parts would miss what they read: the
// observer's canary calls the site (edge) and the API (accelerator); the recovery stack's Region
// switch plans need a second region and its failover decision waits for the observer's alarms;
// a domain is written by the edge and the accelerator; Grafana lives in the edge stack; a
// regional cluster serves one region only.
func validateFootprint(path string, env Environment, found *problems) {
	f := path + ".footprint"
	if env.HasObserver() && (!env.HasEdge() || !env.HasAccelerator()) {
		found.add(f+".observer", "the observer's canary calls the site through the edge and the API through the accelerator; "+
			"turn footprint.observer off too, or keep footprint.edge and footprint.accelerator on")
	}
	if env.HasRecovery() && len(env.Regions) < 2 {
		found.add(f+".recovery", "the recovery stack's Region switch plans move the environment between two regions; "+
			"list a second region, or turn footprint.recovery off")
	}
	if env.HasRecovery() && !env.HasObserver() {
		found.add(f+".recovery", "failing over waits for the observer's alarms, which see a region from outside; "+
			"keep footprint.observer on, or turn footprint.recovery off")
	}
	if env.DNS != nil && !env.HasEdge() && !env.HasAccelerator() {
		found.add(path+".dns", "without the edge and the accelerator no record of the zone names the environment, and the load balancers' "+
			"certificates do not name their AWS addresses; remove dns, or keep footprint.edge or footprint.accelerator on")
	}
	if !env.HasGlobalDatabase() && len(env.Regions) != 1 {
		found.addf(f+".globalDatabase", "false with %d regions: a regional Aurora cluster serves one region, and the other regions "+
			"would have no database to read or write; keep footprint.globalDatabase on (the default), or list exactly one region", len(env.Regions))
	}
	if env.Monitoring.GrafanaOn() && !env.HasEdge() {
		found.add(path+".monitoring.grafana", "the Grafana workspace lives in the edge stack; keep footprint.edge on, or turn monitoring.grafana off")
	}
}

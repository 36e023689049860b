package config

import "fmt"

// Recovery configures how an environment recovers and what it promises: the recovery time and
// point objectives that its AWS Resilience Hub policy states and its Region switch plans aim
// for. Every field has a default.
type Recovery struct {
	// Tier is the Resilience Hub policy's tier: MissionCritical, Critical, Important,
	// CoreServices or NonCritical. It labels the policy; the objectives are what Resilience Hub
	// assesses. Default: Critical.
	Tier string `json:"tier,omitempty"`
	// Objectives are the recovery targets per kind of disruption.
	Objectives Objectives `json:"objectives,omitempty"`
}

// Objectives are the recovery targets per kind of disruption Resilience Hub assesses.
type Objectives struct {
	// Software is a bad release or a crashing task.
	Software Objective `json:"software,omitempty"`
	// Hardware is a failed host or database instance.
	Hardware Objective `json:"hardware,omitempty"`
	// AZ is the loss of one availability zone.
	AZ Objective `json:"az,omitempty"`
	// Region is the loss of a whole region; the Region switch plans also carry its RTO.
	Region Objective `json:"region,omitempty"`
}

// Objective is one recovery target.
type Objective struct {
	// RTOMinutes is how long the service may be unavailable.
	RTOMinutes int `json:"rtoMinutes,omitempty"`
	// RPOMinutes is how much recent data may be lost.
	RPOMinutes int `json:"rpoMinutes,omitempty"`
}

// Resilience Hub's policy tiers (AWS::ResilienceHub::ResiliencyPolicy Tier).
var RecoveryTiers = []string{"MissionCritical", "Critical", "Important", "CoreServices", "NonCritical"}

// Defaults of the recovery objectives, from the failover table of docs/networking.md ("What fails
// over, and how fast"); docs/disaster-recovery.md's "Recovery objectives" says where each comes
// from.
const (
	DefaultRecoveryTier = "Critical"
	// A bad release: the rollback alarms and the circuit breaker roll it back within the bake
	// time (10 minutes); data a release wrote wrongly is restored from point-in-time recovery,
	// which Aurora keeps to within about 5 minutes.
	DefaultSoftwareRTOMinutes = 15
	DefaultSoftwareRPOMinutes = 5
	// A failed instance or host: Aurora promotes a reader, ECS replaces the task, within a
	// few minutes; Aurora's storage keeps six copies, so nothing committed is lost (Resilience
	// Hub reads an RPO of 0 as breached, so the target is the smallest it compares: a minute).
	DefaultHardwareRTOMinutes = 5
	DefaultHardwareRPOMinutes = 1
	// An availability zone: as a failed instance, in the other two zones.
	DefaultAZRTOMinutes = 5
	DefaultAZRPOMinutes = 1
	// A region: the RTO counts from the failure, so it holds the alarms' detection with default
	// monitoring (DetectionMinutes: a canary every 5 minutes failing twice, 10), five minutes for
	// the person paged to decide (the runbook's "When to fail over") and the plan's worst case
	// (PlanCriticalPathMinutes, 15), while traffic moves by health checks (about 1.5 minutes
	// plus the 60-second TTL); data written in the lost region's last moments (the database's
	// and table's replication, about a second) and lake objects not yet replicated (most within
	// 15 minutes).
	DefaultRegionRTOMinutes = 30
	DefaultRegionRPOMinutes = 15
	// MaxRecoveryMinutes is the longest RTO a Region switch plan records (RecoveryTimeObjective-
	// Minutes, 1 to 10080: a week); the other objectives are held to it too.
	MaxRecoveryMinutes = 10080
)

// The timeouts of a Region switch plan's steps (lib/recovery), in minutes: the longest ARC lets
// each run, so their critical path is the plan's worst case, which the region RTO must cover.
const (
	// PlanScaleUpMinutes: tasks start and pass their health checks in two to three minutes; the
	// rest is room for a slow placement in the activated region.
	PlanScaleUpMinutes = 10
	// PlanApprovalMinutes: the approver's time is recovery time, so the plan waits for them at
	// most this long, while the scale-up runs alongside (the plan pages nobody: the person who
	// starts it has the approver at hand).
	PlanApprovalMinutes = 10
	// PlanDatabaseMinutes: a failover promotes the secondary within a minute or two, a
	// switchover first lets it catch up (typically under a second behind) and then refuses
	// writes for a minute or two; five minutes covers both.
	PlanDatabaseMinutes = 5
)

// PlanCriticalPathMinutes is the longest a Region switch plan's execution takes: the scale-up
// and the approval at the same time, then the database.
func PlanCriticalPathMinutes() int {
	return max(PlanScaleUpMinutes, PlanApprovalMinutes) + PlanDatabaseMinutes
}

// RegionHealthAlarmMinutes is the longest of a region's health alarms on one-minute metrics
// (lib/monitoring's running-tasks, five periods, so that a replaced task is not a lost region);
// the canaries' alarms take what the monitoring settings make them.
const RegionHealthAlarmMinutes = 5

// DetectionMinutes is how long, at worst, a region's failure takes to fire the alarms the
// runbook's decision rule waits for: each input of the region's region-unhealthy composite
// and the observer's health alarm for the region, each its period times its evaluation
// periods. The canaries' (canaryIntervalMinutes × thresholds.canaryFailedRuns) are the ones m
// sets; the rest read one-minute metrics.
func DetectionMinutes(m Monitoring) int {
	return max(m.CanaryIntervalMinutes*m.Thresholds.CanaryFailedRuns, RegionHealthAlarmMinutes)
}

func applyRecoveryDefaults(d defaulted, path string, r *Recovery) {
	d.string(path+".tier", &r.Tier, DefaultRecoveryTier)
	o, objectives := &r.Objectives, path+".objectives"
	applyObjectiveDefaults(d, objectives+".software", &o.Software, DefaultSoftwareRTOMinutes, DefaultSoftwareRPOMinutes)
	applyObjectiveDefaults(d, objectives+".hardware", &o.Hardware, DefaultHardwareRTOMinutes, DefaultHardwareRPOMinutes)
	applyObjectiveDefaults(d, objectives+".az", &o.AZ, DefaultAZRTOMinutes, DefaultAZRPOMinutes)
	applyObjectiveDefaults(d, objectives+".region", &o.Region, DefaultRegionRTOMinutes, DefaultRegionRPOMinutes)
}

func applyObjectiveDefaults(d defaulted, path string, o *Objective, rto, rpo int) {
	d.int(path+".rtoMinutes", &o.RTOMinutes, rto)
	d.int(path+".rpoMinutes", &o.RPOMinutes, rpo)
}

// validateRecovery checks r; plans says whether the environment has Region switch plans (more
// than one region): the region RTO counts from the failure, so it must cover the alarms'
// detection with m and then the plans' worst case.
func validateRecovery(path string, r Recovery, m Monitoring, plans bool, found *problems) {
	known := false
	for _, tier := range RecoveryTiers {
		known = known || r.Tier == tier
	}
	if !known {
		found.addf(path+".tier", "%s is not a Resilience Hub tier; use one of MissionCritical, Critical, Important, CoreServices or NonCritical",
			found.quoted(path+".tier", r.Tier))
	}
	o, objectives := r.Objectives, path+".objectives"
	for _, kind := range []struct {
		name string
		o    Objective
	}{{"software", o.Software}, {"hardware", o.Hardware}, {"az", o.AZ}, {"region", o.Region}} {
		for _, field := range []struct {
			name  string
			value int
		}{{"rtoMinutes", kind.o.RTOMinutes}, {"rpoMinutes", kind.o.RPOMinutes}} {
			fieldPath := fmt.Sprintf("%s.%s.%s", objectives, kind.name, field.name)
			// Zero is the default's marker; a negative value is what can be left here.
			if field.value < 1 || field.value > MaxRecoveryMinutes {
				found.addf(fieldPath, "%d: must be 1 to %d minutes (a week; Resilience Hub reads 0 as a breached policy, and a Region switch plan records at most a week)",
					field.value, MaxRecoveryMinutes)
			}
		}
	}
	// Canary settings out of their range are reported by validateMonitoring; a detection
	// computed from them would only repeat that.
	canaries := m.CanaryIntervalMinutes >= 1 && m.CanaryIntervalMinutes <= maxCanaryIntervalMinutes &&
		m.Thresholds.CanaryFailedRuns >= 1 && m.Thresholds.CanaryFailedRuns <= maxCanaryFailedRuns
	detect, plan := DetectionMinutes(m), PlanCriticalPathMinutes()
	if rto := o.Region.RTOMinutes; plans && canaries && rto >= 1 && rto < detect+plan {
		found.addf(objectives+".region.rtoMinutes", "%d: a region's failure takes up to %d minutes to fire the alarms failover waits for "+
			"(the canaries: monitoring.canaryIntervalMinutes %d × monitoring.thresholds.canaryFailedRuns %d; the other health alarms %d), "+
			"then the Region switch plans up to %d (scale-up %d alongside approval %d, then the database %d); "+
			"give at least %d, or shorten detection with monitoring.canaryIntervalMinutes or monitoring.thresholds.canaryFailedRuns",
			rto, detect, m.CanaryIntervalMinutes, m.Thresholds.CanaryFailedRuns, RegionHealthAlarmMinutes,
			plan, PlanScaleUpMinutes, PlanApprovalMinutes, PlanDatabaseMinutes, detect+plan)
	}
}

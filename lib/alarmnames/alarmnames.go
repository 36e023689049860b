// Package alarmnames holds how the alarms that speak for a whole region end their names, in
// one place: the constructs and stacks that name those alarms, and the runbook generator that
// finds them in the synthesized templates, read the same suffixes. It imports nothing, so
// CDK-free readers of the assembly can use it.
package alarmnames

const (
	// RegionUnhealthy ends a region's composite alarm: the region is failing
	// (<platform>-<env>-<region>-region-unhealthy, lib/monitoring).
	RegionUnhealthy = "-region-unhealthy"
	// HealthCheck ends the alarm on the edge's health check of a region
	// (<platform>-<env>-<region>-health-check, lib/edge).
	HealthCheck = "-health-check"
	// ObserverHealth ends the alarm of the observer's canary on a region's health route
	// (<platform>-<env>-<region>-observer-health, stacks).
	ObserverHealth = "-observer-health"
)

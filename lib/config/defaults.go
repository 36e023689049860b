package config

import (
	"fmt"

	"github.com/example/platform/lib/limits"
)

// Defaults for the fields a config may leave out. lib/config owns the default of every value the
// config file exposes: the constructs in lib/ require these values and have no defaults of their
// own, so a default lives here, nowhere else (docs/configuration.md's reference is generated from it). (A
// construct prop the config never sets keeps a default of the construct's, documented on the
// prop.) They are production-leaning: a config that says nothing gets a highly available,
// protected environment.
const (
	DefaultBranch                = "main"
	DefaultProvider              = ProviderGitHub
	DefaultTaskCPU               = 512
	DefaultTaskMemoryMiB         = 1024
	DefaultMinCapacity           = 2
	DefaultMaxCapacity           = 6
	DefaultDBInstanceClass       = "db.r7g.large"
	DefaultDBInstances           = 2
	DefaultBackupRetentionDays   = 7
	DefaultServiceName           = "api"
	DefaultBootstrapImage        = "public.ecr.aws/nginx/nginx-unprivileged:stable-alpine"
	DefaultDockerfile            = "api/Dockerfile"
	DefaultScanThreshold         = "CRITICAL"
	DefaultKeepDeployedImages    = 30
	DefaultContainerPort         = 8080
	DefaultHealthCheckPath       = "/"
	DefaultStrategy              = StrategyBlueGreen
	DefaultBakeTimeMinutes       = 10
	DefaultStepPercent           = 10
	DefaultStepMinutes           = 5
	DefaultEngineVersion         = "16.6"
	DefaultMasterUsername        = "platform_admin"
	DefaultMonitoringInterval    = 60
	DefaultPriceClass            = PriceClass100
	DefaultRateLimit             = 2000
	DefaultStaticPath            = "/static/*"
	DefaultCacheBehaviorQuota    = limits.CloudFrontCacheBehaviors
	DefaultHealthCheckInterval   = 30
	DefaultHealthCheckThreshold  = 3
	DefaultTrafficDialPercent    = 100
	DefaultNatGateways           = AvailabilityZoneCount // one per AZ
	DefaultTerminationProtection = true
	DefaultInterRegionPeering    = true
	// DefaultAllowAccountApprovers: approvers are the roles and users pipeline.approvers names,
	// never a whole account, unless the config says so.
	DefaultAllowAccountApprovers = false
	// AvailabilityZoneCount is how many AZs every VPC spans.
	AvailabilityZoneCount = 3
)

// defaulted are the field paths applyDefaults filled, such as environments[0].sizing.taskCpu.
type defaulted map[string]bool

// applyDefaults fills every field the config left out and returns the paths it filled.
func applyDefaults(p *Platform) defaulted {
	d := defaulted{}
	d.string("pipeline.source.branch", &p.Pipeline.Source.Branch, DefaultBranch)
	if cc := p.Pipeline.Source.CodeConnections; cc != nil {
		d.string("pipeline.source.codeConnections.provider", &cc.Provider, DefaultProvider)
	}
	for i := range p.Environments {
		env, path := &p.Environments[i], fmt.Sprintf("environments[%d]", i)
		// Everything after the first environment waits for a person.
		d.bool(path+".manualApproval", &env.ManualApproval, i > 0)
		d.bool(path+".terminationProtection", &env.TerminationProtection, DefaultTerminationProtection)
		d.bool(path+".interRegionPeering", &env.InterRegionPeering, DefaultInterRegionPeering)
		for j := range env.Regions {
			region, regionPath := &env.Regions[j], fmt.Sprintf("%s.regions[%d]", path, j)
			if len(region.AvailabilityZones) == 0 {
				region.AvailabilityZones = defaultAvailabilityZones(region.Region)
				d[regionPath+".availabilityZones"] = true
			}
			d.int(regionPath+".natGateways", &region.NatGateways, DefaultNatGateways)
			if region.TrafficDialPercent == nil {
				dial := DefaultTrafficDialPercent
				region.TrafficDialPercent = &dial
				d[regionPath+".trafficDialPercent"] = true
			}
			// Known for most regions; validation asks for it elsewhere.
			if known := cloudFrontPrefixLists[region.Region]; known != "" {
				d.string(regionPath+".cloudFrontPrefixListId", &region.CloudFrontPrefixListID, known)
			}
		}
		s, sizing := &env.Sizing, path+".sizing"
		d.int(sizing+".taskCpu", &s.TaskCPU, DefaultTaskCPU)
		d.int(sizing+".taskMemoryMiB", &s.TaskMemoryMiB, DefaultTaskMemoryMiB)
		d.int(sizing+".minCapacity", &s.MinCapacity, DefaultMinCapacity)
		d.int(sizing+".maxCapacity", &s.MaxCapacity, DefaultMaxCapacity)
		d.int(sizing+".dbInstances", &s.DBInstances, DefaultDBInstances)
		d.int(sizing+".backupRetentionDays", &s.BackupRetentionDays, DefaultBackupRetentionDays)
		d.string(sizing+".dbInstanceClass", &s.DBInstanceClass, DefaultDBInstanceClass)
		d.string(path+".database.engineVersion", &env.Database.EngineVersion, DefaultEngineVersion)
		d.string(path+".database.masterUsername", &env.Database.MasterUsername, DefaultMasterUsername)
		d.int(path+".database.monitoringIntervalSeconds", &env.Database.MonitoringIntervalSeconds, DefaultMonitoringInterval)
		e, edge := &env.Edge, path+".edge"
		d.string(edge+".priceClass", &e.PriceClass, DefaultPriceClass)
		d.int(edge+".rateLimit", &e.RateLimit, DefaultRateLimit)
		if len(e.StaticPaths) == 0 {
			e.StaticPaths = []string{DefaultStaticPath}
			d[edge+".staticPaths"] = true
		}
		d.int(edge+".cacheBehaviorQuota", &e.CacheBehaviorQuota, DefaultCacheBehaviorQuota)
		d.int(edge+".accelerator.healthCheckIntervalSeconds", &e.Accelerator.HealthCheckIntervalSeconds, DefaultHealthCheckInterval)
		d.int(edge+".accelerator.healthCheckThreshold", &e.Accelerator.HealthCheckThreshold, DefaultHealthCheckThreshold)
		deployment, deploymentPath := &env.Deployment, path+".deployment"
		d.string(deploymentPath+".strategy", &deployment.Strategy, DefaultStrategy)
		d.int(deploymentPath+".bakeTimeMinutes", &deployment.BakeTimeMinutes, DefaultBakeTimeMinutes)
		d.int(deploymentPath+".stepPercent", &deployment.StepPercent, DefaultStepPercent)
		d.int(deploymentPath+".stepMinutes", &deployment.StepMinutes, DefaultStepMinutes)
		applyMonitoringDefaults(d, path+".monitoring", &env.Monitoring)
		applyFootprintDefaults(d, path+".footprint", env)
		applyBudgetDefaults(d, path+".budget", &env.Budget)
		if env.HasObserver() {
			applyObserverDefault(d, path, env)
		}
		applyEventsDefaults(d, path+".events", &env.Events)
		applyBackupAndDrillDefaults(d, path, &env.Backup, &env.Drills)
		applyRecoveryDefaults(d, path+".recovery", &env.Recovery)
	}
	applyBaselineDefaults(d, &p.Baseline)
	applyTagDefaults(d, &p.Tags.Keys)
	svc := &p.Service
	d.string("service.name", &svc.Name, DefaultServiceName)
	d.string("service.bootstrapImage", &svc.BootstrapImage, DefaultBootstrapImage)
	d.string("service.dockerfile", &svc.Dockerfile, DefaultDockerfile)
	d.string("service.scanThreshold", &svc.ScanThreshold, DefaultScanThreshold)
	d.int("service.keepDeployedImages", &svc.KeepDeployedImages, DefaultKeepDeployedImages)
	d.int("service.containerPort", &svc.ContainerPort, DefaultContainerPort)
	d.string("service.healthCheckPath", &svc.HealthCheckPath, DefaultHealthCheckPath)
	return d
}

func (d defaulted) string(path string, field *string, value string) {
	if *field == "" {
		*field, d[path] = value, true
	}
}

func (d defaulted) int(path string, field *int, value int) {
	if *field == 0 {
		*field, d[path] = value, true
	}
}

func (d defaulted) bool(path string, field **bool, value bool) {
	if *field == nil {
		*field, d[path] = &value, true
	}
}

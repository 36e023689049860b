package config

// Defaults for the fields a config may leave out. They are production-leaning: a config that
// says nothing gets a highly available, protected environment.
const (
	DefaultBranch               = "main"
	DefaultProvider             = ProviderGitHub
	DefaultTaskCPU              = 512
	DefaultTaskMemoryMiB        = 1024
	DefaultMinCapacity          = 2
	DefaultMaxCapacity          = 6
	DefaultDBInstanceClass      = "db.r7g.large"
	DefaultDBInstances          = 2
	DefaultBackupRetentionDays  = 7
	DefaultServiceName          = "api"
	DefaultBootstrapImage       = "public.ecr.aws/nginx/nginx-unprivileged:stable-alpine"
	DefaultDockerfile           = "api/Dockerfile"
	DefaultScanThreshold        = "CRITICAL"
	DefaultKeepDeployedImages   = 30
	DefaultContainerPort        = 8080
	DefaultHealthCheckPath      = "/"
	DefaultStrategy             = StrategyBlueGreen
	DefaultBakeTimeMinutes      = 10
	DefaultStepPercent          = 10
	DefaultStepMinutes          = 5
	DefaultEngineVersion        = "16.6"
	DefaultPriceClass           = PriceClass100
	DefaultRateLimit            = 2000
	DefaultStaticPath           = "/static/*"
	DefaultHealthCheckInterval  = 30
	DefaultHealthCheckThreshold = 3
	DefaultTrafficDialPercent   = 100
	// AvailabilityZoneCount is how many AZs every VPC spans.
	AvailabilityZoneCount = 3
)

func applyDefaults(p *Platform) {
	setDefaultString(&p.Pipeline.Source.Branch, DefaultBranch)
	if cc := p.Pipeline.Source.CodeConnections; cc != nil {
		setDefaultString(&cc.Provider, DefaultProvider)
	}
	for i := range p.Environments {
		env := &p.Environments[i]
		if env.ManualApproval == nil {
			approval := i > 0 // everything after the first environment waits for a person
			env.ManualApproval = &approval
		}
		for j := range env.Regions {
			region := &env.Regions[j]
			if len(region.AvailabilityZones) == 0 {
				region.AvailabilityZones = defaultAvailabilityZones(region.Region)
			}
			if region.NatGateways == 0 {
				region.NatGateways = AvailabilityZoneCount
			}
			if region.TrafficDialPercent == nil {
				dial := DefaultTrafficDialPercent
				region.TrafficDialPercent = &dial
			}
			setDefaultString(&region.CloudFrontPrefixListID, cloudFrontPrefixLists[region.Region])
		}
		s := &env.Sizing
		setDefault(&s.TaskCPU, DefaultTaskCPU)
		setDefault(&s.TaskMemoryMiB, DefaultTaskMemoryMiB)
		setDefault(&s.MinCapacity, DefaultMinCapacity)
		setDefault(&s.MaxCapacity, DefaultMaxCapacity)
		setDefault(&s.DBInstances, DefaultDBInstances)
		setDefault(&s.BackupRetentionDays, DefaultBackupRetentionDays)
		setDefaultString(&s.DBInstanceClass, DefaultDBInstanceClass)
		setDefaultString(&env.Database.EngineVersion, DefaultEngineVersion)
		edge := &env.Edge
		setDefaultString(&edge.PriceClass, DefaultPriceClass)
		setDefault(&edge.RateLimit, DefaultRateLimit)
		if len(edge.StaticPaths) == 0 {
			edge.StaticPaths = []string{DefaultStaticPath}
		}
		setDefault(&edge.Accelerator.HealthCheckIntervalSeconds, DefaultHealthCheckInterval)
		setDefault(&edge.Accelerator.HealthCheckThreshold, DefaultHealthCheckThreshold)
		applyEventsDefaults(&env.Events)
		d := &env.Deployment
		setDefaultString(&d.Strategy, DefaultStrategy)
		setDefault(&d.BakeTimeMinutes, DefaultBakeTimeMinutes)
		setDefault(&d.StepPercent, DefaultStepPercent)
		setDefault(&d.StepMinutes, DefaultStepMinutes)
	}
	svc := &p.Service
	setDefaultString(&svc.Name, DefaultServiceName)
	setDefaultString(&svc.BootstrapImage, DefaultBootstrapImage)
	setDefaultString(&svc.Dockerfile, DefaultDockerfile)
	setDefaultString(&svc.ScanThreshold, DefaultScanThreshold)
	setDefault(&svc.KeepDeployedImages, DefaultKeepDeployedImages)
	setDefault(&svc.ContainerPort, DefaultContainerPort)
	setDefaultString(&svc.HealthCheckPath, DefaultHealthCheckPath)
}

func setDefaultString(field *string, value string) {
	if *field == "" {
		*field = value
	}
}

func setDefault(field *int, value int) {
	if *field == 0 {
		*field = value
	}
}

package config

// Defaults for the fields a config may leave out. They are production-leaning: a config that
// says nothing gets a highly available, protected environment.
const (
	DefaultBranch              = "main"
	DefaultTaskCPU             = 512
	DefaultTaskMemoryMiB       = 1024
	DefaultDesiredCount        = 2
	DefaultMinCapacity         = 2
	DefaultMaxCapacity         = 6
	DefaultDBInstanceClass     = "db.r7g.large"
	DefaultDBInstances         = 2
	DefaultBackupRetentionDays = 7
	// AvailabilityZoneCount is how many AZs every VPC spans.
	AvailabilityZoneCount = 3
)

func applyDefaults(p *Platform) {
	if p.Pipeline.Source.Branch == "" {
		p.Pipeline.Source.Branch = DefaultBranch
	}
	for i := range p.Environments {
		env := &p.Environments[i]
		for j := range env.Regions {
			region := &env.Regions[j]
			if len(region.AvailabilityZones) == 0 {
				region.AvailabilityZones = defaultAvailabilityZones(region.Region)
			}
			if region.NatGateways == 0 {
				region.NatGateways = AvailabilityZoneCount
			}
		}
		s := &env.Sizing
		setDefault(&s.TaskCPU, DefaultTaskCPU)
		setDefault(&s.TaskMemoryMiB, DefaultTaskMemoryMiB)
		setDefault(&s.DesiredCount, DefaultDesiredCount)
		setDefault(&s.MinCapacity, DefaultMinCapacity)
		setDefault(&s.MaxCapacity, DefaultMaxCapacity)
		setDefault(&s.DBInstances, DefaultDBInstances)
		setDefault(&s.BackupRetentionDays, DefaultBackupRetentionDays)
		if s.DBInstanceClass == "" {
			s.DBInstanceClass = DefaultDBInstanceClass
		}
	}
}

func setDefault(field *int, value int) {
	if *field == 0 {
		*field = value
	}
}

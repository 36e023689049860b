package config

import (
	"regexp"
	"strconv"

	"github.com/example/platform/internal/fargate"
	"github.com/example/platform/lib/limits"
)

var dbInstanceClassPattern = regexp.MustCompile(`^db\.[a-z][a-z0-9-]*\.[a-z0-9]+$`)

const (
	maxDBInstances = limits.AuroraMaxInstances
	maxTaskCount   = 1000
)

func validateSizing(path string, s Sizing, found *problems) {
	cpuPath, memoryPath := path+".taskCpu", path+".taskMemoryMiB"
	memories, cpuOK := fargate.MemorySizes(s.TaskCPU)
	if !cpuOK {
		found.addf(cpuPath, "%s is not a Fargate CPU size; use %s", found.value(cpuPath, s.TaskCPU), fargate.DescribeCPUSizes())
	} else if !fargate.Fits(s.TaskCPU, s.TaskMemoryMiB) {
		found.addf(memoryPath, "%s does not go with taskCpu %s; Fargate accepts %s MiB",
			found.shown(memoryPath, strconv.Itoa(s.TaskMemoryMiB)+" MiB"), found.value(cpuPath, s.TaskCPU), fargate.Describe(memories))
	}
	minPath, maxPath := path+".minCapacity", path+".maxCapacity"
	if s.MinCapacity < 1 || s.MinCapacity > maxTaskCount {
		found.addf(minPath, "%s: must be 1 to %d", found.value(minPath, s.MinCapacity), maxTaskCount)
	}
	if s.MaxCapacity < s.MinCapacity || s.MaxCapacity > maxTaskCount {
		found.addf(maxPath, "%s: must be from minCapacity (%s) to %d", found.value(maxPath, s.MaxCapacity), found.value(minPath, s.MinCapacity), maxTaskCount)
	}
	checkPattern(found, path+".dbInstanceClass", s.DBInstanceClass, dbInstanceClassPattern, "an Aurora instance class such as db.r7g.large")
	if s.DBInstances < 1 || s.DBInstances > maxDBInstances {
		found.addf(path+".dbInstances", "%s: must be 1 to %d (one writer and up to 15 readers)", found.value(path+".dbInstances", s.DBInstances), maxDBInstances)
	}
	if s.BackupRetentionDays < 1 || s.BackupRetentionDays > limits.AuroraMaxBackupRetentionDays {
		found.addf(path+".backupRetentionDays", "%s: Aurora keeps automated backups for 1 to %d days", found.value(path+".backupRetentionDays", s.BackupRetentionDays), limits.AuroraMaxBackupRetentionDays)
	}
}

func validateDeployment(path string, d Deployment, found *problems) {
	switch d.Strategy {
	case StrategyBlueGreen, StrategyLinear, StrategyCanary:
	default:
		found.addf(path+".strategy", "%s is not a strategy; use %s, %s or %s", found.quoted(path+".strategy", d.Strategy), StrategyBlueGreen, StrategyLinear, StrategyCanary)
	}
	// ECS accepts bake times up to 1440 minutes; beyond a day a deployment blocks the next.
	if d.BakeTimeMinutes < 1 || d.BakeTimeMinutes > limits.ECSMaxBakeMinutes {
		found.addf(path+".bakeTimeMinutes", "%s: must be 1 to %d", found.value(path+".bakeTimeMinutes", d.BakeTimeMinutes), limits.ECSMaxBakeMinutes)
	}
	if d.StepPercent < 1 || d.StepPercent > 99 {
		found.addf(path+".stepPercent", "%s: must be 1 to 99 (a share of traffic per step)", found.value(path+".stepPercent", d.StepPercent))
	}
	if d.StepMinutes < 1 || d.StepMinutes > limits.ECSMaxBakeMinutes {
		found.addf(path+".stepMinutes", "%s: must be 1 to %d", found.value(path+".stepMinutes", d.StepMinutes), limits.ECSMaxBakeMinutes)
	}
}

// globalDatabaseMajors are the Aurora PostgreSQL major versions that support global databases.
var globalDatabaseMajors = map[string]bool{"13": true, "14": true, "15": true, "16": true, "17": true}

var engineVersionPattern = regexp.MustCompile(`^[0-9]+\.[0-9]+$`)

func validateDatabase(path string, d Database, found *problems) {
	versionPath := path + ".engineVersion"
	switch {
	case !engineVersionPattern.MatchString(d.EngineVersion):
		found.addf(versionPath, "%s is not an Aurora PostgreSQL version; write major.minor, such as 16.6", found.quoted(versionPath, d.EngineVersion))
	case !globalDatabaseMajors[d.EngineMajorVersion()]:
		found.addf(versionPath, "%s: Aurora global databases need PostgreSQL 13 to 17", found.shown(versionPath, d.EngineVersion))
	}
	if userPath := path + ".masterUsername"; !masterUsernamePattern.MatchString(d.MasterUsername) || reservedUsernames[d.MasterUsername] {
		found.addf(userPath, "%s is not a master user name Aurora PostgreSQL accepts; give 1 to 63 letters, digits and underscores, starting with a letter, such as %s", found.quoted(userPath, d.MasterUsername), DefaultMasterUsername)
	}
	if intervalPath := path + ".monitoringIntervalSeconds"; !monitoringIntervals[d.MonitoringIntervalSeconds] {
		found.addf(intervalPath, "%s: Enhanced Monitoring samples every 1, 5, 10, 15, 30 or 60 seconds", found.value(intervalPath, d.MonitoringIntervalSeconds))
	}
}

var masterUsernamePattern = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]{0,62}$`)

// reservedUsernames are names Aurora PostgreSQL keeps for itself.
var reservedUsernames = map[string]bool{"rdsadmin": true, "rdsrepladmin": true, "rds_superuser": true}

// monitoringIntervals are the intervals RDS Enhanced Monitoring offers, in seconds.
var monitoringIntervals = map[int]bool{1: true, 5: true, 10: true, 15: true, 30: true, 60: true}

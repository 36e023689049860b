package config

import (
	"fmt"
	"slices"
	"strings"

	"github.com/example/platform/lib/limits"
)

// Backup configures an environment's AWS Backup plans: in each region, a vault and a plan that
// backs up the region's Aurora cluster, its table replica and (with Lake) its lake bucket, and
// copies every backup to the next region's vault. Every field has a default.
type Backup struct {
	// RetentionDays is how long a backup, and its copy in the next region, is kept, 1 to 36500.
	// Default: 35.
	RetentionDays int `json:"retentionDays,omitempty"`
	// FrequencyHours is how often a backup is taken: 1, 2, 3, 4, 6, 8, 12 or 24 (at 05:00 UTC).
	// Default: 24.
	FrequencyHours int `json:"frequencyHours,omitempty"`
	// Lake backs up the region's lake bucket too. Default: true.
	Lake *bool `json:"lake,omitempty"`
	// VaultLock makes the vaults write-once: no backup can be deleted before its retention ends.
	VaultLock VaultLock `json:"vaultLock,omitempty"`
}

// VaultLock configures AWS Backup Vault Lock on every vault of the environment.
type VaultLock struct {
	// Mode is governance (the default: a principal allowed to may still remove the lock) or
	// compliance (after ChangeableForDays nobody can, not even the root user or AWS).
	Mode string `json:"mode,omitempty"`
	// MinRetentionDays is the shortest retention a backup or copy written to the vault may
	// have; AWS Backup fails a job that asks for less. Default: retentionDays.
	MinRetentionDays int `json:"minRetentionDays,omitempty"`
	// ChangeableForDays is, in compliance mode, how long the lock can still be changed or
	// removed (its grace time) before it becomes immutable; at least 3. Default: 3.
	ChangeableForDays int `json:"changeableForDays,omitempty"`
}

// Drills configures the AWS FIS experiment templates each region gets. Every field has a default.
type Drills struct {
	// StopTaskPercent is the share of the service's running tasks the stop-tasks drill stops,
	// 1 to 100. Default: 50.
	StopTaskPercent int `json:"stopTaskPercent,omitempty"`
	// AZDisruptionMinutes is how long the AZ drill cuts one zone's task subnet off, 1 to 720.
	// Default: 10.
	AZDisruptionMinutes int `json:"azDisruptionMinutes,omitempty"`
}

// Vault lock modes.
const (
	LockGovernance = "governance"
	LockCompliance = "compliance"
)

// Defaults and bounds of backups and drills.
const (
	DefaultBackupPlanRetentionDays = 35
	DefaultBackupFrequencyHours    = 24
	DefaultBackupLake              = true
	DefaultVaultLockMode           = LockGovernance
	// DefaultChangeableForDays is AWS Backup's shortest grace time: it enforces a 72-hour
	// cooling-off period before a compliance lock becomes immutable.
	DefaultChangeableForDays = 3
	// MaxBackupRetentionDays is the longest retention Vault Lock accepts (36500 days).
	MaxBackupRetentionDays     = limits.VaultLockMaxRetentionDays
	DefaultStopTaskPercent     = 50
	DefaultAZDisruptionMinutes = 10
	// MaxAZDisruptionMinutes is FIS's longest action duration (12 hours).
	MaxAZDisruptionMinutes = limits.FISMaxActionMinutes
)

// BackupFrequencies are the hours between backups a plan may have: divisors of a day, so
// every region's backups run at the same hours.
var BackupFrequencies = []int{1, 2, 3, 4, 6, 8, 12, 24}

// LakeOn says whether the lake bucket is backed up.
func (b Backup) LakeOn() bool { return b.Lake != nil && *b.Lake }

// Compliance says whether the vault lock is in compliance mode.
func (l VaultLock) Compliance() bool { return l.Mode == LockCompliance }

func applyBackupAndDrillDefaults(d defaulted, path string, b *Backup, dr *Drills) {
	backup := path + ".backup"
	d.int(backup+".retentionDays", &b.RetentionDays, DefaultBackupPlanRetentionDays)
	d.int(backup+".frequencyHours", &b.FrequencyHours, DefaultBackupFrequencyHours)
	d.bool(backup+".lake", &b.Lake, DefaultBackupLake)
	lock := backup + ".vaultLock"
	d.string(lock+".mode", &b.VaultLock.Mode, DefaultVaultLockMode)
	d.int(lock+".minRetentionDays", &b.VaultLock.MinRetentionDays, b.RetentionDays)
	// A grace time exists only in compliance mode: a governance lock has no lock date.
	if b.VaultLock.Compliance() {
		d.int(lock+".changeableForDays", &b.VaultLock.ChangeableForDays, DefaultChangeableForDays)
	}
	drills := path + ".drills"
	d.int(drills+".stopTaskPercent", &dr.StopTaskPercent, DefaultStopTaskPercent)
	d.int(drills+".azDisruptionMinutes", &dr.AZDisruptionMinutes, DefaultAZDisruptionMinutes)
}

func validateBackupAndDrills(path string, env Environment, found *problems) {
	b, backup := env.Backup, path+".backup"
	if b.RetentionDays < 1 || b.RetentionDays > MaxBackupRetentionDays {
		found.addf(backup+".retentionDays", "%s: must be 1 to %d days (the longest retention Vault Lock accepts)",
			found.value(backup+".retentionDays", b.RetentionDays), MaxBackupRetentionDays)
	}
	if !slices.Contains(BackupFrequencies, b.FrequencyHours) {
		hours := make([]string, len(BackupFrequencies))
		for i, h := range BackupFrequencies {
			hours[i] = fmt.Sprint(h)
		}
		found.addf(backup+".frequencyHours", "%s: must divide a day; use one of %s",
			found.value(backup+".frequencyHours", b.FrequencyHours), strings.Join(hours, ", "))
	}
	l, lock := b.VaultLock, backup+".vaultLock"
	switch l.Mode {
	case LockGovernance, LockCompliance:
	default:
		found.addf(lock+".mode", "%s is not a lock mode; use %s or %s (which nobody can remove after its grace time)",
			found.quoted(lock+".mode", l.Mode), LockGovernance, LockCompliance)
	}
	minPath := lock + ".minRetentionDays"
	if l.MinRetentionDays < 1 || l.MinRetentionDays > b.RetentionDays {
		found.addf(minPath, "%s: must be 1 to retentionDays (%s): AWS Backup fails every backup and copy that a locked vault's minimum refuses",
			found.value(minPath, l.MinRetentionDays), found.value(backup+".retentionDays", b.RetentionDays))
	}
	gracePath := lock + ".changeableForDays"
	switch {
	case !l.Compliance() && l.ChangeableForDays != 0:
		found.addf(gracePath, "%d: only a compliance lock has a grace time; remove it, or set mode to %s", l.ChangeableForDays, LockCompliance)
	case l.Compliance() && l.ChangeableForDays < DefaultChangeableForDays:
		found.addf(gracePath, "%s: must be at least %d: AWS Backup enforces a 72-hour cooling-off period before a compliance lock takes effect",
			found.value(gracePath, l.ChangeableForDays), DefaultChangeableForDays)
	}
	if l.Compliance() && !env.Protected() {
		found.addf(lock+".mode", "%s cannot go with terminationProtection false: a compliance lock keeps every backup, and so the vault "+
			"and its fixed name, until the backups expire, so the environment could not be torn down and deployed again; use %s",
			LockCompliance, LockGovernance)
	}
	d, drills := env.Drills, path+".drills"
	if d.StopTaskPercent < 1 || d.StopTaskPercent > 100 {
		found.addf(drills+".stopTaskPercent", "%s: give a percentage from 1 to 100", found.value(drills+".stopTaskPercent", d.StopTaskPercent))
	}
	if d.AZDisruptionMinutes < 1 || d.AZDisruptionMinutes > MaxAZDisruptionMinutes {
		found.addf(drills+".azDisruptionMinutes", "%s: must be 1 to %d (FIS runs an action for at most 12 hours)",
			found.value(drills+".azDisruptionMinutes", d.AZDisruptionMinutes), MaxAZDisruptionMinutes)
	}
}

// BackupCopyRegion is where region's backups are copied: the next region of env in config
// order, the last region's to the primary. Every region's backups then survive the loss of
// their own region, in a region that already holds the environment's data, key and vault, and
// no region receives more than one other region's copies. A single-region environment has no
// other region: it returns "".
func (e Environment) BackupCopyRegion(region string) string {
	for i, r := range e.Regions {
		if r.Region == region && len(e.Regions) > 1 {
			return e.Regions[(i+1)%len(e.Regions)].Region
		}
	}
	return ""
}

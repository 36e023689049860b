package database

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/aws/constructs-go/constructs/v10"

	"github.com/example/platform/lib/limits"
	"github.com/example/platform/lib/props"
)

var (
	engineVersionPattern = regexp.MustCompile(`^[0-9]+\.[0-9]+$`)
	instanceClassPattern = regexp.MustCompile(`^db\.[a-z][a-z0-9-]*\.[a-z0-9]+$`)
	// identifierPattern is what RDS accepts as a cluster or global cluster identifier: 1 to 63
	// letters, digits and single hyphens, starting with a letter.
	identifierPattern = regexp.MustCompile(`^[a-zA-Z]([a-zA-Z0-9]|-[a-zA-Z0-9]){0,62}$`)
)

// Limits RDS and Secrets Manager set.
const (
	maxInstances       = limits.AuroraMaxInstances
	maxBackupRetention = limits.AuroraMaxBackupRetentionDays
	maxRotationDays    = 1000
)

// check fails with every problem of p, the way a construct fails: a panic naming its path.
func (p Props) check(c *props.Checker) {
	c.Require("Props.Vpc", p.Vpc != nil, "give the region's VPC (lib/network): the cluster goes in its isolated subnets")
	c.Require("Props.Key", p.Key != nil, "give the region's KMS key, which encrypts storage, Performance Insights and logs")
	if c.Require("Props.EngineVersion", p.EngineVersion != "", "give the Aurora PostgreSQL version, major.minor, such as 16.6") {
		major, _, _ := strings.Cut(p.EngineVersion, ".")
		switch {
		case !engineVersionPattern.MatchString(p.EngineVersion):
			c.Failf("Props.EngineVersion", "%q is not major.minor; give one such as 16.6", p.EngineVersion)
		case p.EngineMajorVersion != major:
			c.Failf("Props.EngineMajorVersion", "%q is not the major version of Props.EngineVersion %s; give %q", p.EngineMajorVersion, p.EngineVersion, major)
		}
	}
	if c.Require("Props.InstanceClass", p.InstanceClass != "", "give an Aurora instance class, such as db.r7g.large") && !instanceClassPattern.MatchString(p.InstanceClass) {
		c.Failf("Props.InstanceClass", "%q is not an instance class; give one such as db.r7g.large", p.InstanceClass)
	}
	if c.Require("Props.Instances", p.Instances != 0, "give the number of instances, 1 to 16") && (p.Instances < 1 || p.Instances > maxInstances) {
		c.Failf("Props.Instances", "%d: give 1 to %d (one writer and up to 15 readers)", p.Instances, maxInstances)
	}
	c.Require("Props.LogRetention", p.LogRetention != "", "give how long the PostgreSQL log is kept, such as awslogs.RetentionDays_THREE_MONTHS")
	if c.Require("Props.BackupRetentionDays", p.BackupRetentionDays != 0, "give how many days automated backups are kept, 1 to 35") &&
		(p.BackupRetentionDays < 1 || p.BackupRetentionDays > maxBackupRetention) {
		c.Failf("Props.BackupRetentionDays", "%d: Aurora keeps automated backups for 1 to %d days", p.BackupRetentionDays, maxBackupRetention)
	}
	if c.Require("Props.MonitoringIntervalSeconds", p.MonitoringIntervalSeconds != 0, "give how often Enhanced Monitoring samples, 1, 5, 10, 15, 30 or 60 seconds") &&
		!monitoringIntervals[p.MonitoringIntervalSeconds] {
		c.Failf("Props.MonitoringIntervalSeconds", "%d: Enhanced Monitoring samples every 1, 5, 10, 15, 30 or 60 seconds", p.MonitoringIntervalSeconds)
	}
	checkIdentifier(c, "Props.ClusterIdentifier", p.ClusterIdentifier, "acme-prod-us-east-1")
	for i, remote := range p.RemoteClients {
		c.CIDR(fmt.Sprintf("Props.RemoteClients[%d]", i), remote, "give another region's task subnet, such as 10.1.0.0/18")
	}
}

// monitoringIntervals are the intervals RDS Enhanced Monitoring offers, in seconds.
var monitoringIntervals = map[int]bool{1: true, 5: true, 10: true, 15: true, 30: true, 60: true}

func checkIdentifier(c *props.Checker, field, identifier, example string) {
	if c.Require(field, identifier != "", "give an RDS identifier such as "+example) && !identifierPattern.MatchString(identifier) {
		c.Failf(field, "%q is not an RDS identifier: 1 to 63 letters, digits and single hyphens, starting with a letter, such as %s", identifier, example)
	}
}

func (p PrimaryProps) check(scope constructs.Construct, id string) {
	c := props.Check(scope, id, "database.NewPrimary")
	p.Props.check(c)
	c.Require("Props.SecretName", p.SecretName != "", "name the master secret, such as acme/prod/database")
	if p.GlobalClusterIdentifier != "" {
		checkIdentifier(c, "Props.GlobalClusterIdentifier", p.GlobalClusterIdentifier, "acme-prod")
	} else if len(p.SecretReplicas) > 0 {
		c.Failf("Props.SecretReplicas", "%d replicas of a regional cluster's secret: replicas serve the secondary regions of a global database; "+
			"give Props.GlobalClusterIdentifier, or no replicas", len(p.SecretReplicas))
	} else if len(p.SecondaryClusterArns) > 0 {
		c.Failf("Props.SecondaryClusterArns", "%d secondary clusters of a regional cluster: secondaries are members of a global database; "+
			"give Props.GlobalClusterIdentifier, or no secondary clusters", len(p.SecondaryClusterArns))
	}
	c.Require("Props.MasterUsername", p.MasterUsername != "", "give the master user name, such as platform_admin")
	for i, r := range p.SecretReplicas {
		field := fmt.Sprintf("Props.SecretReplicas[%d]", i)
		c.Require(field+".Region", r.Region != "", "give the secondary region's code, such as eu-west-1")
		c.Require(field+".KeyArn", r.KeyArn != nil, "give the ARN of the region's key, which encrypts the replica")
	}
	if p.RotationDays < 0 || p.RotationDays > maxRotationDays {
		c.Failf("Props.RotationDays", "%v: give 1 to %d days, or 0 for the default", p.RotationDays, maxRotationDays)
	}
	c.Done()
}

func checkSecondary(scope constructs.Construct, id string, p Props) {
	c := props.Check(scope, id, "database.NewSecondary")
	p.check(c)
	checkIdentifier(c, "Props.GlobalClusterIdentifier", p.GlobalClusterIdentifier, "acme-prod")
	c.Done()
}

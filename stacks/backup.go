package stacks

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudwatch"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"
	"github.com/aws/jsii-runtime-go"

	"github.com/example/platform/lib/backup"
	"github.com/example/platform/lib/drills"
	"github.com/example/platform/lib/monitoring"
	"github.com/example/platform/lib/network"
	"github.com/example/platform/lib/service"
)

// Backups and drills: what makes the platform's recovery something to rehearse. Backups live in
// each region's data stack (they are stateful, and that stack is termination-protected where the
// environment is); drills in its app stack (stateless, beside what they break and the alarms
// that stop them). Neither adds a stack, so neither costs a pipeline action.

// newRegionBackups backs up the region's Aurora cluster, its table replica and (when the
// environment says so) its lake bucket into the region's locked vault, and copies every backup
// to the next region's vault (config's BackupCopyRegion). Resources are named by ARN, derived
// from config: a selection need not refer to the stores it backs up, and the lake lives in
// another stack.
func newRegionBackups(stack awscdk.Stack, place placement, key *KeysStack) *backup.Backups {
	p, env, region := place.platform, place.env, place.region.Region
	b := env.Backup
	var bucket, copyTo *string
	if b.LakeOn() {
		bucket = jsii.String("arn:aws:s3:::" + LakeBucketName(p.Name, env.Name, env.Account, region))
	}
	if to := env.BackupCopyRegion(region); to != "" {
		copyTo = jsii.String(BackupVaultArn(p.Name, env.Name, env.Account, to))
	}
	lock := backup.Lock{MinRetentionDays: float64(b.VaultLock.MinRetentionDays)}
	if b.VaultLock.Compliance() {
		lock.ChangeableForDays = float64(b.VaultLock.ChangeableForDays)
	}
	return backup.New(stack, "Backups", backup.Props{
		VaultName:      BackupVaultName(p.Name, env.Name),
		PlanName:       BackupPlanName(p.Name, env.Name),
		RoleName:       BackupRoleName(p.Name, env.Name, region),
		Key:            key.Key.Key,
		Cluster:        jsii.String(EnvironmentClusterArn(p.Name, env, region)),
		Table:          jsii.String(TableArn(env.Account, region, TableName(p.Name, env.Name))),
		Bucket:         bucket,
		RetentionDays:  float64(b.RetentionDays),
		FrequencyHours: float64(b.FrequencyHours),
		Lock:           lock,
		CopyTo:         copyTo,
	})
}

// drillStopSignals are the region-health signals whose alarms stop every drill: what users
// feel (server errors through either load balancer, and the service falling below its minimum
// of running tasks), plus the rollback alarm on task errors (10 a minute: it fires before the
// error rate does). Not the rollback alarm on unhealthy tasks: cutting a zone off makes its
// tasks fail their health checks, which is the drill working, not going wrong. Every one feeds
// the region's composite "region unhealthy" alarm. The drills name metric alarms rather than
// the composite: FIS's "Stop conditions for AWS FIS" documents a stop condition as a
// CloudWatch alarm's ARN without saying it accepts composite alarms, and takes at most five
// ("Quotas and limitations for AWS FIS").
var drillStopSignals = []string{"running-tasks", "public-5xx-rate", "internal-5xx-rate"}

// switchoverStopSignals stop the database switchover drill: a switchover refuses writes for a
// minute or two (SwitchoverGlobalCluster: "unavailable for a short time"), which the 5xx alarms
// count as errors, and FIS stopping then would not stop RDS. The running-tasks alarm stays
// quiet through it: the health route touches no dependency, so tasks keep passing their checks.
var switchoverStopSignals = []string{"running-tasks"}

// newRegionDrills creates the region's fault-injection drills.
func newRegionDrills(stack awscdk.Stack, place placement, net *network.Network, svc *service.Service, m *monitoring.Monitoring) *drills.Drills {
	p, env, region := place.platform, place.env, place.region.Region
	var stops []awscloudwatch.IAlarm
	for _, id := range drillStopSignals {
		stops = append(stops, m.Alarms[id])
	}
	for _, a := range svc.RollbackAlarms {
		// lib/service's Target5xxAlarm: <prefix>-rollback-5xx (TestDrills_StopOnWhatUsersFeel holds it).
		if *a.Node().Id() == "Target5xxAlarm" {
			stops = append(stops, a)
		}
	}
	props := drills.Props{
		StopTasksName:     DrillName(p.Name, env.Name, region, DrillStopTasks),
		AZNetworkName:     DrillName(p.Name, env.Name, region, DrillAZNetwork),
		Cluster:           svc.Cluster,
		Service:           svc.Service,
		StopTaskPercent:   float64(env.Drills.StopTaskPercent),
		Vpc:               net.Vpc,
		Subnets:           *net.Vpc.SelectSubnets(&awsec2.SubnetSelection{SubnetGroupName: jsii.String(network.PrivateSubnets)}).Subnets,
		DisruptionMinutes: float64(env.Drills.AZDisruptionMinutes),
		StopAlarms:        stops,
	}
	if global := globalClusterOf(p.Name, env); global != "" {
		// A regional cluster has no other region to switch over to: no switchover drill.
		props.GlobalClusterIdentifier, props.SwitchoverName = global, DrillName(p.Name, env.Name, region, DrillDatabaseSwitchover)
		props.TargetCluster = jsii.String(EnvironmentClusterArn(p.Name, env, region))
		for _, r := range env.Regions {
			props.MemberClusters = append(props.MemberClusters, jsii.String(EnvironmentClusterArn(p.Name, env, r.Region)))
		}
		for _, id := range switchoverStopSignals {
			props.SwitchoverStopAlarms = append(props.SwitchoverStopAlarms, m.Alarms[id])
		}
	}
	return drills.New(stack, "Drills", props)
}

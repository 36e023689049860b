package stacks

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscertificatemanager"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsecr"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsecs"
	"github.com/aws/jsii-runtime-go"

	"github.com/example/platform/lib/backup"
	"github.com/example/platform/lib/certificate"
	"github.com/example/platform/lib/config"
	"github.com/example/platform/lib/database"
	"github.com/example/platform/lib/drills"
	"github.com/example/platform/lib/edge"
	"github.com/example/platform/lib/logsearch"
	"github.com/example/platform/lib/monitoring"
	"github.com/example/platform/lib/network"
	"github.com/example/platform/lib/probes"
	"github.com/example/platform/lib/recovery"
	"github.com/example/platform/lib/service"
	"github.com/example/platform/lib/table"
)

// AppStack is a region's application tier. It is stateless: it may be destroyed and deployed
// again at any time, so it has no termination protection.
type AppStack struct {
	awscdk.Stack
	Service *service.Service
	// Monitoring is the region's alarms, dashboard and "region unhealthy" composite alarm.
	Monitoring *monitoring.Monitoring
	// Prometheus is the region's metric store; nil when the environment turns it off.
	Prometheus *monitoring.Prometheus
	// Drills are the region's fault-injection experiment templates (backup.go).
	Drills *drills.Drills
	// PublicURL is the output holding the public load balancer's address, for an environment
	// without the edge; nil with it.
	PublicURL awscdk.CfnOutput
	// Probe is the region's canary: the region's internal load balancer, called from inside
	// its VPC (stacks/probes.go).
	Probe *probes.Probe
	// WriterGate is in ALARM while the region's database is not the writer: in the primary
	// region of an environment with more than one, else nil.
	WriterGate *recovery.WriterGate
}

// appInputs are what the app stack takes from the stacks that deploy before it.
type appInputs struct {
	network *NetworkStack
	keys    *KeysStack
	// data is the region's data stack.
	data *DataStack
	// events is the region's events stack: the service publishes to its bus and stream and
	// works through its queue.
	events *EventsStack
	// lake is the region's lake stack: with log search, the service's logs go to its delivery
	// stream.
	lake *LakeStack
	// peeringRoutes send traffic back over the peering connections later regions requested.
	peeringRoutes []network.PeerRoute
}

var strategies = map[string]service.Strategy{
	config.StrategyBlueGreen: service.BlueGreen,
	config.StrategyLinear:    service.Linear,
	config.StrategyCanary:    service.Canary,
}

// NewAppStack builds the application tier of region.
func NewAppStack(stage awscdk.Stage, place placement, in appInputs) *AppStack {
	p, env := place.platform, place.env
	stack := newStack(stage, place, TierApp,
		fmt.Sprintf("%s %s application in %s: ECS Fargate blue/green behind two ALBs%s", p.Name, env.Name, place.region.Region, drillsNote(env)))

	image := serviceImage(stack, place)
	var prometheus *monitoring.Prometheus
	var metrics *service.MetricsStore
	if env.Monitoring.PrometheusOn() {
		prometheus = monitoring.NewPrometheus(stack, "Prometheus", MonitoringName(p.Name, env.Name, place.region.Region))
		metrics = &service.MetricsStore{Arn: prometheus.Arn, RemoteWriteURL: prometheus.RemoteWriteURL}
	}
	d := env.Deployment
	publicIngress, originHeader := publicEntry(place)
	svc := service.New(stack, "Service", service.Props{
		PublicIngress:   publicIngress,
		OriginHeader:    originHeader,
		Certificate:     originCertificate(stack, env, place.region),
		Vpc:             in.network.Network.Vpc,
		VpcCidr:         place.region.CIDR,
		Name:            p.Service.Name,
		Image:           image,
		ContainerPort:   float64(p.Service.ContainerPort),
		HealthCheckPath: p.Service.HealthCheckPath,
		CPU:             float64(env.Sizing.TaskCPU),
		MemoryMiB:       float64(env.Sizing.TaskMemoryMiB),
		MinCapacity:     float64(env.Sizing.MinCapacity),
		MaxCapacity:     float64(env.Sizing.MaxCapacity),
		Deployment: service.Deployment{
			Strategy:    strategies[d.Strategy],
			BakeTime:    awscdk.Duration_Minutes(jsii.Number(float64(d.BakeTimeMinutes))),
			StepPercent: float64(d.StepPercent),
			StepTime:    awscdk.Duration_Minutes(jsii.Number(float64(d.StepMinutes))),
		},
		Key:                in.keys.Key.Key,
		NamespaceName:      NamespaceName(p.Name, env.Name),
		DeletionProtection: env.Protected(),
		LogRetention:       logRetention(env),
		AlarmPrefix:        MonitoringName(p.Name, env.Name, place.region.Region),
		Metrics:            metrics,
		Environment:        serviceEnvironment(place, in),
	})
	svc.Service.Connections().AllowTo(in.data.Database.Cluster, awsec2.Port_Tcp(jsii.Number(database.Port)), jsii.String("PostgreSQL from the service"))
	for _, remote := range remoteDatabaseRanges(env, place.region.Region) {
		svc.Service.Connections().AllowTo(awsec2.Peer_Ipv4(jsii.String(remote)), awsec2.Port_Tcp(jsii.Number(database.Port)),
			jsii.String("PostgreSQL to the writer in another region, over VPC peering"))
	}
	if len(in.peeringRoutes) > 0 {
		network.NewPeerRoutes(stack, "PeeringReturnRoutes", in.network.Network.Vpc, in.peeringRoutes)
	}
	// The service puts events on its region's bus and records on its stream, and consumes its
	// work queue: nothing else of the event tier.
	in.events.Events.GrantPutEvents(svc.TaskRole)
	in.events.Events.GrantPutRecords(svc.TaskRole)
	in.events.Events.GrantConsumeWork(svc.TaskRole)
	// The service reads and writes the table, and connects to the database, in its region.
	table.GrantReadWriteData(stack, svc.TaskRole, TableName(p.Name, env.Name), in.keys.Key.Key)
	database.GrantClient(stack, svc.TaskRole, database.ClientProps{
		SecretName: DatabaseSecretName(p.Name, env.Name), GlobalClusterIdentifier: globalClusterOf(p.Name, env), Key: in.keys.Key.Key,
	})
	if in.lake != nil && in.lake.LogSearch != nil {
		// Every event of the service's log group (the application's, the collector's and
		// Service Connect's streams) is searchable in the region's collection.
		logsearch.NewSubscription(stack, "LogSearchSubscription", logsearch.SubscriptionProps{
			LogGroup: svc.Logs, DeliveryStreamArn: in.lake.LogSearch.DeliveryStream.AttrArn(),
		})
	}
	probe := newRegionProbe(stack, place, in.keys.Key.Key, in.network.Network.Vpc, svc)
	topic := regionAlerts(stack, place)
	regionMonitoring := newRegionMonitoring(stack, place, topic, svc, in.events)
	result := &AppStack{Stack: stack, Service: svc, Monitoring: regionMonitoring, Prometheus: prometheus, Probe: probe}
	if env.HasDrills() {
		result.Drills = newRegionDrills(stack, place, in.network.Network, svc, regionMonitoring)
	}
	if !env.HasEdge() {
		// The smoke test, and the people using the environment, reach it here.
		result.PublicURL = awscdk.NewCfnOutput(stack, jsii.String(PublicURLOutput), &awscdk.CfnOutputProps{
			Value:       awscdk.Fn_Join(jsii.String(""), &[]*string{jsii.String("http://"), svc.Public.LoadBalancer.LoadBalancerDnsName()}),
			Description: jsii.String("The region's public load balancer: the environment has no edge in front of it"),
		})
	}
	// The data stack's backups tell the region's alert topic, which lives here, when they fail.
	backup.NewJobAlerts(stack, "BackupJobAlerts", backup.JobAlertsProps{Topic: topic})
	if place.isPrimary() {
		newEnvironmentBudget(stack, place, topic)
		// The master secret rotates in the primary region only.
		database.NewRotationAlerts(stack, "RotationAlerts", database.RotationAlertsProps{Topic: topic})
	}
	if place.isPrimary() && len(env.Regions) > 1 {
		// Fires while the primary's cluster is not the writer; the edge's health check on it
		// moves the site's origin to the secondaries until the writer returns.
		result.WriterGate = recovery.NewWriterGate(stack, "WriterGate", recovery.WriterGateProps{
			AlarmName:         WriterGateAlarmName(p.Name, env.Name, place.region.Region),
			ClusterIdentifier: ClusterIdentifier(p.Name, env.Name, place.region.Region),
			Topic:             topic,
		})
	}
	return result
}

// drillsNote ends the app stack's description where the region has drills.
func drillsNote(env config.Environment) string {
	if env.HasDrills() {
		return ", fault-injection drills"
	}
	return ""
}

// publicEntry is who may reach the public load balancer, and the header it asks for: only
// CloudFront, with the origin header (Global Accelerator reaches the internal one); without the
// edge the public load balancer is the way in, open to any address (lib/service's default).
func publicEntry(place placement) ([]awsec2.IPeer, *service.Header) {
	p, env := place.platform, place.env
	if !env.HasEdge() {
		return nil, nil
	}
	return []awsec2.IPeer{awsec2.Peer_PrefixList(jsii.String(place.region.CloudFrontPrefixListID))},
		&service.Header{Name: OriginHeaderName, Value: edge.OriginSecretValue(OriginSecretName(p.Name, env.Name))}
}

// serviceImage is what the service runs: the release the pipeline built, once there is one,
// else the bootstrap image.
func serviceImage(stack awscdk.Stack, place placement) awsecs.ContainerImage {
	p := place.platform
	image := awsecs.ContainerImage_FromRegistry(jsii.String(p.Service.BootstrapImage), nil)
	if digest := p.Service.Digest(); digest != "" {
		// The release the pipeline built, by digest: the same image in every environment and
		// region, pulled from the tooling account's repository in this region.
		repository := awsecr.Repository_FromRepositoryAttributes(stack, jsii.String("Images"), &awsecr.RepositoryAttributes{
			RepositoryArn:  jsii.String(RepositoryArn(p.Name, p.Pipeline.Account, place.region.Region, p.Service.Name)),
			RepositoryName: jsii.String(RepositoryName(p.Name, p.Service.Name)),
		})
		image = awsecs.ContainerImage_FromEcrRepository(repository, jsii.String(digest))
	}
	return image
}

// serviceEnvironment tells the service where its region's database, table and event tier are.
func serviceEnvironment(place placement, in appInputs) map[string]*string {
	p, env := place.platform, place.env
	vars := map[string]*string{
		// Reads stay in the region.
		"DB_READER_ENDPOINT": in.data.Database.Cluster.ClusterReadEndpoint().Hostname(),
		"DB_SECRET_NAME":     jsii.String(DatabaseSecretName(p.Name, env.Name)),
		"TABLE_NAME":         jsii.String(TableName(p.Name, env.Name)),
		// Events stay in their region (docs/events.md): the service publishes
		// to its region's bus (source EVENT_SOURCE, detail-type <Entity>.<Verb>) or, in
		// bulk, to its region's stream, and takes work from its region's queue.
		"EVENT_BUS_NAME":    jsii.String(EventBusName(p.Name, env.Name)),
		"EVENT_SOURCE":      jsii.String(EventSource(p.Name, p.Service.Name)),
		"EVENT_STREAM_NAME": in.events.Events.Stream.StreamName(),
		"WORK_QUEUE_URL":    in.events.Events.WorkQueue.QueueUrl(),
		// Each task consumes the work queue beside serving requests (api/README.md).
		"WORKER": jsii.String("on"),
	}
	if global := globalClusterOf(p.Name, env); global != "" {
		// Writes go to the global cluster's writer endpoint, which follows the writer through
		// a switchover or failover (see writepath.go). The service looks it up from the
		// global cluster: CloudFormation cannot return it (GlobalEndpoint is no attribute
		// the template validator accepts, and the name carries a part Aurora generates).
		vars["DB_GLOBAL_CLUSTER"] = jsii.String(global)
	} else {
		// A regional cluster's writer endpoint is the cluster's own, which follows the writer
		// instance through a failover within the region: the service needs no lookup.
		vars["DB_WRITER_ENDPOINT"] = in.data.Database.Cluster.ClusterEndpoint().Hostname()
	}
	return vars
}

// originCertificate is the load balancers' certificate when the environment has a domain: the
// region's own origin name, the failover origin name CloudFront connects to, and the API name
// that Global Accelerator serves. Without a domain there is none (and no HTTPS to the origins).
func originCertificate(stack awscdk.Stack, env config.Environment, region config.Region) awscertificatemanager.ICertificate {
	if env.DNS == nil {
		return nil
	}
	domain := env.DNS.DomainName
	return certificate.New(stack, "OriginCertificate", certificate.Props{
		Names: []string{RegionalOriginName(domain, region.Region), OriginName(domain), APIName(domain)},
		Zone:  hostedZone(stack, env.DNS),
	})
}

package stacks

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscertificatemanager"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsdynamodb"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsecr"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsecs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsroute53"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssecretsmanager"
	"github.com/aws/jsii-runtime-go"

	"github.com/example/platform/lib/compliance"
	"github.com/example/platform/lib/config"
	"github.com/example/platform/lib/database"
	"github.com/example/platform/lib/edge"
	"github.com/example/platform/lib/network"
	"github.com/example/platform/lib/service"
)

// AppStack is a region's application tier. It is stateless: it may be destroyed and deployed
// again at any time, so it has no termination protection.
type AppStack struct {
	awscdk.Stack
	Service *service.Service
}

// appInputs are what the app stack takes from the stacks that deploy before it.
type appInputs struct {
	network *NetworkStack
	keys    *KeysStack
	// data is the region's data stack.
	data *DataStack
	// peeringRoutes send traffic back over the peering connections later regions requested.
	peeringRoutes []network.PeerRoute
}

var strategies = map[string]service.Strategy{
	config.StrategyBlueGreen: service.BlueGreen,
	config.StrategyLinear:    service.Linear,
	config.StrategyCanary:    service.Canary,
}

// NewAppStack builds the application tier of region.
func NewAppStack(stage awscdk.Stage, place placement, region config.Region, in appInputs) *AppStack {
	p, env := place.platform, place.env
	stack := newStack(stage, place, TierApp,
		fmt.Sprintf("%s %s application in %s: ECS Fargate blue/green behind two ALBs", p.Name, env.Name, place.region), false)

	image := awsecs.ContainerImage_FromRegistry(jsii.String(p.Service.BootstrapImage), nil)
	if digest := p.Service.Digest(); digest != "" {
		// The release the pipeline built, by digest: the same image in every environment and
		// region, pulled from the tooling account's repository in this region.
		repository := awsecr.Repository_FromRepositoryAttributes(stack, jsii.String("Images"), &awsecr.RepositoryAttributes{
			RepositoryArn:  jsii.String(RepositoryArn(p.Name, p.Pipeline.Account, place.region, p.Service.Name)),
			RepositoryName: jsii.String(RepositoryName(p.Name, p.Service.Name)),
		})
		image = awsecs.ContainerImage_FromEcrRepository(repository, jsii.String(digest))
	}
	d := env.Deployment
	svc := service.New(stack, "Service", service.Props{
		// Only CloudFront reaches the public load balancer, and only with the origin header;
		// Global Accelerator reaches the internal one.
		PublicIngress:   []awsec2.IPeer{awsec2.Peer_PrefixList(jsii.String(region.CloudFrontPrefixListID))},
		OriginHeader:    &service.Header{Name: OriginHeaderName, Value: originHeaderValue(p.Name, env.Name)},
		Certificate:     originCertificate(stack, env, region),
		Vpc:             in.network.Network.Vpc,
		VpcCidr:         region.CIDR,
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
		Environment: map[string]*string{
			// Writes go to the global cluster's writer endpoint, which follows the writer through
			// a switchover or failover (see writepath.go). The service looks it up from the
			// global cluster: CloudFormation cannot return it (GlobalEndpoint is no attribute
			// the template validator accepts, and the name carries a part Aurora generates).
			// Reads stay in the region.
			"DB_GLOBAL_CLUSTER":  jsii.String(GlobalClusterIdentifier(p.Name, env.Name)),
			"DB_READER_ENDPOINT": in.data.Database.Cluster.ClusterReadEndpoint().Hostname(),
			"DB_SECRET_NAME":     jsii.String(DatabaseSecretName(p.Name, env.Name)),
			"TABLE_NAME":         jsii.String(TableName(p.Name, env.Name)),
		},
	})
	svc.Service.Connections().AllowTo(in.data.Database.Cluster, awsec2.Port_Tcp(jsii.Number(database.Port)), jsii.String("PostgreSQL from the service"))
	for _, remote := range remoteDatabaseRanges(env, place.region) {
		svc.Service.Connections().AllowTo(awsec2.Peer_Ipv4(jsii.String(remote)), awsec2.Port_Tcp(jsii.Number(database.Port)),
			jsii.String("PostgreSQL to the writer in another region, over VPC peering"))
	}
	if len(in.peeringRoutes) > 0 {
		network.NewPeerRoutes(stack, "PeeringReturnRoutes", in.network.Network.Vpc, in.peeringRoutes)
	}
	grantData(stack, place, in, svc)
	return &AppStack{Stack: stack, Service: svc}
}

// originCertificate is the load balancers' certificate when the environment has a domain: the
// region's own origin name, the failover origin name CloudFront connects to, and the API name
// that Global Accelerator serves. Without a domain there is none (and no HTTPS to the origins).
func originCertificate(stack awscdk.Stack, env config.Environment, region config.Region) awscertificatemanager.ICertificate {
	if env.DNS == nil {
		return nil
	}
	domain := env.DNS.DomainName
	return awscertificatemanager.NewCertificate(stack, jsii.String("OriginCertificate"), &awscertificatemanager.CertificateProps{
		DomainName:              jsii.String(edge.RegionalOriginName(domain, region.Region)),
		SubjectAlternativeNames: jsii.Strings(edge.OriginName(domain), APIName(domain)),
		Validation:              awscertificatemanager.CertificateValidation_FromDns(hostedZone(stack, env.DNS)),
	})
}

// hostedZone is the environment's zone, named by config (no lookup).
func hostedZone(stack awscdk.Stack, dns *config.DNS) awsroute53.IHostedZone {
	return awsroute53.HostedZone_FromHostedZoneAttributes(stack, jsii.String("Zone"), &awsroute53.HostedZoneAttributes{
		HostedZoneId: jsii.String(dns.HostedZoneID), ZoneName: jsii.String(dns.DomainName),
	})
}

// grantData lets the service read and write the table and read the database secret in its
// region. It names them (every region has a replica of both under the same name) and grants
// decryption with the region's key on the task role: a grant on the secret's own construct
// would write the role into the key policy, making the keys stack depend on this one.
func grantData(stack awscdk.Stack, place placement, in appInputs, svc *service.Service) {
	p, env := place.platform, place.env
	table := awsdynamodb.TableV2_FromTableAttributes(stack, jsii.String("Table"), &awsdynamodb.TableAttributesV2{
		TableName: jsii.String(TableName(p.Name, env.Name)), EncryptionKey: in.keys.Key.Key,
	})
	table.GrantReadWriteData(svc.TaskRole)
	secret := awssecretsmanager.Secret_FromSecretNameV2(stack, jsii.String("DatabaseSecret"), jsii.String(DatabaseSecretName(p.Name, env.Name)))
	secret.GrantRead(svc.TaskRole, nil)
	in.keys.Key.Key.GrantDecrypt(svc.TaskRole)
	// The service looks up the global cluster's writer endpoint; RDS has no grant method for it.
	svc.TaskRole.AddToPrincipalPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions: jsii.Strings("rds:DescribeGlobalClusters"),
		Resources: jsii.Strings(*stack.FormatArn(&awscdk.ArnComponents{
			Service: jsii.String("rds"), Region: jsii.String(""), Resource: jsii.String("global-cluster"),
			ResourceName: jsii.String(GlobalClusterIdentifier(p.Name, env.Name)), ArnFormat: awscdk.ArnFormat_COLON_RESOURCE_NAME,
		})),
	}))
	compliance.Accept(svc.TaskRole, compliance.Accepted{Rule: "AwsSolutions-IAM5",
		AppliesTo: []string{"Action::kms:GenerateDataKey*", "Action::kms:ReEncrypt*", "/^Resource::arn:aws:secretsmanager:.*-\\?{6}$/"},
		Reason:    "Grant methods' KMS actions for the table's key, and the secret's ARN by name: Secrets Manager appends six random characters to a secret's ARN."})
}

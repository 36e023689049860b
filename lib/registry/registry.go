// Package registry builds the service's ECR repository in one region, and the account's
// registry replication that copies images from the primary region to the secondaries.
package registry

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsecr"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// Props configures a repository. RepositoryName and Key are required.
type Props struct {
	// RepositoryName is the same in every region: replication copies an image to the
	// repository of the same name in each destination region.
	RepositoryName string
	// Key encrypts the images.
	Key awskms.IKey
	// KeepImages is how many tagged images are kept; older ones expire. Default: 100.
	KeepImages int
}

// Registry is the service's image repository in one region.
type Registry struct {
	constructs.Construct
	Repository awsecr.Repository
}

// New creates the repository: immutable tags (a tag names one image forever, so a rollback
// redeploys exactly what ran before), scan on push, KMS encryption and a lifecycle that bounds
// its size. Images can be pushed again by the pipeline, so the repository is emptied and
// removed with its stack rather than orphaned.
func New(scope constructs.Construct, id string, props Props) *Registry {
	if props.KeepImages == 0 {
		props.KeepImages = 100
	}
	c := constructs.NewConstruct(scope, jsii.String(id))
	repository := awsecr.NewRepository(c, jsii.String("Repository"), &awsecr.RepositoryProps{
		RepositoryName:     jsii.String(props.RepositoryName),
		ImageTagMutability: awsecr.TagMutability_IMMUTABLE,
		ImageScanOnPush:    jsii.Bool(true),
		Encryption:         awsecr.RepositoryEncryption_KMS(),
		EncryptionKey:      props.Key,
		EmptyOnDelete:      jsii.Bool(true),
		RemovalPolicy:      awscdk.RemovalPolicy_DESTROY,
		LifecycleRules: &[]*awsecr.LifecycleRule{
			{RulePriority: jsii.Number(1), Description: jsii.String("Untagged layers of failed pushes"),
				TagStatus: awsecr.TagStatus_UNTAGGED, MaxImageAge: awscdk.Duration_Days(jsii.Number(7))},
			{RulePriority: jsii.Number(2), Description: jsii.String("Bound the repository's size"),
				TagStatus: awsecr.TagStatus_ANY, MaxImageCount: jsii.Number(float64(props.KeepImages))},
		},
	})
	return &Registry{Construct: c, Repository: repository}
}

// ReplicationRule copies repositories whose names start with RepositoryPrefix to Regions of
// the same account.
type ReplicationRule struct {
	RepositoryPrefix string
	Regions          []string
}

// NewReplication sets the registry replication of the scope's account and region. It is one
// setting per account and region (a second one replaces the first), so call it once per
// account and source region, with every rule that registry needs. CfnReplicationConfiguration
// is used because ECR has no L2 for it.
func NewReplication(scope constructs.Construct, id string, rules []ReplicationRule) awsecr.CfnReplicationConfiguration {
	account := awscdk.Stack_Of(scope).Account()
	cfnRules := make([]any, 0, len(rules))
	for _, rule := range rules {
		destinations := make([]any, 0, len(rule.Regions))
		for _, region := range rule.Regions {
			destinations = append(destinations, &awsecr.CfnReplicationConfiguration_ReplicationDestinationProperty{
				Region: jsii.String(region), RegistryId: account,
			})
		}
		cfnRules = append(cfnRules, &awsecr.CfnReplicationConfiguration_ReplicationRuleProperty{
			Destinations: destinations,
			RepositoryFilters: []any{&awsecr.CfnReplicationConfiguration_RepositoryFilterProperty{
				Filter: jsii.String(rule.RepositoryPrefix), FilterType: jsii.String("PREFIX_MATCH"),
			}},
		})
	}
	return awsecr.NewCfnReplicationConfiguration(scope, jsii.String(id), &awsecr.CfnReplicationConfigurationProps{
		ReplicationConfiguration: &awsecr.CfnReplicationConfiguration_ReplicationConfigurationProperty{Rules: cfnRules},
	})
}

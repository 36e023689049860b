// Package registry builds the service's image repository in one region of the tooling account:
// the pipeline pushes each release there once, every environment in that region pulls the same
// digest from it, and its lifecycle never expires an image an environment was deployed with
// until newer releases have replaced it many times over.
package registry

import (
	"fmt"
	"regexp"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsecr"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/example/platform/lib/props"
)

// Tags the pipeline gives images. Tags are immutable: each names one image forever.
const (
	// CommitTagPrefix starts the tag of the image built from a commit: git-<commit>.
	CommitTagPrefix = "git-"
	// DeployedTagPrefix starts the tags the pipeline adds once an environment runs an image:
	// deployed-<environment>-<time>. The lifecycle keeps these longest: they are what a rollback
	// goes back to.
	DeployedTagPrefix = "deployed-"
)

// Props configures a repository. RepositoryName, PullAccounts and KeepDeployed are required.
type Props struct {
	// RepositoryName is the same in every region, so a digest names the same image everywhere.
	RepositoryName string
	// PullAccounts are the environment accounts whose tasks run images from this region: their
	// principals may pull (each task execution role also needs its own grant, which CDK's
	// grantPull gives on the environment's side). Nobody else may.
	PullAccounts []string
	// KeepDeployed is how many images tagged DeployedTagPrefix are kept, at least 1. Required:
	// lib/config owns its default (service.keepDeployedImages).
	KeepDeployed int
	// KeepImages is how many images of any kind are kept; deployed images do not count against
	// it. Default: 100.
	KeepImages int
}

// Registry is the repository in one region.
type Registry struct {
	constructs.Construct
	Repository awsecr.Repository
}

var (
	// repositoryNamePattern is what ECR accepts as a repository name.
	repositoryNamePattern = regexp.MustCompile(`^[a-z0-9]+([._-][a-z0-9]+)*(/[a-z0-9]+([._-][a-z0-9]+)*)*$`)
	accountPattern        = regexp.MustCompile(`^[0-9]{12}$`)
)

// check fails with every problem of p, the way a construct fails: a panic naming its path.
func (p Props) check(scope constructs.Construct, id string) {
	c := props.Check(scope, id, "registry.New")
	if c.Require("Props.RepositoryName", p.RepositoryName != "", "name the repository, such as acme/api") &&
		(!repositoryNamePattern.MatchString(p.RepositoryName) || len(p.RepositoryName) > 256) {
		c.Failf("Props.RepositoryName", "%q is not a repository name; give lowercase words separated by / . _ or -, such as acme/api", p.RepositoryName)
	}
	c.Require("Props.PullAccounts", len(p.PullAccounts) > 0, "list the environment accounts whose tasks pull from this region")
	for i, account := range p.PullAccounts {
		if !accountPattern.MatchString(account) {
			c.Failf(fmt.Sprintf("Props.PullAccounts[%d]", i), "%q is not an account ID; give 12 digits, such as 111111111111", account)
		}
	}
	if c.Require("Props.KeepDeployed", p.KeepDeployed != 0, "give how many deployed images to keep for rollbacks (lib/config's service.keepDeployedImages)") && p.KeepDeployed < 1 {
		c.Failf("Props.KeepDeployed", "%d: keep at least 1", p.KeepDeployed)
	}
	if p.KeepImages < 0 {
		c.Failf("Props.KeepImages", "%d: keep at least 1, or leave it 0 for the default", p.KeepImages)
	}
	c.Done()
}

// New creates the repository: immutable tags, scanned on push, encrypted by ECR (AES-256: a
// customer managed key would need a grant in every pulling account's key policy as well), kept
// when its stack goes (except after a failed create, so a retry can reuse the name).
func New(scope constructs.Construct, id string, props Props) *Registry {
	props.check(scope, id)
	if props.KeepImages == 0 {
		props.KeepImages = 100
	}
	c := constructs.NewConstruct(scope, jsii.String(id))
	repository := awsecr.NewRepository(c, jsii.String("Repository"), &awsecr.RepositoryProps{
		RepositoryName:     jsii.String(props.RepositoryName),
		ImageTagMutability: awsecr.TagMutability_IMMUTABLE,
		ImageScanOnPush:    jsii.Bool(true),
		Encryption:         awsecr.RepositoryEncryption_AES_256(),
		RemovalPolicy:      awscdk.RemovalPolicy_RETAIN_ON_UPDATE_OR_DELETE,
		// An image matched by a rule is never expired by a later one (ECR lifecycle policies):
		// deployed images are counted apart, so the count of all images cannot take them.
		LifecycleRules: &[]*awsecr.LifecycleRule{
			{RulePriority: jsii.Number(1), Description: jsii.String("Images environments were deployed with: what a rollback goes back to"),
				TagPrefixList: jsii.Strings(DeployedTagPrefix), MaxImageCount: jsii.Number(float64(props.KeepDeployed))},
			{RulePriority: jsii.Number(2), Description: jsii.String("Untagged layers of failed pushes"),
				TagStatus: awsecr.TagStatus_UNTAGGED, MaxImageAge: awscdk.Duration_Days(jsii.Number(7))},
			{RulePriority: jsii.Number(3), Description: jsii.String("Bound the repository's size"),
				TagStatus: awsecr.TagStatus_ANY, MaxImageCount: jsii.Number(float64(props.KeepImages))},
		},
	})
	var pullers []awsiam.IPrincipal
	for _, account := range props.PullAccounts {
		pullers = append(pullers, awsiam.NewAccountPrincipal(jsii.String(account)))
	}
	repository.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:        jsii.String("EnvironmentAccountsPull"),
		Principals: &pullers,
		Actions:    jsii.Strings("ecr:BatchCheckLayerAvailability", "ecr:BatchGetImage", "ecr:GetDownloadUrlForLayer"),
	}))
	return &Registry{Construct: c, Repository: repository}
}

// Package baseline builds the security baseline of one account and region: a GuardDuty
// detector, Security Hub with its standards (and, in the account's home region, the finding
// aggregator of its other regions), an AWS Config recorder with its delivery channel, bucket
// and managed rules, the account's multi-region CloudTrail trail and its read-only auditor role
// (in the home region), and the alert topic that high-severity findings reach through
// EventBridge. Each service is the baseline's to create (Create), the organization's (Existing:
// none of its own resources, everything that needs it kept) or absent (Off: what needs it left
// out too).
//
// Each of the detector, hub, recorder, delivery channel and aggregator exists at most once per
// account-region (the aggregator once per account), and a second create fails: whoever composes
// this construct must give it each account-region once, and the account's home-region parts in
// one region only.
package baseline

import (
	"fmt"
	"regexp"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awscloudtrail"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsconfig"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsevents"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsguardduty"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssecurityhub"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/example/platform/lib/alerts"
	"github.com/example/platform/lib/logbucket"
	platformprops "github.com/example/platform/lib/props"
)

// Props configures one account-region's baseline. AlertDisplayName is required; every part is
// off unless asked for.
type Props struct {
	// AlertDisplayName is the sender of the alert e-mails.
	AlertDisplayName string
	// AlertEmails are subscribed to the alert topic.
	AlertEmails []string

	// GuardDuty is the account-region's detector: Create makes it; Existing and Create keep the
	// route of its high and critical findings.
	GuardDuty Mode
	// SecurityHub is the account-region's hub: Create enables it; Existing and Create keep the
	// route of its high and critical findings.
	SecurityHub Mode
	// SecurityHubStandards subscribes the hub to the AWS Foundational Security Best Practices
	// and CIS AWS Foundations standards: where the hub is the baseline's, or an existing hub the
	// organization's central configuration does not own. Needs SecurityHub.
	SecurityHubStandards bool
	// AggregatedRegions makes this region the account's Security Hub home region, aggregating
	// the findings of these (the account's other) regions. Needs SecurityHub Create (an
	// existing hub's aggregation is its owner's). Default: no aggregator.
	AggregatedRegions []string
	// Config is the account-region's recorder: Create makes the recorder of every supported
	// resource type, its delivery channel and bucket; Existing and Create keep the managed
	// rules (Rules), which need only a running recorder.
	Config Mode
	// RecordGlobalResources records the global resource types (IAM users, groups, roles and
	// policies) too: in exactly one region of the account. Needs Config Create.
	RecordGlobalResources bool
	// CloudTrail is the account's trail as seen from this region: Existing and Create keep the
	// root-activity route, which needs a trail to deliver management events to EventBridge;
	// Off leaves it out.
	CloudTrail Mode
	// Trail, when set, creates the account's multi-region trail here. Needs CloudTrail Create.
	Trail *TrailProps
	// Auditor, when set, creates the account's read-only auditor role.
	Auditor *AuditorProps
	// RetentionDays is how long the trail's log files and Config's files stay in their
	// buckets, at least 90; required with Config or Trail (lib/config owns its default).
	RetentionDays float64
}

// TrailProps configures the account's trail.
type TrailProps struct {
	// DataEventBuckets are the names of the buckets whose object-level reads and writes the
	// trail records (the data lake buckets), in any region.
	DataEventBuckets []string
}

// AuditorProps configures the auditor role. Both fields are required.
type AuditorProps struct {
	// RoleName is what auditors assume (a fixed name, so they can write it in their tools).
	RoleName string
	// Principals may assume the role: account IDs (whatever that account's IAM allows) or ARNs
	// of IAM roles or users.
	Principals []string
}

// Baseline is what one account-region's baseline holds. Parts that are off are nil.
type Baseline struct {
	constructs.Construct
	Detector        awsguardduty.CfnDetector
	Hub             awssecurityhub.CfnHub
	Standards       []awssecurityhub.CfnStandard
	Aggregator      awssecurityhub.CfnFindingAggregator
	Recorder        awsconfig.CfnConfigurationRecorder
	RecorderRole    awsiam.Role
	DeliveryChannel awsconfig.CfnDeliveryChannel
	ConfigBucket    awss3.Bucket
	Rules           []awsconfig.ManagedRule
	Trail           awscloudtrail.Trail
	TrailBucket     awss3.Bucket
	AuditorRole     awsiam.Role
	// Key encrypts the Config and trail buckets and the trail's log group; nil when neither
	// Config nor the trail is here.
	Key awskms.Key
	// AccessLogs receives the buckets' server access logs.
	AccessLogs awss3.Bucket
	// Alerts is the topic the finding routes publish to.
	Alerts *alerts.Alerts
	// Routes are the EventBridge rules that send findings and root activity to Alerts.
	Routes []awsevents.Rule
}

var regionPattern = regexp.MustCompile(`^[a-z]{2}(-[a-z]+)+-[0-9]$`)

// New creates the baseline of scope's account and region.
func New(scope constructs.Construct, id string, props Props) *Baseline {
	props.check(scope, id)
	c := constructs.NewConstruct(scope, jsii.String(id))
	b := &Baseline{Construct: c}
	if props.Config == Create || props.Trail != nil {
		b.Key = newAuditKey(c, props.Trail != nil)
		b.AccessLogs = logbucket.New(c, "AccessLogs", props.RetentionDays)
	}
	if props.Config == Create {
		b.newRecorder(c, props)
	}
	if props.Config.Runs() {
		b.newRules(c)
	}
	if props.GuardDuty == Create {
		b.Detector = newDetector(c)
	}
	if props.SecurityHub == Create {
		b.newHub(c, props.AggregatedRegions)
	}
	if props.SecurityHubStandards {
		b.newStandards(c)
	}
	if props.Trail != nil {
		b.newTrail(c, *props.Trail, props.RetentionDays)
	}
	if props.Auditor != nil {
		b.newAuditorRole(c, *props.Auditor)
	}
	b.newRoutes(c, props)
	return b
}

// check fails with every problem of p, the way a construct fails: a panic naming its path.
func (p Props) check(scope constructs.Construct, id string) {
	c := platformprops.Check(scope, id, "baseline.New")
	c.Require("Props.AlertDisplayName", p.AlertDisplayName != "", "it is the sender people see on the finding e-mails")
	if len(p.AggregatedRegions) > 0 && p.SecurityHub != Create {
		c.Failf("Props.AggregatedRegions", "needs SecurityHub Create, not %s: the aggregator collects findings into this region's hub, "+
			"and an existing hub's aggregation is its owner's", p.SecurityHub)
	}
	if p.SecurityHubStandards && !p.SecurityHub.Runs() {
		c.Failf("Props.SecurityHubStandards", "needs SecurityHub: a standard is subscribed in a hub")
	}
	if p.Trail != nil && p.CloudTrail != Create {
		c.Failf("Props.Trail", "needs CloudTrail Create, not %s", p.CloudTrail)
	}
	for i, region := range p.AggregatedRegions {
		if !regionPattern.MatchString(region) {
			c.Failf(fmt.Sprintf("Props.AggregatedRegions[%d]", i), "%q is not a region code such as eu-west-1", region)
		}
	}
	if p.RecordGlobalResources && p.Config != Create {
		c.Failf("Props.RecordGlobalResources", "needs Config Create: global resources are recorded by this region's own recorder")
	}
	if a := p.Auditor; a != nil {
		c.Require("Props.Auditor.RoleName", a.RoleName != "", "name the role auditors assume")
		c.Principals("Props.Auditor.Principals", a.Principals)
	}
	if (p.Config == Create || p.Trail != nil) &&
		c.Require("Props.RetentionDays", p.RetentionDays != 0, "give how long the audit files stay (lib/config's baseline.retentionDays)") &&
		p.RetentionDays < minRetentionDays {
		c.Failf("Props.RetentionDays", "%v: keep audit files at least %d days", p.RetentionDays, minRetentionDays)
	}
	c.Done()
}

// minRetentionDays is the least time audit files are kept.
const minRetentionDays = 90

// region and account of the construct's stack, which the baseline's policies name.
func where(c constructs.Construct) (account, region string) {
	stack := awscdk.Stack_Of(c)
	return *stack.Account(), *stack.Region()
}

// Package probes builds a CloudWatch Synthetics canary that calls the platform from where it
// runs (the site through CloudFront, the API through Global Accelerator, a region's health route
// through the edge, or a region's own load balancer from inside its VPC), its artifacts bucket,
// its execution role and, in a VPC, its security group; and the SSM parameters that tell
// canaries where to call.
//
// An address is either known at synthesis (Address.URL: a load balancer of the canary's own
// stack) or read at run time from a parameter of a fixed name that the stack making it writes
// (PublishAddress): without a domain the CloudFront and Global Accelerator names are generated
// in other stacks, in other regions. A canary that reads parameters deploys after the stacks
// that write them, so a parameter that does not exist when it runs is a failure, not a skip: a
// canary never passes without calling what it watches.
package probes

import (
	_ "embed"
	"encoding/json"
	"fmt"
	"regexp"
	"strings"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsiam"
	"github.com/aws/aws-cdk-go/awscdk/v2/awskms"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssynthetics"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/example/platform/lib/buckets"
	"github.com/example/platform/lib/compliance"
	"github.com/example/platform/lib/limits"
	"github.com/example/platform/lib/props"
)

// Runtime is the Synthetics runtime every canary runs, pinned: the newest Node.js runtime the
// Synthetics guide lists as supported ("Runtime versions using Node.js and Puppeteer": the most
// recent; absent from "Runtime versions support policy"'s deprecation table). A runtime is
// deprecated about yearly, after which a canary keeps running but can no longer be updated:
// move to the newest when Synthetics e-mails (60 days ahead). The script launches no browser;
// it uses Node's fetch (Node.js 18 and later) and the AWS SDK v3 the Lambda runtime ships.
const Runtime = "syn-nodejs-puppeteer-15.0"

// MaxNameLength is the longest canary name the platform gives. CreateCanary accepts 255
// characters today (it took 21 until 2025), but Synthetics names the canary's Lambda function,
// log group and console role after the first 21 characters (DeleteCanary), so names that share
// them are told apart only by a generated suffix.
const MaxNameLength = 21

// Memory of each run: the least Synthetics allows (RunConfig.MemoryInMB, 960 to 3008, in steps of
// 64). The script starts no browser.
const memoryMiB = 960

// Timeout of a run: at most the interval between runs (RunConfig.TimeoutInSeconds), and never
// less than a minute, so that a run on a one-minute schedule still has room for a cold start.
const timeoutSeconds = 60

// MaxRetries is how often Synthetics runs a failed run again at once ("Configuring your canary
// to retry automatically": 0 to 2, on syn-nodejs-puppeteer-10.0 and later; with 2 the run's
// timeout must stay under 600 s, RetryConfigInput): the most, so that a run fails only when
// three attempts in a row do, which one lost zone of three rarely makes happen and a failing
// region always does (lib/monitoring's canaryPassed has the numbers).
const MaxRetries = 2

// RequestTimeoutMs is how long one check waits for an answer.
const RequestTimeoutMs = 10000

// ChecksVariable and TimeoutVariable configure the script (canary.js).
const (
	ChecksVariable  = "PROBE_CHECKS"
	TimeoutVariable = "PROBE_TIMEOUT_MS"
)

//go:embed canary.js
var script string

// Script is the canary's code, for tests that run it.
func Script() string { return script }

// Address is where a check finds the URL it calls: give either URL, or Parameter and Region.
type Address struct {
	// URL is the base URL, such as http://<load balancer's DNS name>, when synthesis has it (a
	// token of the canary's own stack is fine). A check with a URL reads no parameter.
	URL *string
	// HostName, with URL, is the name the check presents (TLS server name and Host header) when
	// the URL's host is not one the server's certificate names, such as a load balancer's own
	// DNS name behind a certificate for the API's name. Default: the URL's host.
	HostName string
	// Parameter is the SSM parameter (a name starting with /) that holds the base URL, such as
	// https://example.com, written by PublishAddress in the stack that makes the address.
	Parameter string
	// Region is the parameter's region.
	Region string
	// Known is the base URL when synthesis knows it (a domain from config): the check calls it
	// when the parameter exists but cannot be read (SSM failing in its region). Default: none;
	// the check then fails.
	Known string
}

// Check is one URL a canary calls.
type Check struct {
	// Name names the step in the run's report: lowercase words joined by hyphens, such as site,
	// api or health-us-east-1.
	Name    string
	Address Address
	// Path follows the base URL: /, /health, /.platform/health/us-east-1.
	Path string
}

// Props configures a canary. Every field is required but Vpc.
type Props struct {
	// Name is the canary's name: 1 to MaxNameLength of a-z, 0-9, - and _, unique in the account
	// and region (a canary kept under it blocks the next create).
	Name string
	// Checks are what each run calls, in order.
	Checks []Check
	// Key encrypts the artifacts (the run's log and report).
	Key awskms.IKey
	// Every is the interval between runs: whole minutes, 1 to 60.
	Every awscdk.Duration
	// RetentionDays is how long Synthetics keeps the runs and the bucket their artifacts,
	// 1 to 455 days.
	RetentionDays float64
	// Vpc, when set, runs the canary in the VPC's private subnets with egress, in a security
	// group of its own (Probe.SecurityGroup) that may send HTTPS out (its artifacts to S3 and
	// its metrics to CloudWatch, through the VPC's endpoints and NAT) and nothing else until the
	// caller opens it to what the canary calls. Default: outside any VPC.
	Vpc awsec2.IVpc
}

// Probe is a canary and what it owns.
type Probe struct {
	constructs.Construct
	Canary awssynthetics.Canary
	// Artifacts is the canary's artifacts bucket: its own, so that its role writes nowhere else.
	Artifacts awss3.Bucket
	// Role is the canary's execution role.
	Role awsiam.Role
	// Name is the canary's name (Props.Name).
	Name string
	// SecurityGroup is the canary's own group in Props.Vpc; nil without one.
	SecurityGroup awsec2.SecurityGroup
}

var (
	namePattern  = regexp.MustCompile(`^[0-9a-z_-]+$`)
	stepPattern  = regexp.MustCompile(`^[a-z0-9]+(-[a-z0-9]+)*$`)
	maxRetention = float64(limits.SyntheticsMaxRetentionDays)
)

// check fails with every problem of p, the way a construct fails: a panic naming its path.
func (p Props) check(scope constructs.Construct, id string) {
	c := props.Check(scope, id, "probes.New")
	if c.Require("Props.Name", p.Name != "", "name the canary, such as acme-prod-1a2b3c (CanaryName derives one)") {
		if len(p.Name) > MaxNameLength || !namePattern.MatchString(p.Name) {
			c.Failf("Props.Name", "%q: give 1 to %d of a-z, 0-9, - and _ (Synthetics names the canary's function and log group after its first %d characters)",
				p.Name, MaxNameLength, MaxNameLength)
		}
	}
	c.Require("Props.Checks", len(p.Checks) > 0, "list what the canary calls, such as the site's root")
	seen := map[string]bool{}
	for i, check := range p.Checks {
		field := fmt.Sprintf("Props.Checks[%d]", i)
		switch {
		case !stepPattern.MatchString(check.Name):
			c.Failf(field+".Name", "%q: give lowercase words joined by hyphens, such as health-us-east-1", check.Name)
		case seen[check.Name]:
			c.Failf(field+".Name", "%q is used twice; each check is one step of the run's report", check.Name)
		}
		seen[check.Name] = true
		if a := check.Address; a.URL != nil {
			if a.Parameter != "" || a.Region != "" || a.Known != "" {
				c.Failf(field+".Address", "give either URL, or Parameter and Region (and Known), not both")
			}
			if !*awscdk.Token_IsUnresolved(a.URL) && !strings.HasPrefix(*a.URL, "https://") && !strings.HasPrefix(*a.URL, "http://") {
				c.Failf(field+".Address.URL", "%q: give a base URL such as http://<load balancer>", *a.URL)
			}
			if a.HostName != "" && strings.ContainsAny(a.HostName, "/: ") {
				c.Failf(field+".Address.HostName", "%q: give a host name such as api.example.com", a.HostName)
			}
		} else {
			if !strings.HasPrefix(a.Parameter, "/") {
				c.Failf(field+".Address.Parameter", "%q: give the SSM parameter's name, starting with /", a.Parameter)
			}
			c.Require(field+".Address.Region", a.Region != "", "give the parameter's region, such as us-east-1")
			if a.HostName != "" {
				c.Failf(field+".Address.HostName", "only a check with a URL presents a host name")
			}
		}
		if known := check.Address.Known; known != "" && !strings.HasPrefix(known, "https://") && !strings.HasPrefix(known, "http://") {
			c.Failf(field+".Address.Known", "%q: give a base URL such as https://example.com, or nothing", known)
		}
		if !strings.HasPrefix(check.Path, "/") {
			c.Failf(field+".Path", "%q: give a path starting with /", check.Path)
		}
	}
	c.Require("Props.Key", p.Key != nil, "give the key that encrypts the artifacts")
	if c.Require("Props.Every", p.Every != nil, "give the interval between runs, such as awscdk.Duration_Minutes(5)") && !*p.Every.IsUnresolved() {
		if minutes := *p.Every.ToMinutes(&awscdk.TimeConversionOptions{Integral: jsii.Bool(false)}); minutes < 1 || minutes > 60 || minutes != float64(int(minutes)) {
			c.Failf("Props.Every", "%v minutes: give whole minutes, 1 to 60", minutes)
		}
	}
	if p.RetentionDays < 1 || p.RetentionDays > maxRetention || p.RetentionDays != float64(int(p.RetentionDays)) {
		c.Failf("Props.RetentionDays", "%v: give whole days, 1 to %v (what Synthetics keeps runs for)", p.RetentionDays, maxRetention)
	}
	c.Done()
}

// New creates the canary, its role and its artifacts bucket.
func New(scope constructs.Construct, id string, p Props) *Probe {
	p.check(scope, id)
	c := constructs.NewConstruct(scope, jsii.String(id))
	retention := awscdk.Duration_Days(jsii.Number(p.RetentionDays))

	bucket := newArtifacts(c, p, retention)
	role := newRole(c, p, bucket)

	var network *vpcPlacement
	if p.Vpc != nil {
		network = inVpc(c, p, role)
	}

	checks, err := json.Marshal(scriptChecks(p.Checks))
	if err != nil {
		panic(err)
	}
	canary := awssynthetics.NewCanary(c, jsii.String("Canary"), &awssynthetics.CanaryProps{
		CanaryName: jsii.String(p.Name),
		Runtime:    awssynthetics.NewRuntime(jsii.String(Runtime), awssynthetics.RuntimeFamily_NODEJS),
		Test: awssynthetics.Test_Custom(&awssynthetics.CustomTestOptions{
			Code: awssynthetics.Code_FromInline(jsii.String(script)), Handler: jsii.String("index.handler"),
		}),
		Schedule:                awssynthetics.Schedule_Rate(p.Every),
		Role:                    role,
		ArtifactsBucketLocation: &awssynthetics.ArtifactsBucketLocation{Bucket: bucket},
		SuccessRetentionPeriod:  retention,
		FailureRetentionPeriod:  retention,
		Memory:                  awscdk.Size_Mebibytes(jsii.Number(memoryMiB)),
		Timeout:                 awscdk.Duration_Seconds(jsii.Number(timeoutSeconds)),
		EnvironmentVariables: &map[string]*string{
			ChecksVariable:  jsii.String(string(checks)),
			TimeoutVariable: jsii.String(fmt.Sprint(RequestTimeoutMs)),
		},
		// Synthetics deletes the Lambda function and layers it made when the canary goes
		// (ProvisionedResourceCleanup AUTOMATIC).
		ProvisionedResourceCleanup: jsii.Bool(true),
		StartAfterCreation:         jsii.Bool(true),
		MaxRetries:                 jsii.Number(MaxRetries),
		Vpc:                        network.vpc(),
		VpcSubnets:                 network.subnets(),
		SecurityGroups:             network.groups(),
	})
	// Artifacts encrypted with the key (SSE-KMS). Set on the resource rather than through the
	// construct's artifactS3KmsKey, which would grant the role kms:Encrypt and kms:ReEncrypt* as
	// well: writing objects under SSE-KMS takes kms:GenerateDataKey, and kms:Decrypt for a
	// multipart upload ("Encrypting canary artifacts": the role must be able to encrypt with the
	// key; the people reading artifacts need kms:Decrypt through their own policies).
	canary.Node().DefaultChild().(awssynthetics.CfnCanary).SetArtifactConfig(&awssynthetics.CfnCanary_ArtifactConfigProperty{
		S3Encryption: &awssynthetics.CfnCanary_S3EncryptionProperty{EncryptionMode: jsii.String("SSE_KMS"), KmsKeyArn: p.Key.KeyArn()},
	})
	role.AddToPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions: jsii.Strings("kms:GenerateDataKey", "kms:Decrypt"), Resources: &[]*string{p.Key.KeyArn()},
	}))
	// The canary starts running when it is created: it waits for its role's policy, or its
	// first runs could not write their artifacts and metrics.
	canary.Node().AddDependency(role)
	compliance.Accept(role, compliance.Accepted{Rule: "AwsSolutions-IAM5",
		AppliesTo: []string{
			"Resource::*", `/^Resource::<.*Artifacts.*\.Arn>\/\*$/`, `/^Resource::arn:aws:logs:.*:log-group:\/aws\/lambda\/cwsyn-.*-\*$/`,
		},
		Reason: "What Synthetics requires of a canary's role, narrowed where IAM can: s3:ListAllMyBuckets has no resource, nor have a VPC canary's network-interface actions (Lambda attaches its function to the VPC with them); PutMetricData is held to the CloudWatchSynthetics namespace by condition; the objects of the canary's own bucket; the log group Lambda creates for this canary's function (its name ends with an ID Synthetics generates)."})
	probe := &Probe{Construct: c, Canary: canary, Artifacts: bucket, Role: role, Name: p.Name}
	if network != nil {
		probe.SecurityGroup = network.group
	}
	return probe
}

// newArtifacts is the canary's own bucket.
func newArtifacts(c constructs.Construct, p Props, retention awscdk.Duration) awss3.Bucket {
	// The canary's own bucket: encrypted with the key, private, TLS only, writable by the
	// canary's role alone, emptied after the runs' retention. Kept when the stack goes, like the
	// platform's other log buckets (CloudFormation cannot delete a bucket with objects in it);
	// its name is generated, so a kept bucket never blocks the next create.
	bucket := awss3.NewBucket(c, jsii.String("Artifacts"), buckets.Private(&awss3.BucketProps{
		Encryption:       awss3.BucketEncryption_KMS,
		EncryptionKey:    p.Key,
		BucketKeyEnabled: jsii.Bool(true),
		// Versioned, as Control Tower's CT.S3.PR.11 asks; an overwritten file goes a day later.
		Versioned: jsii.Bool(true),
		LifecycleRules: &[]*awss3.LifecycleRule{{
			Expiration:                          retention,
			NoncurrentVersionExpiration:         awscdk.Duration_Days(jsii.Number(1)),
			AbortIncompleteMultipartUploadAfter: awscdk.Duration_Days(jsii.Number(1)),
		}},
		RemovalPolicy: awscdk.RemovalPolicy_RETAIN,
	}))
	compliance.Accept(bucket, compliance.Accepted{Rule: "AwsSolutions-S1",
		Reason: "The bucket holds only its canary's run artifacts, which only the canary's role may write; server access logs would record those writes every few minutes and nothing else."})
	return bucket
}

// newRole is the canary's execution role; only it may write the canary's artifacts.
func newRole(c constructs.Construct, p Props, bucket awss3.Bucket) awsiam.Role {
	stack := awscdk.Stack_Of(c)
	role := awsiam.NewRole(c, jsii.String("Role"), &awsiam.RoleProps{
		AssumedBy:   awsiam.NewServicePrincipal(jsii.String("lambda.amazonaws.com"), nil),
		Description: jsii.String("Runs the canary " + p.Name + ": writes its artifacts and metrics, reads the addresses it calls"),
	})
	// What CreateCanary requires of an execution role (ExecutionRoleArn), each narrowed to this
	// canary: its bucket, its metric namespace, its own log group.
	role.AddToPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions: jsii.Strings("s3:PutObject"), Resources: jsii.Strings(*bucket.ArnForObjects(jsii.String("*"))),
	}))
	role.AddToPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions: jsii.Strings("s3:GetBucketLocation"), Resources: &[]*string{bucket.BucketArn()},
	}))
	role.AddToPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions: jsii.Strings("s3:ListAllMyBuckets"), Resources: jsii.Strings("*"),
	}))
	role.AddToPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions: jsii.Strings("cloudwatch:PutMetricData"), Resources: jsii.Strings("*"),
		Conditions: &map[string]any{"StringEquals": map[string]any{"cloudwatch:namespace": "CloudWatchSynthetics"}},
	}))
	role.AddToPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Actions:   jsii.Strings("logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"),
		Resources: jsii.Strings(LogGroupArn(*stack.Region(), *stack.Account(), p.Name)),
	}))
	parameters := map[string]bool{}
	for _, check := range p.Checks {
		if check.Address.URL != nil {
			continue
		}
		arn := ParameterArn(check.Address.Region, *stack.Account(), check.Address.Parameter)
		if !parameters[arn] {
			parameters[arn] = true
			role.AddToPolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
				Actions: jsii.Strings("ssm:GetParameter"), Resources: jsii.Strings(arn),
			}))
		}
	}
	// Only the canary writes its artifacts: a bucket policy refuses anyone else's objects.
	bucket.AddToResourcePolicy(awsiam.NewPolicyStatement(&awsiam.PolicyStatementProps{
		Sid:        jsii.String("OnlyTheCanaryWritesArtifacts"),
		Effect:     awsiam.Effect_DENY,
		Principals: &[]awsiam.IPrincipal{awsiam.NewAnyPrincipal()},
		Actions:    jsii.Strings("s3:PutObject"),
		Resources:  jsii.Strings(*bucket.ArnForObjects(jsii.String("*"))),
		Conditions: &map[string]any{"ArnNotEquals": map[string]any{"aws:PrincipalArn": role.RoleArn()}},
	}))
	return role
}

// scriptCheck is a check as canary.js reads it from PROBE_CHECKS.
type scriptCheck struct {
	Name      string `json:"name"`
	Parameter string `json:"parameter"`
	Region    string `json:"region"`
	Path      string `json:"path"`
	Known     string `json:"known,omitempty"`
	URL       string `json:"url,omitempty"`
	Host      string `json:"host,omitempty"`
}

func scriptChecks(checks []Check) []scriptCheck {
	out := make([]scriptCheck, len(checks))
	for i, c := range checks {
		out[i] = scriptCheck{Name: c.Name, Parameter: c.Address.Parameter, Region: c.Address.Region, Path: c.Path, Known: c.Address.Known, Host: c.Address.HostName}
		if c.Address.URL != nil {
			out[i].URL = *c.Address.URL
		}
	}
	return out
}

// LogGroupArn is the log group Lambda creates for a canary's function, /aws/lambda/cwsyn-<name>-<id>
// (DeleteCanary: Synthetics names it after the canary's first 21 characters).
func LogGroupArn(region, account, canary string) string {
	return fmt.Sprintf("arn:aws:logs:%s:%s:log-group:/aws/lambda/cwsyn-%s-*", region, account, canary)
}

// ParameterArn is the ARN of the SSM parameter name (starting with /) in region.
func ParameterArn(region, account, name string) string {
	return fmt.Sprintf("arn:aws:ssm:%s:%s:parameter%s", region, account, name)
}

package preflight

import (
	"context"
	"net"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/aws/arn"
	"github.com/aws/aws-sdk-go-v2/service/backup"
	"github.com/aws/aws-sdk-go-v2/service/codeconnections"
	"github.com/aws/aws-sdk-go-v2/service/inspector2"
	"github.com/aws/aws-sdk-go-v2/service/route53"
	"github.com/aws/aws-sdk-go-v2/service/ssoadmin"
)

// Prerequisites checks what the docs list as steps before the first deployment: the source
// connection, the hosted zones' delegation, IAM Identity Center for Grafana, AWS Backup's
// opt-in and Inspector's enhanced scanning.
func Prerequisites(ctx context.Context, in *Inputs) []Finding {
	var out []Finding
	if in.ConnectionArn != "" {
		out = append(out, connection(ctx, in))
	}
	for _, z := range in.Zones {
		out = append(out, delegation(ctx, in, z))
	}
	for _, t := range in.Grafana {
		out = append(out, identityCenter(ctx, in, t))
	}
	for _, t := range in.backupRegions() {
		out = append(out, backupOptIn(ctx, in, t))
	}
	if in.ImageScan.Account != "" {
		out = append(out, enhancedScanning(ctx, in, in.ImageScan))
	}
	return out
}

func connection(ctx context.Context, in *Inputs) Finding {
	const check = "source connection"
	t := Target{Account: in.Pipeline.Account, Region: in.Pipeline.Region}
	if parsed, err := arn.Parse(in.ConnectionArn); err == nil {
		t.Region = parsed.Region
	}
	cfg, missing := in.config(ctx, t, check)
	if missing != nil {
		return *missing
	}
	got, err := codeconnections.NewFromConfig(cfg).GetConnection(ctx, &codeconnections.GetConnectionInput{ConnectionArn: aws.String(in.ConnectionArn)})
	if err != nil {
		return couldNot(t, check, "codeconnections:GetConnection", err)
	}
	status := string(got.Connection.ConnectionStatus)
	if status == "AVAILABLE" {
		return Finding{Account: t.Account, Region: t.Region, Check: check, State: OK, Detail: in.ConnectionArn + " is AVAILABLE"}
	}
	return Finding{Account: t.Account, Region: t.Region, Check: check, State: Block,
		Detail: in.ConnectionArn + " is " + status + ": the pipeline's source action fails",
		Fix:    "complete the connection's handshake: Developer Tools console > Settings > Connections > Update pending connection"}
}

func delegation(ctx context.Context, in *Inputs, z Zone) Finding {
	check := "hosted zone " + z.Domain
	t := Target{Account: z.Account, Region: "us-east-1"}
	cfg, missing := in.config(ctx, t, check)
	if missing != nil {
		return *missing
	}
	got, err := route53.NewFromConfig(cfg).GetHostedZone(ctx, &route53.GetHostedZoneInput{Id: aws.String(z.ID)})
	if notFound(err) {
		return Finding{Account: t.Account, Region: t.Region, Check: check, State: Block, Detail: "no hosted zone " + z.ID + " in account " + z.Account,
			Fix: "create the public hosted zone " + z.Domain + " in account " + z.Account + " and set dns.hostedZoneId"}
	}
	if err != nil {
		return couldNot(t, check, "route53:GetHostedZone", err)
	}
	if name := strings.TrimSuffix(aws.ToString(got.HostedZone.Name), "."); !strings.EqualFold(name, z.Domain) {
		return Finding{Account: t.Account, Region: t.Region, Check: check, State: Block, Detail: z.ID + " is the zone of " + name + ", not " + z.Domain, Fix: "set dns.hostedZoneId to the zone of " + z.Domain}
	}
	var want []string
	if got.DelegationSet != nil {
		want = normalize(got.DelegationSet.NameServers)
	}
	lookup := in.LookupNS
	if lookup == nil {
		lookup = net.DefaultResolver.LookupNS
	}
	records, err := lookup(ctx, z.Domain)
	var delegated []string
	for _, r := range records {
		delegated = append(delegated, r.Host)
	}
	delegated = normalize(delegated)
	if err != nil || !slices.Equal(delegated, want) {
		return Finding{Account: t.Account, Region: t.Region, Check: check, State: Block,
			Detail: "public DNS answers NS " + strings.Join(delegated, " ") + " for " + z.Domain + "; the zone's are " + strings.Join(want, " ") +
				": certificate validation waits forever",
			Fix: "in the parent zone, delegate " + z.Domain + " to " + strings.Join(want, " ")}
	}
	return Finding{Account: t.Account, Region: t.Region, Check: check, State: OK, Detail: z.Domain + " is delegated to its zone's name servers"}
}

func normalize(hosts []string) []string {
	out := make([]string, 0, len(hosts))
	for _, h := range hosts {
		out = append(out, strings.ToLower(strings.TrimSuffix(h, ".")))
	}
	slices.Sort(out)
	return out
}

func identityCenter(ctx context.Context, in *Inputs, t Target) Finding {
	const check = "IAM Identity Center"
	cfg, missing := in.config(ctx, t, check)
	if missing != nil {
		return *missing
	}
	got, err := ssoadmin.NewFromConfig(cfg).ListInstances(ctx, &ssoadmin.ListInstancesInput{})
	if err != nil {
		return couldNot(t, check, "sso:ListInstances", err)
	}
	if len(got.Instances) == 0 {
		return Finding{Account: t.Account, Region: t.Region, Check: check, State: Block,
			Detail: "no IAM Identity Center instance: the Managed Grafana workspace signs users in through it",
			Fix:    "enable IAM Identity Center (the organization's instance, or an account instance) in " + t.Region + ", or turn monitoring.grafana off"}
	}
	return Finding{Account: t.Account, Region: t.Region, Check: check, State: OK, Detail: "instance " + aws.ToString(got.Instances[0].InstanceArn)}
}

// backupRegions are the targets whose stacks hold AWS Backup plans or vaults.
func (in *Inputs) backupRegions() []Target {
	var out []Target
	for _, t := range in.Targets {
		for _, s := range in.Assembly.stacksIn(t) {
			if len(resources(s, "AWS::Backup::BackupPlan"))+len(resources(s, "AWS::Backup::BackupVault")) > 0 {
				out = append(out, t)
				break
			}
		}
	}
	return out
}

// backedUp are the resource types the platform's backup plans select (AWS Backup's names).
var backedUp = []string{"Aurora", "DynamoDB", "S3"}

func backupOptIn(ctx context.Context, in *Inputs, t Target) Finding {
	const check = "backup opt-in"
	cfg, missing := in.config(ctx, t, check)
	if missing != nil {
		return *missing
	}
	got, err := backup.NewFromConfig(cfg).DescribeRegionSettings(ctx, &backup.DescribeRegionSettingsInput{})
	if err != nil {
		return couldNot(t, check, "backup:DescribeRegionSettings", err)
	}
	var off []string
	for _, typ := range backedUp {
		if !got.ResourceTypeOptInPreference[typ] {
			off = append(off, typ)
		}
	}
	if len(off) > 0 {
		return Finding{Account: t.Account, Region: t.Region, Check: check, State: Block,
			Detail: "AWS Backup is not opted in for " + strings.Join(off, ", ") + ": the backup plans skip those resources",
			Fix:    "aws backup update-region-settings --region " + t.Region + " --resource-type-opt-in-preference " + optIn(off)}
	}
	return Finding{Account: t.Account, Region: t.Region, Check: check, State: OK, Detail: "opted in for " + strings.Join(backedUp, ", ")}
}

func optIn(types []string) string {
	var parts []string
	for _, t := range types {
		parts = append(parts, t+"=true")
	}
	return strings.Join(parts, ",")
}

func enhancedScanning(ctx context.Context, in *Inputs, t Target) Finding {
	const check = "image scanning"
	cfg, missing := in.config(ctx, t, check)
	if missing != nil {
		return *missing
	}
	got, err := inspector2.NewFromConfig(cfg).BatchGetAccountStatus(ctx, &inspector2.BatchGetAccountStatusInput{AccountIds: []string{t.Account}})
	if err != nil {
		return couldNot(t, check, "inspector2:BatchGetAccountStatus", err)
	}
	for _, a := range got.Accounts {
		if a.ResourceState != nil && a.ResourceState.Ecr != nil && a.ResourceState.Ecr.Status == "ENABLED" {
			return Finding{Account: t.Account, Region: t.Region, Check: check, State: OK, Detail: "Inspector scans ECR images"}
		}
	}
	return Finding{Account: t.Account, Region: t.Region, Check: check, State: Warn,
		Detail: "Inspector's enhanced scanning of ECR is off: service.scanThreshold relies on its findings, and basic scanning misses OS and language packages",
		Fix:    "aws inspector2 enable --resource-types ECR --account-ids " + t.Account + " --region " + t.Region}
}

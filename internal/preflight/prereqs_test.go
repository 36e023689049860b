package preflight

import (
	"context"
	"errors"
	"net"
	"testing"

	"github.com/example/platform/internal/assembly"
)

const connectionArn = "arn:aws:codeconnections:us-east-1:333333333333:connection/abc"

func prereqInputs(t *testing.T, replies map[string]reply, delegated ...string) *Inputs {
	in := newStub(t, replies)
	in.Pipeline = Target{Account: pipelineAccount, Region: "us-east-1"}
	in.ConnectionArn = connectionArn
	in.Zones = []Zone{{Account: target.Account, ID: "Z123", Domain: "example.com"}}
	in.Grafana = []Target{{Account: target.Account, Region: "us-east-1"}}
	in.ImageScan = in.Pipeline
	in.Targets = []Target{target}
	in.Assembly = &Assembly{BootstrapVersion: 6, Stacks: []*assembly.Stack{{Name: "dr", Account: target.Account, Region: target.Region,
		Template: assembly.Template{Resources: map[string]map[string]any{"Plan": {"Type": "AWS::Backup::BackupPlan"}}}}}}
	in.LookupNS = func(_ context.Context, domain string) ([]*net.NS, error) {
		if len(delegated) == 0 {
			return nil, errors.New("no such host")
		}
		var out []*net.NS
		for _, host := range delegated {
			out = append(out, &net.NS{Host: host})
		}
		return out, nil
	}
	return in
}

const zone = `<GetHostedZoneResponse><HostedZone><Id>/hostedzone/Z123</Id><Name>example.com.</Name><CallerReference>c</CallerReference></HostedZone>` +
	`<DelegationSet><NameServers><NameServer>ns-1.awsdns-01.org</NameServer><NameServer>ns-2.awsdns-02.com</NameServer></NameServers></DelegationSet></GetHostedZoneResponse>`

var ready = map[string]reply{
	"GetConnection":                   ok(`{"Connection":{"ConnectionArn":"` + connectionArn + `","ConnectionStatus":"AVAILABLE"}}`),
	"GET /2013-04-01/hostedzone/Z123": ok(zone),
	"ListInstances":                   ok(`{"Instances":[{"InstanceArn":"arn:aws:sso:::instance/ssoins-1"}]}`),
	"GET /account-settings":           ok(`{"ResourceTypeOptInPreference":{"Aurora":true,"DynamoDB":true,"S3":true,"EFS":false}}`),
	"POST /status/batch/get":          ok(`{"accounts":[{"accountId":"333333333333","resourceState":{"ecr":{"status":"ENABLED"},"ec2":{"status":"DISABLED"}},"state":{"status":"ENABLED"}}],"failedAccounts":[]}`),
}

var unready = map[string]reply{
	"GetConnection":                   ok(`{"Connection":{"ConnectionArn":"` + connectionArn + `","ConnectionStatus":"PENDING"}}`),
	"GET /2013-04-01/hostedzone/Z123": xmlError(404, "NoSuchHostedZone", "No hosted zone found with ID: Z123"),
	"ListInstances":                   ok(`{"Instances":[]}`),
	"GET /account-settings":           ok(`{"ResourceTypeOptInPreference":{"Aurora":false,"DynamoDB":true}}`),
	"POST /status/batch/get":          ok(`{"accounts":[{"accountId":"333333333333","resourceState":{"ecr":{"status":"DISABLED"}},"state":{"status":"DISABLED"}}],"failedAccounts":[]}`),
}

func TestPrerequisites_AllInPlacePass(t *testing.T) {
	findings := Prerequisites(context.Background(), prereqInputs(t, ready, "NS-2.awsdns-02.com.", "ns-1.awsdns-01.org."))
	if len(findings) != 5 {
		t.Fatalf("want 5 findings, got %+v", findings)
	}
	for _, f := range findings {
		expect(t, f, OK, "")
	}
}

func TestPrerequisites_EachMissingOneIsReportedWithItsFix(t *testing.T) {
	findings := Prerequisites(context.Background(), prereqInputs(t, unready))
	expect(t, only(t, findings, "source connection"), Block, "Update pending connection")
	expect(t, only(t, findings, "hosted zone example.com"), Block, "no hosted zone Z123")
	expect(t, only(t, findings, "IAM Identity Center"), Block, "enable IAM Identity Center")
	expect(t, only(t, findings, "backup opt-in"), Block, "Aurora=true,S3=true")
	expect(t, only(t, findings, "image scanning"), Warn, "inspector2 enable --resource-types ECR")
}

func TestPrerequisites_AZoneTheParentDoesNotDelegateToBlocks(t *testing.T) {
	in := prereqInputs(t, ready, "ns-9.awsdns-09.net")
	expect(t, only(t, Prerequisites(context.Background(), in), "hosted zone example.com"), Block, "delegate example.com to ns-1.awsdns-01.org ns-2.awsdns-02.com")
}

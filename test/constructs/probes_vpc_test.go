package constructs_test

import (
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"
	"github.com/aws/jsii-runtime-go"

	"github.com/example/platform/lib/probes"
	"github.com/example/platform/test/constructkit"
)

// A canary given a VPC and its address at synthesis runs in the VPC's private subnets, in a
// security group of its own that admits nothing and sends only HTTPS out; its role may attach
// its function to the VPC and reads no parameter.
func TestProbe_InAVpcRunsInItsOwnGroupAndReadsNoParameter(t *testing.T) {
	stack := constructkit.Stack(t, "eu-west-1")
	p := probesValidProps(stack)
	p.Vpc = awsec2.NewVpc(stack, jsii.String("Vpc"), &awsec2.VpcProps{MaxAzs: jsii.Number(2)})
	url := probes.Address{URL: jsii.String("https://internal.example"), HostName: "api.example.com"}
	p.Checks = []probes.Check{{Name: "site", Address: url, Path: "/"}, {Name: "api", Address: url, Path: "/health"}}
	probe := probes.New(stack, "Canary", p)
	if probe.SecurityGroup == nil {
		t.Fatal("no security group")
	}
	template := constructkit.TemplateOf(t, stack)
	var out string
	constructkit.Assert(t, func() { out = jsonOf(template.ToJSON()) })
	canary := ""
	for _, want := range []string{`"VPCConfig":{"SecurityGroupIds":[{"Fn::GetAtt":["CanarySecurityGroup`, `"SubnetIds":[{"Ref":"VpcPrivateSubnet1`} {
		if !strings.Contains(out, want) {
			t.Errorf("template lacks %s", want)
		}
	}
	for _, want := range []string{"ec2:CreateNetworkInterface", "ec2:DescribeNetworkInterfaces", "ec2:DeleteNetworkInterface"} {
		if !strings.Contains(out, want) {
			t.Errorf("the role may not %s: Lambda cannot attach the canary to the VPC", want)
		}
	}
	if strings.Contains(out, "ssm:GetParameter") {
		t.Errorf("a canary whose addresses are known reads parameters: %s", canary)
	}
	if !strings.Contains(out, `\"url\":\"https://internal.example\",\"host\":\"api.example.com\"`) {
		t.Errorf("the script is not given the URL and host name")
	}
	if got := strings.Count(out, `"SecurityGroupEgress":[{"CidrIp":"0.0.0.0/0","Description":"Artifacts to S3 and metrics to CloudWatch, through the gateway endpoint and NAT","FromPort":443,"IpProtocol":"tcp","ToPort":443}]`); got != 1 {
		t.Errorf("the canary's group sends %d times only HTTPS out, want once:\n%s", got, out)
	}
	if strings.Contains(out, `"SecurityGroupIngress"`) {
		t.Errorf("the canary's group admits something")
	}
}

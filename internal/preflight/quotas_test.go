package preflight

import (
	"context"
	"fmt"
	"testing"

	"github.com/example/platform/internal/assembly"
)

// regionAssembly is one region's network, app and edge as the platform synthesizes them:
// a NAT gateway (and its address) in each of three zones, seven interface endpoints, a
// peering connection to another region, two ALBs, a Fargate service of 1 vCPU scaling to 12
// tasks, and a distribution of 4 cache behaviors; and another region's stack that peers with it.
func regionAssembly() *Assembly {
	r := map[string]map[string]any{
		"Vpc":    {"Type": "AWS::EC2::VPC"},
		"Task":   {"Type": "AWS::ECS::TaskDefinition", "Properties": map[string]any{"Cpu": "1024"}},
		"Svc":    {"Type": "AWS::ECS::Service", "Properties": map[string]any{"LaunchType": "FARGATE", "TaskDefinition": map[string]any{"Ref": "Task"}}},
		"Scale":  {"Type": "AWS::ApplicationAutoScaling::ScalableTarget", "Properties": map[string]any{"MaxCapacity": 12.0, "ResourceId": map[string]any{"Fn::Join": []any{"", []any{"service/", map[string]any{"Fn::GetAtt": []any{"Svc", "Name"}}}}}}},
		"Public": {"Type": "AWS::ElasticLoadBalancingV2::LoadBalancer", "Properties": map[string]any{"Type": "application"}},
		"Inside": {"Type": "AWS::ElasticLoadBalancingV2::LoadBalancer"},
		"Peer":   {"Type": "AWS::EC2::VPCPeeringConnection", "Properties": map[string]any{"PeerRegion": "us-east-1"}},
		"Cdn": {"Type": "AWS::CloudFront::Distribution", "Properties": map[string]any{"DistributionConfig": map[string]any{
			"CacheBehaviors": []any{map[string]any{}, map[string]any{}, map[string]any{}, map[string]any{}}}}},
	}
	for i := 1; i <= 3; i++ {
		r[fmt.Sprintf("Subnet%d", i)] = map[string]any{"Type": "AWS::EC2::Subnet", "Properties": map[string]any{"AvailabilityZone": fmt.Sprintf("eu-west-1%c", 'a'+i-1)}}
		r[fmt.Sprintf("Nat%d", i)] = map[string]any{"Type": "AWS::EC2::NatGateway", "Properties": map[string]any{"SubnetId": map[string]any{"Ref": fmt.Sprintf("Subnet%d", i)}}}
		r[fmt.Sprintf("Eip%d", i)] = map[string]any{"Type": "AWS::EC2::EIP"}
	}
	for i := 0; i < 7; i++ {
		r[fmt.Sprintf("Endpoint%d", i)] = map[string]any{"Type": "AWS::EC2::VPCEndpoint", "Properties": map[string]any{"VpcEndpointType": "Interface", "VpcId": map[string]any{"Ref": "Vpc"}}}
	}
	r["Gateway"] = map[string]any{"Type": "AWS::EC2::VPCEndpoint", "Properties": map[string]any{"VpcId": map[string]any{"Ref": "Vpc"}}}
	other := map[string]map[string]any{"Peer": {"Type": "AWS::EC2::VPCPeeringConnection", "Properties": map[string]any{"PeerRegion": "eu-west-1"}}}
	return &Assembly{BootstrapVersion: 6, Stacks: []*assembly.Stack{
		{Name: "eu", Account: target.Account, Region: target.Region, Template: assembly.Template{Resources: r}},
		{Name: "ap", Account: target.Account, Region: "ap-southeast-2", Template: assembly.Template{Resources: other}},
	}}
}

func TestQuotas_NeedsAreCountedFromTheTemplates(t *testing.T) {
	got := map[string]float64{}
	for _, q := range regionAssembly().Needs(target) {
		got[q.what] = q.need
	}
	want := map[string]float64{"Elastic IPs": 3, "NAT gateways per AZ": 1, "VPCs": 1, "interface endpoints per VPC": 7,
		"active peering connections per VPC": 2, "Application Load Balancers": 2,
		"Fargate On-Demand vCPUs":          24, // 12 tasks of 1 vCPU, twice while a deployment runs both versions
		"cache behaviors per distribution": 4}
	if fmt.Sprint(got) != fmt.Sprint(want) {
		t.Errorf("needs %v, want %v", got, want)
	}
}

func quotaFindings(t *testing.T, replies map[string]reply) []Finding {
	in := newStub(t, replies)
	in.Targets = []Target{target}
	in.Assembly = regionAssembly()
	return Quotas(context.Background(), in)
}

func TestQuotas_EnoughQuotaPasses(t *testing.T) {
	findings := quotaFindings(t, map[string]reply{"GetServiceQuota": ok(`{"Quota":{"Value":100}}`)})
	if len(findings) != 8 {
		t.Fatalf("want 8 quotas, got %+v", findings)
	}
	for _, f := range findings {
		expect(t, f, OK, "of 100")
	}
}

func TestQuotas_ANeedAboveTheQuotaBlocksAndOneThatFillsItWarns(t *testing.T) {
	findings := quotaFindings(t, map[string]reply{
		"GetServiceQuota":           jsonError("NoSuchResourceException", "The request failed because the specified service does not exist."),
		"GetAWSDefaultServiceQuota": ok(`{"Quota":{"Value":2}}`),
	})
	expect(t, only(t, findings, "quota Elastic IPs"), Block, "--quota-code L-0263D0A3 --desired-value 5")
	expect(t, only(t, findings, "quota Application Load Balancers"), Warn, "needs 2 of 2")
	expect(t, only(t, findings, "quota VPCs"), OK, "needs 1 of 2")
}

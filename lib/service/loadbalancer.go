package service

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"
	elbv2 "github.com/aws/aws-cdk-go/awscdk/v2/awselasticloadbalancingv2"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/example/platform/lib/compliance"
	"github.com/example/platform/lib/logbucket"
)

// newLoadBalancer builds the ALB, its two target groups and its two listeners, each with one
// forwarding rule that ECS moves between the target groups during a deployment.
//
// The production rule is deliberately plain: its properties name only the blue target group,
// a fixed priority and a path pattern. CloudFormation rewrites a rule only when its declared
// properties change, and a rewrite would point production back at blue even when green is live
// (aws-cdk issue 36649), so nothing that changes routinely (image, task size, scaling) may flow
// into it.
func newLoadBalancer(scope constructs.Construct, props Props, s *Service) {
	group := awsec2.NewSecurityGroup(scope, jsii.String("LoadBalancerSecurityGroup"), &awsec2.SecurityGroupProps{
		Vpc:              props.Vpc,
		Description:      jsii.String("Load balancer: production from the public ingress peers, test from the VPC"),
		AllowAllOutbound: jsii.Bool(false),
	})
	if isAnyIPv4(props.PublicIngress) {
		compliance.Accept(group, compliance.Accepted{Rule: "AwsSolutions-EC23",
			Reason: "An internet-facing load balancer without an edge in front admits the internet on its listener ports only; set PublicIngress (the edge does) to narrow it."})
	}
	s.LoadBalancer = elbv2.NewApplicationLoadBalancer(scope, jsii.String("LoadBalancer"), &elbv2.ApplicationLoadBalancerProps{
		Vpc:                     props.Vpc,
		InternetFacing:          jsii.Bool(true),
		VpcSubnets:              &awsec2.SubnetSelection{SubnetType: awsec2.SubnetType_PUBLIC},
		SecurityGroup:           group,
		DropInvalidHeaderFields: jsii.Bool(true),
		DeletionProtection:      jsii.Bool(props.DeletionProtection),
	})
	// ALB log delivery supports only S3-managed encryption, not KMS.
	s.LoadBalancer.LogAccessLogs(logbucket.New(scope, "AccessLogs", 90), nil)

	s.Blue = newTargetGroup(scope, "Blue", props)
	s.Green = newTargetGroup(scope, "Green", props)

	productionPort, testPort, protocol := 80.0, 8080.0, elbv2.ApplicationProtocol_HTTP
	if props.Certificate != nil {
		productionPort, testPort, protocol = 443, 8443, elbv2.ApplicationProtocol_HTTPS
		s.LoadBalancer.AddRedirect(&elbv2.ApplicationLoadBalancerRedirectConfig{
			SourcePort: jsii.Number(80), SourceProtocol: elbv2.ApplicationProtocol_HTTP,
			TargetPort: jsii.Number(443), TargetProtocol: elbv2.ApplicationProtocol_HTTPS,
		})
		for _, peer := range props.PublicIngress {
			group.AddIngressRule(peer, awsec2.Port_Tcp(jsii.Number(80)), jsii.String("HTTP, redirected to HTTPS"), nil)
		}
	}
	for _, peer := range props.PublicIngress {
		group.AddIngressRule(peer, awsec2.Port_Tcp(jsii.Number(productionPort)), jsii.String("Production traffic"), nil)
	}
	group.AddIngressRule(awsec2.Peer_Ipv4(jsii.String(props.VpcCidr)), awsec2.Port_Tcp(jsii.Number(testPort)),
		jsii.String("Test traffic to the new version, from inside the VPC"), nil)

	s.ProductionListener, s.ProductionRule = newListener(scope, "Production", props, s, productionPort, protocol, productionPriority)
	s.TestListener, s.TestRule = newListener(scope, "Test", props, s, testPort, protocol, testPriority)
	s.LoadBalancerDNS = awscdk.NewCfnOutput(scope, jsii.String("LoadBalancerDnsName"), &awscdk.CfnOutputProps{
		Value: s.LoadBalancer.LoadBalancerDnsName(), Description: jsii.String("The ALB's DNS name (origin for the edge)"),
	})
}

func newTargetGroup(scope constructs.Construct, id string, props Props) elbv2.ApplicationTargetGroup {
	return elbv2.NewApplicationTargetGroup(scope, jsii.String(id), &elbv2.ApplicationTargetGroupProps{
		Vpc:                 props.Vpc,
		TargetType:          elbv2.TargetType_IP,
		Port:                jsii.Number(props.ContainerPort),
		Protocol:            elbv2.ApplicationProtocol_HTTP,
		DeregistrationDelay: awscdk.Duration_Seconds(jsii.Number(30)),
		HealthCheck: &elbv2.HealthCheck{
			Path:                    jsii.String(props.HealthCheckPath),
			Interval:                awscdk.Duration_Seconds(jsii.Number(15)),
			HealthyThresholdCount:   jsii.Number(2),
			UnhealthyThresholdCount: jsii.Number(3),
		},
	})
}

// newListener creates a listener whose default action answers 404 and whose one rule forwards
// everything to the blue target group; ECS owns the rule's target from the first deployment on.
func newListener(scope constructs.Construct, id string, props Props, s *Service, port float64, protocol elbv2.ApplicationProtocol, priority float64) (elbv2.ApplicationListener, elbv2.ApplicationListenerRule) {
	options := &elbv2.BaseApplicationListenerProps{
		Port:          jsii.Number(port),
		Protocol:      protocol,
		Open:          jsii.Bool(false), // ingress is the security group's, set above
		DefaultAction: elbv2.ListenerAction_FixedResponse(jsii.Number(404), &elbv2.FixedResponseOptions{ContentType: jsii.String("text/plain"), MessageBody: jsii.String("Not found")}),
	}
	if props.Certificate != nil {
		options.Certificates = &[]elbv2.IListenerCertificate{elbv2.ListenerCertificate_FromCertificateManager(props.Certificate)}
	}
	listener := s.LoadBalancer.AddListener(jsii.String(id), options)
	rule := elbv2.NewApplicationListenerRule(scope, jsii.String(id+"Rule"), &elbv2.ApplicationListenerRuleProps{
		Listener:   listener,
		Priority:   jsii.Number(priority),
		Conditions: &[]elbv2.ListenerCondition{elbv2.ListenerCondition_PathPatterns(jsii.Strings("/*"))},
		Action:     elbv2.ListenerAction_Forward(&[]elbv2.IApplicationTargetGroup{s.Blue}, nil),
	})
	return listener, rule
}

func isAnyIPv4(peers []awsec2.IPeer) bool {
	for _, peer := range peers {
		if *peer.UniqueId() == *awsec2.Peer_AnyIpv4().UniqueId() {
			return true
		}
	}
	return false
}

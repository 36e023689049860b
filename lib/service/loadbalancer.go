package service

import (
	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awsec2"
	elbv2 "github.com/aws/aws-cdk-go/awscdk/v2/awselasticloadbalancingv2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awss3"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/example/platform/lib/compliance"
)

// Ingress is one load balancer in front of the service: its production listener, the rule on
// it that carries live traffic, and the two target groups ECS moves that rule between.
//
// Every rule forwards to both groups, blue weighted 100 and green 0: ECS requires both groups
// of a load balancer entry in its production or test rule, and moves traffic by changing the
// weights ("Both targetGroup and alternateTargetGroup must be associated with the
// productionListenerRule or testListenerRule" otherwise rolls the first deployment back).
//
// The rules are deliberately plain: their properties name only the two groups with their
// initial weights, a fixed priority, a path pattern and (on the edge's origin) the origin
// header, whose template text is a constant reference to a secret. CloudFormation rewrites a
// rule only when its declared properties change, and a rewrite would point production back at
// blue even when green is live (aws-cdk issue 36649), so nothing that changes routinely (image,
// task size, scaling) may flow into them.
type Ingress struct {
	LoadBalancer       elbv2.ApplicationLoadBalancer
	SecurityGroup      awsec2.SecurityGroup
	ProductionListener elbv2.ApplicationListener
	ProductionRule     elbv2.ApplicationListenerRule
	// TestRule, on the internal load balancer only, reaches the new version before it takes
	// production traffic.
	TestRule elbv2.ApplicationListenerRule
	// Blue is the group ECS starts on; Green is the alternate.
	Blue, Green elbv2.ApplicationTargetGroup
}

// ingressOptions say how one Ingress differs from the other.
type ingressOptions struct {
	// prefix starts every construct ID; the public ingress has none, which keeps the logical
	// IDs it had before there were two.
	prefix         string
	internetFacing bool
	// peers are admitted to the production listener.
	peers []awsec2.IPeer
	// header, when set, must be on every production request.
	header *Header
	// redirectHTTP adds an HTTP listener on port 80 that redirects to HTTPS (when there is
	// a certificate).
	redirectHTTP bool
	description  string
}

// newPublicIngress builds the internet-facing load balancer, the edge's origin.
func newPublicIngress(scope constructs.Construct, props Props, logs awss3.IBucket, s *Service) {
	options := ingressOptions{
		internetFacing: true,
		peers:          props.PublicIngress,
		header:         props.OriginHeader,
		// With an edge in front, CloudFront speaks HTTPS to the origin and nobody else may
		// connect: a redirect listener would only widen the security group.
		redirectHTTP: props.OriginHeader == nil,
		description:  "Load balancer: production from the public ingress peers",
	}
	if isAnyIPv4(props.PublicIngress) {
		options.description = "Load balancer: production from the internet"
	}
	in := newIngress(scope, props, logs, options)
	if isAnyIPv4(props.PublicIngress) {
		compliance.Accept(in.SecurityGroup, compliance.Accepted{Rule: "AwsSolutions-EC23",
			Reason: "An internet-facing load balancer without an edge in front admits the internet on its listener ports only; set PublicIngress (the edge does) to narrow it."})
	}
	s.Public = in
}

// newInternalIngress builds the internal load balancer: Global Accelerator sends to it, and its
// test listener reaches the new version of a deployment from inside the VPC. The test listener
// lives here because a request from the VPC to the internet-facing load balancer leaves
// through NAT and arrives from the NAT's public address, which no VPC rule admits. Being
// internal, the load balancer is reachable only from the VPC and through the accelerator; the
// accelerator preserves client addresses, so its production port admits any source. Its
// construct IDs keep the "Accelerator" prefix they were created with: a new ID would replace
// the load balancer, and the accelerator would keep sending to the old one.
func newInternalIngress(scope constructs.Construct, props Props, logs awss3.IBucket, s *Service) {
	in := newIngress(scope, props, logs, ingressOptions{
		prefix:      "Accelerator",
		peers:       []awsec2.IPeer{awsec2.Peer_AnyIpv4()},
		description: "Internal load balancer behind Global Accelerator (which preserves client addresses); test traffic from the VPC",
	})
	compliance.Accept(in.SecurityGroup, compliance.Accepted{Rule: "AwsSolutions-EC23",
		Reason: "This load balancer is internal: only the VPC and Global Accelerator reach it, and the accelerator keeps each client's own address as the source, so the rule cannot name a narrower range."})

	testPort, protocol := 8080.0, elbv2.ApplicationProtocol_HTTP
	if props.Certificate != nil {
		testPort, protocol = 8443, elbv2.ApplicationProtocol_HTTPS
	}
	in.SecurityGroup.AddIngressRule(awsec2.Peer_Ipv4(jsii.String(props.VpcCidr)), awsec2.Port_Tcp(jsii.Number(testPort)),
		jsii.String("Test traffic to the new version, from inside the VPC"), nil)
	s.TestListener, in.TestRule = newListener(scope, "Test", props, in, testPort, protocol, nil, 404)
	s.TestRule = in.TestRule
	s.Internal = in
}

func newIngress(scope constructs.Construct, props Props, logs awss3.IBucket, o ingressOptions) Ingress {
	id := func(name string) *string { return jsii.String(o.prefix + name) }
	group := awsec2.NewSecurityGroup(scope, id("LoadBalancerSecurityGroup"), &awsec2.SecurityGroupProps{
		Vpc:              props.Vpc,
		Description:      jsii.String(o.description),
		AllowAllOutbound: jsii.Bool(false),
	})
	// The load balancer only ever sends to the tasks, which are in this VPC. This rule is
	// inline (a CIDR destination), which is what makes EC2 drop a new group's allow-all
	// default: the rule to the tasks' group that the service adds is a standalone resource,
	// and CDK removes its "disallow all" placeholder when it adds one.
	group.AddEgressRule(awsec2.Peer_Ipv4(jsii.String(props.VpcCidr)), awsec2.Port_Tcp(jsii.Number(props.ContainerPort)),
		jsii.String("Requests and health checks to the tasks, in this VPC"), nil)
	subnets := awsec2.SubnetType_PRIVATE_WITH_EGRESS
	if o.internetFacing {
		subnets = awsec2.SubnetType_PUBLIC
	}
	in := Ingress{SecurityGroup: group}
	in.LoadBalancer = elbv2.NewApplicationLoadBalancer(scope, id("LoadBalancer"), &elbv2.ApplicationLoadBalancerProps{
		Vpc:                     props.Vpc,
		InternetFacing:          jsii.Bool(o.internetFacing),
		VpcSubnets:              &awsec2.SubnetSelection{SubnetType: subnets},
		SecurityGroup:           group,
		DropInvalidHeaderFields: jsii.Bool(true),
		DeletionProtection:      jsii.Bool(props.DeletionProtection),
	})
	var logPrefix *string
	if o.prefix != "" {
		logPrefix = jsii.String(o.prefix)
	}
	in.LoadBalancer.LogAccessLogs(logs, logPrefix)

	in.Blue = newTargetGroup(scope, o.prefix+"Blue", props)
	in.Green = newTargetGroup(scope, o.prefix+"Green", props)

	port, protocol := 80.0, elbv2.ApplicationProtocol_HTTP
	if props.Certificate != nil {
		port, protocol = 443, elbv2.ApplicationProtocol_HTTPS
		if o.redirectHTTP {
			in.LoadBalancer.AddRedirect(&elbv2.ApplicationLoadBalancerRedirectConfig{
				SourcePort: jsii.Number(80), SourceProtocol: elbv2.ApplicationProtocol_HTTP,
				TargetPort: jsii.Number(443), TargetProtocol: elbv2.ApplicationProtocol_HTTPS,
			})
			for _, peer := range o.peers {
				group.AddIngressRule(peer, awsec2.Port_Tcp(jsii.Number(80)), jsii.String("HTTP, redirected to HTTPS"), nil)
			}
		}
	}
	for _, peer := range o.peers {
		group.AddIngressRule(peer, awsec2.Port_Tcp(jsii.Number(port)), jsii.String("Production traffic"), nil)
	}
	// Without the origin header a request matches no rule: the default answer says why.
	status := 404.0
	if o.header != nil {
		status = 403
	}
	in.ProductionListener, in.ProductionRule = newListener(scope, o.prefix+"Production", props, in, port, protocol, o.header, status)
	return in
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

// newListener creates a listener whose default action answers status and whose one rule
// forwards everything (carrying header, when set) to the blue target group, with green in the
// same action at weight 0; ECS owns the weights from the first deployment on.
func newListener(scope constructs.Construct, id string, props Props, in Ingress, port float64, protocol elbv2.ApplicationProtocol, header *Header, status float64) (elbv2.ApplicationListener, elbv2.ApplicationListenerRule) {
	body := "Not found"
	if status == 403 {
		body = "Forbidden: reach this service through its public address"
	}
	options := &elbv2.BaseApplicationListenerProps{
		Port:          jsii.Number(port),
		Protocol:      protocol,
		Open:          jsii.Bool(false), // ingress is the security group's, set above
		DefaultAction: elbv2.ListenerAction_FixedResponse(jsii.Number(status), &elbv2.FixedResponseOptions{ContentType: jsii.String("text/plain"), MessageBody: jsii.String(body)}),
	}
	if props.Certificate != nil {
		options.Certificates = &[]elbv2.IListenerCertificate{elbv2.ListenerCertificate_FromCertificateManager(props.Certificate)}
		options.SslPolicy = elbv2.SslPolicy_RECOMMENDED_TLS
	}
	listener := in.LoadBalancer.AddListener(jsii.String(id), options)
	conditions := []elbv2.ListenerCondition{elbv2.ListenerCondition_PathPatterns(jsii.Strings("/*"))}
	if header != nil {
		conditions = append(conditions, elbv2.ListenerCondition_HttpHeader(jsii.String(header.Name), jsii.Strings(header.Value)))
	}
	rule := elbv2.NewApplicationListenerRule(scope, jsii.String(id+"Rule"), &elbv2.ApplicationListenerRuleProps{
		Listener:   listener,
		Priority:   jsii.Number(rulePriority),
		Conditions: &conditions,
		Action: elbv2.ListenerAction_WeightedForward(&[]*elbv2.WeightedTargetGroup{
			{TargetGroup: in.Blue, Weight: jsii.Number(100)}, {TargetGroup: in.Green, Weight: jsii.Number(0)},
		}, nil),
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

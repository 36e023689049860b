package baseline

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2/awsguardduty"
	"github.com/aws/aws-cdk-go/awscdk/v2/awssecurityhub"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"
)

// GuardDuty's protection plans as the detector names them (DetectorFeatureConfiguration and
// DetectorAdditionalConfiguration in the GuardDuty API Reference).
const (
	FeatureS3DataEvents       = "S3_DATA_EVENTS"
	FeatureRDSLoginEvents     = "RDS_LOGIN_EVENTS"
	FeatureLambdaNetworkLogs  = "LAMBDA_NETWORK_LOGS"
	FeatureRuntimeMonitoring  = "RUNTIME_MONITORING"
	FeatureEKSAuditLogs       = "EKS_AUDIT_LOGS"
	FeatureEBSMalware         = "EBS_MALWARE_PROTECTION"
	AgentECSFargate           = "ECS_FARGATE_AGENT_MANAGEMENT"
	AgentEC2                  = "EC2_AGENT_MANAGEMENT"
	AgentEKSAddon             = "EKS_ADDON_MANAGEMENT"
	statusEnabled, statusOff  = "ENABLED", "DISABLED"
	findingPublishingInterval = "FIFTEEN_MINUTES"
)

// newDetector turns GuardDuty on. Every plan is named, on or off: CreateDetector turns on every
// plan it is not told about (except Runtime Monitoring), so a detector that named only what it
// wants would pay for EKS and EBS scanning the platform has no use for. On: S3 data events (the
// lake), RDS login activity (Aurora), Lambda network activity (the platform's functions) and
// Runtime Monitoring with GuardDuty managing its agent on ECS Fargate (the service's tasks; it
// adds a sidecar to each new task and a VPC endpoint to each VPC with a cluster). Off: EKS
// audit logs, EBS malware scans, the EC2 and EKS agents (no EC2 instances or EKS clusters).
// CfnDetector is the only detector type: aws-cdk-lib has no GuardDuty L2.
func newDetector(c constructs.Construct) awsguardduty.CfnDetector {
	feature := func(name, status string, agents ...*awsguardduty.CfnDetector_CFNFeatureAdditionalConfigurationProperty) *awsguardduty.CfnDetector_CFNFeatureConfigurationProperty {
		f := &awsguardduty.CfnDetector_CFNFeatureConfigurationProperty{Name: jsii.String(name), Status: jsii.String(status)}
		if len(agents) > 0 {
			f.AdditionalConfiguration = &agents
		}
		return f
	}
	agent := func(name, status string) *awsguardduty.CfnDetector_CFNFeatureAdditionalConfigurationProperty {
		return &awsguardduty.CfnDetector_CFNFeatureAdditionalConfigurationProperty{Name: jsii.String(name), Status: jsii.String(status)}
	}
	return awsguardduty.NewCfnDetector(c, jsii.String("Detector"), &awsguardduty.CfnDetectorProps{
		Enable:                     jsii.Bool(true),
		FindingPublishingFrequency: jsii.String(findingPublishingInterval),
		Features: &[]*awsguardduty.CfnDetector_CFNFeatureConfigurationProperty{
			feature(FeatureS3DataEvents, statusEnabled),
			feature(FeatureRDSLoginEvents, statusEnabled),
			feature(FeatureLambdaNetworkLogs, statusEnabled),
			feature(FeatureRuntimeMonitoring, statusEnabled,
				agent(AgentECSFargate, statusEnabled), agent(AgentEC2, statusOff), agent(AgentEKSAddon, statusOff)),
			feature(FeatureEKSAuditLogs, statusOff),
			feature(FeatureEBSMalware, statusOff),
		},
	})
}

// Standards are the Security Hub standards the baseline subscribes to, by the path of their ARN
// (arn:aws:securityhub:<region>::standards/<path>): AWS Foundational Security Best Practices
// and CIS AWS Foundations Benchmark v3.0.0. Both are regional standards, available in every
// region Security Hub is.
func Standards() []struct{ ID, Path string } {
	return []struct{ ID, Path string }{
		{"FoundationalBestPractices", "aws-foundational-security-best-practices/v/1.0.0"},
		{"CisFoundations", "cis-aws-foundations-benchmark/v/3.0.0"},
	}
}

// StandardArn is the ARN of the standard at path in region.
func StandardArn(region, path string) string {
	return fmt.Sprintf("arn:aws:securityhub:%s::standards/%s", region, path)
}

// newHub enables Security Hub without its default standards (it would otherwise subscribe to
// them itself, outside the template, and a Standard resource for one of them would then fail to
// create), with one finding per control across standards, and, in the home region, aggregates
// the other regions. "You must create an AWS::SecurityHub::Hub resource for an account before
// you can create other types of Security Hub resources": every other resource depends on the
// hub. The Security Hub types are CloudFormation's only (L1): aws-cdk-lib has no L2 for them.
func (b *Baseline) newHub(c constructs.Construct, aggregated []string) {
	b.Hub = awssecurityhub.NewCfnHub(c, jsii.String("Hub"), &awssecurityhub.CfnHubProps{
		EnableDefaultStandards:  jsii.Bool(false),
		ControlFindingGenerator: jsii.String("SECURITY_CONTROL"),
		AutoEnableControls:      jsii.Bool(true),
	})
	if len(aggregated) > 0 {
		b.Aggregator = awssecurityhub.NewCfnFindingAggregator(c, jsii.String("FindingAggregator"), &awssecurityhub.CfnFindingAggregatorProps{
			RegionLinkingMode: jsii.String("SPECIFIED_REGIONS"),
			Regions:           jsii.Strings(aggregated...),
		})
		b.Aggregator.Node().AddDependency(b.Hub)
	}
}

// newStandards subscribes the hub to Standards. Each waits for what of its needs the baseline
// creates: the hub, and the Config delivery channel (which starts the recorder), so that the
// standards' first checks find it; an existing hub and recorder run already.
func (b *Baseline) newStandards(c constructs.Construct) {
	_, region := where(c)
	for _, s := range Standards() {
		standard := awssecurityhub.NewCfnStandard(c, jsii.String(s.ID), &awssecurityhub.CfnStandardProps{
			StandardsArn: jsii.String(StandardArn(region, s.Path)),
		})
		if b.Hub != nil {
			standard.Node().AddDependency(b.Hub)
		}
		if b.DeliveryChannel != nil {
			standard.Node().AddDependency(b.DeliveryChannel)
		}
		b.Standards = append(b.Standards, standard)
	}
}

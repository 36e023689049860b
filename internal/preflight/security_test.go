package preflight

import (
	"context"
	"testing"
)

// running are the recorded answers of an account-region where the organization runs every
// security service; stopped where none runs.
var running = map[string]reply{
	"GET /detector":                  ok(`{"detectorIds":["d1"]}`),
	"GET /accounts":                  ok(`{"HubArn":"arn:aws:securityhub:eu-west-1:111111111111:hub/default"}`),
	"DescribeConfigurationRecorders": ok(`{"ConfigurationRecorders":[{"name":"aws-controltower-BaselineConfigRecorder"}]}`),
	"DescribeTrails":                 ok(`{"trailList":[{"Name":"aws-controltower-BaselineCloudTrail","IsMultiRegionTrail":true,"IsOrganizationTrail":true}]}`),
}

var stopped = map[string]reply{
	"GET /detector":                  ok(`{"detectorIds":[]}`),
	"GET /accounts":                  restError(401, "InvalidAccessException", "Account 111111111111 is not subscribed to AWS Security Hub"),
	"DescribeConfigurationRecorders": ok(`{"ConfigurationRecorders":[]}`),
	"DescribeTrails":                 ok(`{"trailList":[]}`),
}

func securityFindings(t *testing.T, replies map[string]reply, mode Mode) []Finding {
	in := newStub(t, replies)
	in.Targets = []Target{target}
	in.Modes = func(Service, string, string) Mode { return mode }
	return SecurityServices(context.Background(), in)
}

func TestSecurityServices_CreateWhereNoneRunsPasses(t *testing.T) {
	for _, f := range securityFindings(t, stopped, Create) {
		expect(t, f, OK, "not running")
	}
}

func TestSecurityServices_CreateWhereTheOrganizationRunsThemBlocks(t *testing.T) {
	findings := securityFindings(t, running, Create)
	expect(t, only(t, findings, "guardDuty"), Block, "a second detector cannot be created")
	expect(t, only(t, findings, "securityHub"), Block, "set baseline.securityHub to existing")
	expect(t, only(t, findings, "config"), Block, "one configuration recorder per account-region")
	expect(t, only(t, findings, "cloudTrail"), Warn, "records every event twice")
}

func TestSecurityServices_ExistingWhereTheOrganizationRunsThemPasses(t *testing.T) {
	for _, f := range securityFindings(t, running, Existing) {
		expect(t, f, OK, "runs")
	}
}

func TestSecurityServices_ExistingWhereNoneRunsBlocksWhatDependsOnIt(t *testing.T) {
	findings := securityFindings(t, stopped, Existing)
	expect(t, only(t, findings, "guardDuty"), Warn, "receive nothing")
	expect(t, only(t, findings, "securityHub"), Block, "need an enabled hub")
	expect(t, only(t, findings, "config"), Block, "Config rules cannot be created")
	expect(t, only(t, findings, "cloudTrail"), Warn, "no multi-region or organization trail")
}

func TestSecurityServices_OffIsLeftAlone(t *testing.T) {
	for _, f := range securityFindings(t, running, Off) {
		expect(t, f, OK, "mode off")
	}
}

func TestSecurityServices_AnExplicitDenyIsCouldNotCheck(t *testing.T) {
	deny := restError(403, "AccessDeniedException", "User: x is not authorized to perform: guardduty:ListDetectors with an explicit deny in a service control policy")
	replies := map[string]reply{"GET /detector": deny}
	for k, v := range stopped {
		if k != "GET /detector" {
			replies[k] = v
		}
	}
	expect(t, only(t, securityFindings(t, replies, Create), "guardDuty"), Unknown, "explicit deny in a service control policy")
}

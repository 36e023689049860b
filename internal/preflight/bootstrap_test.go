package preflight

import (
	"context"
	"net/url"
	"os"
	"testing"
)

const pipelineAccount = "333333333333"

func bootstrapInputs(t *testing.T, replies map[string]reply) *Inputs {
	in := newStub(t, replies)
	in.Targets = []Target{target}
	in.Pipeline = Target{Account: pipelineAccount, Region: "us-east-1"}
	return in
}

func role(trusted string) reply {
	policy := url.QueryEscape(`{"Version":"2012-10-17","Statement":[{"Effect":"Allow","Principal":{"AWS":"arn:aws:iam::` + trusted + `:root"},"Action":"sts:AssumeRole"}]}`)
	return ok(`<GetRoleResponse><GetRoleResult><Role><RoleName>r</RoleName><Path>/</Path><Arn>arn:aws:iam::1:role/r</Arn><RoleId>x</RoleId><CreateDate>2026-01-01T00:00:00Z</CreateDate><AssumeRolePolicyDocument>` + policy + `</AssumeRolePolicyDocument></Role></GetRoleResult></GetRoleResponse>`)
}

func TestBootstrap_PassesARecentBootstrapThatTrustsThePipeline(t *testing.T) {
	in := bootstrapInputs(t, map[string]reply{
		"GetParameter": ok(`{"Parameter":{"Name":"/cdk-bootstrap/hnb659fds/version","Value":"30"}}`),
		"GetRole":      role(pipelineAccount),
	})
	findings := Bootstrap(context.Background(), in)
	expect(t, only(t, findings, "bootstrap version"), OK, "version 30")
	expect(t, only(t, findings, "bootstrap trust"), OK, "trusts the pipeline's account")
}

func TestBootstrap_BlocksAMissingBootstrap(t *testing.T) {
	in := bootstrapInputs(t, map[string]reply{
		"GetParameter": jsonError("ParameterNotFound", "not found"),
		"GetRole":      xmlError(404, "NoSuchEntity", "The role with name x cannot be found."),
	})
	findings := Bootstrap(context.Background(), in)
	expect(t, only(t, findings, "bootstrap version"), Block, "cdk bootstrap aws://111111111111/eu-west-1")
	expect(t, only(t, findings, "bootstrap trust"), Block, "--trust 333333333333")
}

func TestBootstrap_BlocksAnOldBootstrapAndOneThatTrustsAnotherAccount(t *testing.T) {
	in := bootstrapInputs(t, map[string]reply{
		"GetParameter": ok(`{"Parameter":{"Name":"/cdk-bootstrap/hnb659fds/version","Value":"5"}}`),
		"GetRole":      role("444444444444"),
	})
	findings := Bootstrap(context.Background(), in)
	expect(t, only(t, findings, "bootstrap version"), Block, "version 5; the assembly requires 6")
	expect(t, only(t, findings, "bootstrap trust"), Block, "does not trust the pipeline's account 333333333333")
}

func TestBootstrap_ThePipelinesOwnAccountNeedsNoTrust(t *testing.T) {
	in := bootstrapInputs(t, map[string]reply{"GetParameter": ok(`{"Parameter":{"Value":"30"}}`)})
	in.Targets = []Target{{Account: pipelineAccount, Region: "us-east-1"}}
	if findings := Bootstrap(context.Background(), in); len(findings) != 1 {
		t.Errorf("want only the version checked in the pipeline's account, got %+v", findings)
	}
}

func TestBootstrap_AccessDeniedIsCouldNotCheckNamingTheAction(t *testing.T) {
	in := bootstrapInputs(t, map[string]reply{
		"GetParameter": jsonError("AccessDeniedException", "User: x is not authorized to perform: ssm:GetParameter"),
		"GetRole":      xmlError(403, "AccessDenied", "User: x is not authorized to perform: iam:GetRole"),
	})
	findings := Bootstrap(context.Background(), in)
	expect(t, only(t, findings, "bootstrap version"), Unknown, "needs ssm:GetParameter")
	expect(t, only(t, findings, "bootstrap trust"), Unknown, "needs iam:GetRole")
}

func TestBootstrap_OlderThanThePinnedCLIsTemplateWarns(t *testing.T) {
	in := bootstrapInputs(t, map[string]reply{"GetParameter": ok(`{"Parameter":{"Value":"21"}}`), "GetRole": role(pipelineAccount)})
	in.CLIBootstrapVersion = CLIBootstrapVersion("testdata/cli")
	expect(t, only(t, Bootstrap(context.Background(), in), "bootstrap version"), Warn, "older than the pinned CLI's template (33)")
}

func TestBootstrap_ThePinnedCLIsTemplateVersionIsRead(t *testing.T) {
	if _, err := os.Stat("../../node_modules/aws-cdk/package.json"); err != nil {
		t.Skip("the CDK CLI is not installed (make deps)")
	}
	if v := CLIBootstrapVersion("../../node_modules"); v < 6 {
		t.Errorf("read bootstrap version %d from the installed CLI's template; want the version it installs", v)
	}
}

// A boundary the config names must exist in the account, checked once per account.
func TestBootstrap_BlocksAMissingBoundaryPolicyOncePerAccount(t *testing.T) {
	for _, c := range []struct {
		reply reply
		state State
		want  string
	}{
		{ok(`<GetPolicyResponse><GetPolicyResult><Policy><PolicyName>OrgBoundary</PolicyName></Policy></GetPolicyResult></GetPolicyResponse>`), OK, "arn:aws:iam::111111111111:policy/OrgBoundary exists"},
		{xmlError(404, "NoSuchEntity", "Policy arn:aws:iam::111111111111:policy/OrgBoundary was not found."), Block, "no policy arn:aws:iam::111111111111:policy/OrgBoundary"},
	} {
		in := bootstrapInputs(t, map[string]reply{
			"GetParameter": ok(`{"Parameter":{"Value":"30"}}`), "GetRole": role(pipelineAccount), "GetPolicy": c.reply,
		})
		in.Targets = []Target{target, {Account: target.Account, Region: "us-east-1"}}
		in.Boundaries = map[string]string{target.Account: "OrgBoundary"}
		expect(t, only(t, Bootstrap(context.Background(), in), "permissions boundary"), c.state, c.want)
	}
}

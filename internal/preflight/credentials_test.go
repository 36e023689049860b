package preflight

import (
	"context"
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// stsAnswering points the default credential chain at static keys and a local STS that
// answers GetCallerIdentity with answer.
func stsAnswering(t *testing.T, answer reply) {
	in := newStub(t, map[string]reply{"GetCallerIdentity": answer})
	cfg, _ := in.AWS(context.Background(), "", "us-east-1")
	t.Setenv("AWS_ENDPOINT_URL", *cfg.BaseEndpoint)
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDSTUB")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "stub-secret")
	t.Setenv("AWS_PROFILE", "")
	t.Setenv("AWS_CONFIG_FILE", t.TempDir()+"/none")
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", t.TempDir()+"/none")
	t.Setenv("AWS_MAX_ATTEMPTS", "1")
}

func identity(account string) reply {
	return ok(`<GetCallerIdentityResponse><GetCallerIdentityResult><Arn>arn:aws:iam::` + account + `:user/op</Arn><UserId>U</UserId><Account>` + account + `</Account></GetCallerIdentityResult></GetCallerIdentityResponse>`)
}

func TestCredentials_TheAccountsOwnCredentialsReachIt(t *testing.T) {
	stsAnswering(t, identity("111111111111"))
	cfg, err := (&Credentials{}).Config(context.Background(), "111111111111", "eu-west-1")
	if err != nil || cfg.Region != "eu-west-1" {
		t.Errorf("got %v in %s; want the account reached in eu-west-1", err, cfg.Region)
	}
}

func TestCredentials_AnotherAccountsCredentialsSayWhatToPass(t *testing.T) {
	stsAnswering(t, identity("999999999999"))
	_, err := (&Credentials{}).Config(context.Background(), "111111111111", "eu-west-1")
	if err == nil || !strings.Contains(err.Error(), "signs in to account 999999999999, not 111111111111") || !strings.Contains(err.Error(), "PROFILE=111111111111=<profile>") {
		t.Errorf("got %v; want it to name both accounts and PROFILE=", err)
	}
}

func TestCredentials_AnExpiredTokenSaysSignInAgain(t *testing.T) {
	stsAnswering(t, xmlError(403, "ExpiredToken", "The security token included in the request is expired"))
	_, err := (&Credentials{}).Config(context.Background(), "111111111111", "eu-west-1")
	if err == nil || !strings.Contains(err.Error(), "have expired: sign in again") {
		t.Errorf("got %v; want the credentials said to have expired", err)
	}
}

func TestCredentials_ProfilesAreAccountEqualsProfile(t *testing.T) {
	got, err := ParseProfiles("111111111111=staging, 222222222222=prod")
	if err != nil || got["111111111111"] != "staging" || got["222222222222"] != "prod" {
		t.Errorf("got %v, %v", got, err)
	}
	if _, err := ParseProfiles("staging=111111111111"); err == nil {
		t.Error("want an error for a pair that does not start with an account")
	}
}

func TestErrors_AnExpiredTokenOnOneCheckIsCouldNotCheckSayingSo(t *testing.T) {
	in := newStub(t, map[string]reply{"DescribeStacks": xmlError(403, "ExpiredToken", "The security token included in the request is expired")})
	in.Targets = []Target{target}
	expect(t, only(t, Regions(context.Background(), in), "governed region"), Unknown, "the credentials have expired")
}

func TestRun_AnAccountTheCredentialsCannotReachIsOneFinding(t *testing.T) {
	in := newStub(t, nil)
	reach := in.AWS
	in.AWS = func(ctx context.Context, account, region string) (aws.Config, error) {
		if account == "222222222222" {
			return aws.Config{}, errors.New("no AWS credentials for account 222222222222")
		}
		return reach(ctx, account, region)
	}
	in.Pipeline = Target{Account: "111111111111", Region: "us-east-1"}
	in.Targets = []Target{{Account: "222222222222", Region: "us-east-1"}, {Account: "222222222222", Region: "eu-west-1"}}
	in.Zones = []Zone{{Account: "222222222222", ID: "Z1", Domain: "example.com"}}
	findings := Run(context.Background(), in)
	if len(findings) != 1 || findings[0].Check != "credentials" || findings[0].State != Unknown {
		t.Errorf("want one credentials finding for the account, got %+v", findings)
	}
}

func TestAddEnvironmentProfiles_TakesMakeBootstrapsVariablesWithoutOverridingPROFILE(t *testing.T) {
	byAccount := map[string]string{"111111111111": "named"}
	AddEnvironmentProfiles(byAccount, []string{
		"PROFILE_111111111111=from-env", "PROFILE_222222222222=tooling", "PROFILE_abc=ignored", "HOME=/root",
	})
	want := map[string]string{"111111111111": "named", "222222222222": "tooling"}
	if len(byAccount) != len(want) || byAccount["111111111111"] != "named" || byAccount["222222222222"] != "tooling" {
		t.Fatalf("profiles = %v, want %v", byAccount, want)
	}
}

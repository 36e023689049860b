package preflight

import (
	"context"
	"fmt"
	"strings"
	"sync"

	"github.com/aws/aws-sdk-go-v2/aws"
	awsconfig "github.com/aws/aws-sdk-go-v2/config"
	"github.com/aws/aws-sdk-go-v2/credentials/stscreds"
	"github.com/aws/aws-sdk-go-v2/service/sts"
	"github.com/aws/smithy-go/logging"
)

// Credentials reach each account as the operator chose: a named profile per account
// (Profiles), else a role of the same name assumed in each account (Role) from the
// operator's own credentials, else the operator's credentials as they are (one account).
type Credentials struct {
	Profiles map[string]string
	Role     string

	mu       sync.Mutex
	accounts map[string]*account
}

type account struct {
	cfg aws.Config
	err error
}

// Config is the SDK configuration for account in region, once its credentials are known to be
// that account's (sts:GetCallerIdentity).
func (c *Credentials) Config(ctx context.Context, id, region string) (aws.Config, error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.accounts == nil {
		c.accounts = map[string]*account{}
	}
	a, ok := c.accounts[id]
	if !ok {
		a = &account{}
		a.cfg, a.err = c.resolve(ctx, id, region)
		c.accounts[id] = a
	}
	cfg := a.cfg.Copy()
	cfg.Region = region
	return cfg, a.err
}

func (c *Credentials) resolve(ctx context.Context, id, region string) (aws.Config, error) {
	how := "the default credentials"
	// The SDK would log its IMDS fallback on the way to "no credentials"; the finding says it.
	options := []func(*awsconfig.LoadOptions) error{awsconfig.WithRegion(region), awsconfig.WithLogger(logging.Nop{})}
	if profile, ok := c.Profiles[id]; ok {
		how = "profile " + profile
		options = append(options, awsconfig.WithSharedConfigProfile(profile))
	}
	cfg, err := awsconfig.LoadDefaultConfig(ctx, options...)
	if err != nil {
		return cfg, fmt.Errorf("no AWS credentials for account %s (%s): %s", id, how, firstLine(err))
	}
	if _, ok := c.Profiles[id]; !ok && c.Role != "" {
		role := fmt.Sprintf("arn:aws:iam::%s:role/%s", id, c.Role)
		how = "role " + role
		cfg.Credentials = aws.NewCredentialsCache(stscreds.NewAssumeRoleProvider(sts.NewFromConfig(cfg), role,
			func(o *stscreds.AssumeRoleOptions) { o.RoleSessionName = "platform-preflight" }))
	}
	who, err := sts.NewFromConfig(cfg).GetCallerIdentity(ctx, &sts.GetCallerIdentityInput{})
	switch {
	case err != nil && strings.Contains(err.Error(), "get credentials"):
		return cfg, fmt.Errorf("no AWS credentials for account %s (%s found none): sign in (aws sso login, or export AWS_PROFILE) or name them with PROFILE=%s=<profile> or ROLE=<name>", id, how, id)
	case err != nil && strings.Contains(code(err), "Expired"):
		return cfg, fmt.Errorf("the AWS credentials for account %s (%s) have expired: sign in again", id, how)
	case err != nil:
		return cfg, fmt.Errorf("no usable AWS credentials for account %s (%s): %s", id, how, firstLine(err))
	}
	if got := aws.ToString(who.Account); got != id {
		return cfg, fmt.Errorf("%s signs in to account %s, not %s: name a profile for it (PROFILE=%s=<profile>) or a role to assume (ROLE=<name>)", how, got, id, id)
	}
	return cfg, nil
}

// ParseProfiles reads "account=profile,account=profile".
func ParseProfiles(s string) (map[string]string, error) {
	out := map[string]string{}
	for _, pair := range strings.FieldsFunc(s, func(r rune) bool { return r == ',' || r == ' ' }) {
		id, profile, ok := strings.Cut(pair, "=")
		if !ok || len(id) != 12 || profile == "" {
			return nil, fmt.Errorf("PROFILE: %q is not <12-digit account>=<profile>", pair)
		}
		out[id] = profile
	}
	return out, nil
}

// AddEnvironmentProfiles adds the PROFILE_<account>=<profile> variables make bootstrap reads, so
// one set of variables serves both commands; a profile PROFILE= names already wins.
func AddEnvironmentProfiles(byAccount map[string]string, environ []string) {
	for _, kv := range environ {
		name, profile, _ := strings.Cut(kv, "=")
		id, ok := strings.CutPrefix(name, "PROFILE_")
		if !ok || len(id) != 12 || profile == "" {
			continue
		}
		if _, named := byAccount[id]; !named {
			byAccount[id] = profile
		}
	}
}

// firstLine shortens the SDK's credential-chain errors, which run to several lines.
func firstLine(err error) string {
	msg := err.Error()
	if i := strings.IndexByte(msg, '\n'); i >= 0 {
		msg = msg[:i]
	}
	if len(msg) > 200 {
		msg = msg[:200] + "…"
	}
	return msg
}

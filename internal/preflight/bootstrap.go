package preflight

import (
	"context"
	"encoding/json"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/iam"
	"github.com/aws/aws-sdk-go-v2/service/ssm"
)

// Qualifier is the bootstrap qualifier the app synthesizes for (CDK's default).
const Qualifier = "hnb659fds"

// Bootstrap checks that every target is bootstrapped with a version the assembly's stacks and
// assets require, that the deploy role of every account but the pipeline's trusts the
// pipeline's account (cdk bootstrap --trust), without which the pipeline meets AccessDenied,
// and, where the config names a permissions boundary, that the policy exists in the account
// (once per account: IAM is global), without which every role's create fails.
func Bootstrap(ctx context.Context, in *Inputs) []Finding {
	var out []Finding
	boundaryChecked := map[string]bool{}
	for _, t := range in.Targets {
		cfg, missing := in.config(ctx, t, "bootstrap")
		if missing != nil {
			out = append(out, *missing)
			continue
		}
		out = append(out, bootstrapVersion(ctx, ssm.NewFromConfig(cfg), t, in.Assembly.BootstrapVersion, in.CLIBootstrapVersion))
		if t.Account != in.Pipeline.Account {
			out = append(out, bootstrapTrust(ctx, iam.NewFromConfig(cfg), t, in.Pipeline.Account))
		}
		if boundary := in.Boundaries[t.Account]; boundary != "" && !boundaryChecked[t.Account] {
			boundaryChecked[t.Account] = true
			out = append(out, boundaryPolicy(ctx, iam.NewFromConfig(cfg), t, boundary))
		}
	}
	return out
}

// boundaryPolicy checks that the account has the permissions boundary policy the config names.
func boundaryPolicy(ctx context.Context, client *iam.Client, t Target, name string) Finding {
	const check = "permissions boundary"
	arn := fmt.Sprintf("arn:aws:iam::%s:policy/%s", t.Account, name)
	_, err := client.GetPolicy(ctx, &iam.GetPolicyInput{PolicyArn: aws.String(arn)})
	if notFound(err) {
		return Finding{Account: t.Account, Check: check, State: Block,
			Detail: "no policy " + arn + ": every role the platform and cdk bootstrap create names it as its boundary",
			Fix:    "create the policy in the account (without a path), or name the account's own in permissionsBoundary.accounts"}
	}
	if err != nil {
		return couldNot(t, check, "iam:GetPolicy on "+arn, err)
	}
	return Finding{Account: t.Account, Check: check, State: OK, Detail: arn + " exists"}
}

func bootstrapVersion(ctx context.Context, client *ssm.Client, t Target, required, cli int) Finding {
	const check = "bootstrap version"
	fix := fmt.Sprintf("cdk bootstrap aws://%s/%s (make bootstrap prints the command with its flags)", t.Account, t.Region)
	name := "/cdk-bootstrap/" + Qualifier + "/version"
	got, err := client.GetParameter(ctx, &ssm.GetParameterInput{Name: aws.String(name)})
	if notFound(err) {
		return Finding{Account: t.Account, Region: t.Region, Check: check, State: Block, Detail: "not bootstrapped (no " + name + ")", Fix: fix}
	}
	if err != nil {
		return couldNot(t, check, "ssm:GetParameter on "+name, err)
	}
	version, _ := strconv.Atoi(aws.ToString(got.Parameter.Value))
	if version < required {
		return Finding{Account: t.Account, Region: t.Region, Check: check, State: Block,
			Detail: fmt.Sprintf("bootstrap version %d; the assembly requires %d or later", version, required), Fix: fix}
	}
	if version < cli {
		return Finding{Account: t.Account, Region: t.Region, Check: check, State: Warn,
			Detail: fmt.Sprintf("bootstrap version %d: enough for the assembly (%d), older than the pinned CLI's template (%d)", version, required, cli), Fix: fix}
	}
	return Finding{Account: t.Account, Region: t.Region, Check: check, State: OK,
		Detail: fmt.Sprintf("bootstrap version %d (the assembly requires %d)", version, required)}
}

// cliTemplateVersion finds the version the bootstrap template sets in its version parameter.
var cliTemplateVersion = regexp.MustCompile(`(?s)CdkBootstrapVersion:\s*\n\s*Type: AWS::SSM::Parameter.*?Value: '(\d+)'`)

// CLIBootstrapVersion is the bootstrap version the pinned CDK CLI's template installs (0 when
// the CLI is not installed under nodeModules).
func CLIBootstrapVersion(nodeModules string) int {
	data, err := os.ReadFile(filepath.Join(nodeModules, "aws-cdk", "lib", "api", "bootstrap", "bootstrap-template.yaml"))
	if err != nil {
		return 0
	}
	match := cliTemplateVersion.FindSubmatch(data)
	if match == nil {
		return 0
	}
	version, _ := strconv.Atoi(string(match[1]))
	return version
}

func bootstrapTrust(ctx context.Context, client *iam.Client, t Target, pipeline string) Finding {
	const check = "bootstrap trust"
	role := fmt.Sprintf("cdk-%s-deploy-role-%s-%s", Qualifier, t.Account, t.Region)
	fix := fmt.Sprintf("cdk bootstrap aws://%s/%s --trust %s --trust-for-lookup %s --cloudformation-execution-policies <policy>", t.Account, t.Region, pipeline, pipeline)
	got, err := client.GetRole(ctx, &iam.GetRoleInput{RoleName: aws.String(role)})
	if notFound(err) {
		return Finding{Account: t.Account, Region: t.Region, Check: check, State: Block, Detail: "no deploy role " + role, Fix: fix}
	}
	if err != nil {
		return couldNot(t, check, "iam:GetRole on "+role, err)
	}
	if trusts(aws.ToString(got.Role.AssumeRolePolicyDocument), pipeline) {
		return Finding{Account: t.Account, Region: t.Region, Check: check, State: OK, Detail: role + " trusts the pipeline's account " + pipeline}
	}
	return Finding{Account: t.Account, Region: t.Region, Check: check, State: Block,
		Detail: role + " does not trust the pipeline's account " + pipeline + ": the pipeline's deployments meet AccessDenied", Fix: fix}
}

// trusts reports whether a trust policy (URL-encoded, as IAM returns it) lets account assume
// the role.
func trusts(document, account string) bool {
	if decoded, err := url.QueryUnescape(document); err == nil {
		document = decoded
	}
	var policy struct {
		Statement []struct {
			Effect    string
			Principal json.RawMessage
		}
	}
	if json.Unmarshal([]byte(document), &policy) != nil {
		return false
	}
	for _, s := range policy.Statement {
		if s.Effect == "Allow" && (strings.Contains(string(s.Principal), `"`+account+`"`) || strings.Contains(string(s.Principal), ":"+account+":")) {
			return true
		}
	}
	return false
}

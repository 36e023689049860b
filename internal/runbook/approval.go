package runbook

import (
	"fmt"
	"io"
	"strings"
)

// principal is one the approver role trusts: its ARN, whether it is an IAM user, and whether
// the trust asks it for MFA (aws:MultiFactorAuthPresent).
type principal struct {
	ARN       string
	User, MFA bool
}

// trustedPrincipals reads the AWS principals a role's trust policy allows to assume it.
func trustedPrincipals(doc any) []principal {
	d, _ := doc.(map[string]any)
	var out []principal
	for _, st := range list(d["Statement"]) {
		m, _ := st.(map[string]any)
		if m["Effect"] != "Allow" {
			continue
		}
		condition, _ := m["Condition"].(map[string]any)
		present, _ := condition["Bool"].(map[string]any)
		mfa := fmt.Sprint(present["aws:MultiFactorAuthPresent"]) == "true"
		who, _ := m["Principal"].(map[string]any)
		for _, arn := range arnsOf(who["AWS"]) {
			out = append(out, principal{ARN: arn, User: strings.Contains(arn, ":user/"), MFA: mfa})
		}
	}
	return out
}

// arnsOf is a principal value's ARNs: a string, a list, or a join over the partition.
func arnsOf(v any) []string {
	switch value := v.(type) {
	case string:
		return []string{value}
	case []any:
		var out []string
		for _, item := range value {
			out = append(out, arnsOf(item)...)
		}
		return out
	case map[string]any:
		join, _ := value["Fn::Join"].([]any)
		if len(join) != 2 {
			return nil
		}
		var b strings.Builder
		for _, part := range list(join[1]) {
			if ref := refOf(part); ref == "AWS::Partition" {
				b.WriteString("aws")
			} else if ref != "" {
				b.WriteString("<" + ref + ">")
			} else {
				b.WriteString(str(part))
			}
		}
		return []string{b.String()}
	}
	return nil
}

// startExecution is the command that starts a plan's execution in target and keeps its ID.
func startExecution(p plan, target, mode string) string {
	return fmt.Sprintf("EXECUTION=$(aws arc-region-switch start-plan-execution --region %s --plan-arn \"$PLAN\" --target-region %s --action activate --mode %s --query executionId --output text)",
		target, target, mode)
}

// approvalMinutes is the approval step's timeout: ARC waits 60 minutes when the plan sets none.
func approvalMinutes(s step) float64 {
	if s.Minutes == 0 {
		return 60
	}
	return s.Minutes
}

// renderApproval says who may approve the plan's step, for how long, and what happens if no one
// does; then how to approve it as the approver role, with MFA where the trust asks for it.
func renderApproval(w io.Writer, p plan, s step, approver, region string) {
	var who []string
	for _, a := range p.Approvers {
		kind := "the role"
		switch {
		case a.User:
			kind = "the IAM user"
		case strings.HasSuffix(a.ARN, ":root"):
			kind = "any principal allowed to assume roles in the account of"
		}
		note := ""
		if a.MFA {
			note = " (only with MFA)"
		}
		who = append(who, fmt.Sprintf("%s `%s`%s", kind, a.ARN, note))
	}
	fmt.Fprintf(w, "The plan waits at its step `%s` for at most %s min (the step's timeout in the plan). Only the approver role\n", s.Name, trim(approvalMinutes(s)))
	fmt.Fprintf(w, "`%s` may approve it", approver)
	if len(who) > 0 {
		fmt.Fprintf(w, ", so only those its trust policy names: %s", strings.Join(who, ", "))
	}
	fmt.Fprintln(w, ".")
	fmt.Fprintln(w, "If no one approves in time, the step times out and the execution does not go on to the database step: the")
	fmt.Fprintln(w, "writer stays where it is. Start the plan again (with an approver at hand), or go on by hand (below).")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "```sh")
	fmt.Fprintf(w, "APPROVER=%s\n", approver)
	assume := fmt.Sprintf("aws sts assume-role --region %s --role-arn \"$APPROVER\" --role-session-name \"$USER-approves\"", region)
	export := ` --query 'Credentials.[AccessKeyId,SecretAccessKey,SessionToken]' --output text | awk '{print "export AWS_ACCESS_KEY_ID="$1" AWS_SECRET_ACCESS_KEY="$2" AWS_SESSION_TOKEN="$3}')"`
	plain := len(p.Approvers) == 0
	for _, a := range p.Approvers {
		plain = plain || !a.MFA
	}
	fmt.Fprintln(w, "# take the approver role's credentials in this shell (the one that holds $PLAN and $EXECUTION)")
	if plain {
		fmt.Fprintf(w, "eval \"$(%s%s\n", assume, export)
	}
	for _, a := range p.Approvers {
		if !a.MFA {
			continue
		}
		account, name := accountOf(a.ARN), a.ARN[strings.LastIndex(a.ARN, "/")+1:]
		fmt.Fprintf(w, "# as %s: the role trusts it only with MFA (your MFA device's ARN, and the code it shows now)\n", name)
		fmt.Fprintf(w, "eval \"$(%s --serial-number arn:aws:iam::%s:mfa/<device name> --token-code <code>%s\n", assume, account, export)
	}
	fmt.Fprintf(w, "aws arc-region-switch approve-plan-execution-step --region %s --plan-arn \"$PLAN\" --execution-id \"$EXECUTION\" --step-name %s --approval approve\n", region, s.Name)
	fmt.Fprintf(w, "aws arc-region-switch get-plan-execution --region %s --plan-arn \"$PLAN\" --execution-id \"$EXECUTION\"\n", region)
	fmt.Fprintln(w, "# back to your own credentials")
	fmt.Fprintln(w, "unset AWS_ACCESS_KEY_ID AWS_SECRET_ACCESS_KEY AWS_SESSION_TOKEN")
	fmt.Fprintln(w, "```")
	fmt.Fprintln(w)
}

// accountOf is the account ID in an IAM ARN (arn:aws:iam::<account>:...).
func accountOf(arn string) string {
	if parts := strings.Split(arn, ":"); len(parts) > 4 {
		return parts[4]
	}
	return "<account>"
}

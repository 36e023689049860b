package preflight

import (
	"errors"
	"strings"

	"github.com/aws/smithy-go"
)

// couldNot is the finding of a check whose call failed: the permission it needs when AWS
// refused, the error otherwise. It never blocks on its own: the operator decides.
func couldNot(t Target, check, action string, err error) Finding {
	f := Finding{Account: t.Account, Region: t.Region, Check: check, State: Unknown}
	switch {
	case strings.Contains(code(err), "Expired"):
		f.Detail = "needs " + action + ": the credentials have expired"
		f.Fix = "sign in again and run the preflight again"
	case explicitDeny(err):
		f.Detail = "needs " + action + ": an explicit deny in a service control policy refuses it"
		f.Fix = "ask the organization's administrators to allow " + action + " for the preflight's role"
	case accessDenied(err):
		f.Detail = "needs " + action
		f.Fix = "grant it to the preflight's credentials (docs/deploying.md, Preflight)"
	default:
		f.Detail = "needs " + action + ": " + short(err)
		f.Fix = "check the credentials and the network, then run again"
	}
	return f
}

// code is the AWS error code of err ("" when it is not an API error).
func code(err error) string {
	var api smithy.APIError
	if errors.As(err, &api) {
		return api.ErrorCode()
	}
	return ""
}

// notFound reports whether err says the thing asked for does not exist.
func notFound(err error) bool {
	c := code(err)
	return strings.Contains(c, "NotFound") || strings.HasPrefix(c, "NoSuch") || strings.Contains(c, "DoesNotExist") || strings.Contains(c, "NonExistent")
}

func accessDenied(err error) bool {
	c := code(err)
	return strings.Contains(c, "AccessDenied") || c == "UnauthorizedOperation" || c == "AuthorizationError" ||
		c == "UnrecognizedClientException" || c == "ExpiredToken" || c == "ExpiredTokenException" || c == "InvalidClientTokenId"
}

// explicitDeny reports whether AWS refused err's call by an explicit deny in a service control
// policy (the wording of IAM's enhanced access-denied messages).
func explicitDeny(err error) bool {
	return accessDenied(err) && strings.Contains(err.Error(), "explicit deny in a service control policy")
}

func short(err error) string {
	msg := err.Error()
	var api smithy.APIError
	if errors.As(err, &api) {
		msg = api.ErrorCode() + ": " + api.ErrorMessage()
	}
	if len(msg) > 160 {
		msg = msg[:160] + "…"
	}
	return msg
}

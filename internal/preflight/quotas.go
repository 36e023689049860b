package preflight

import (
	"context"
	"fmt"
	"strconv"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/servicequotas"
)

// quota is one Service Quotas quota the platform's templates need in an account-region.
type quota struct {
	service, code, what string
	need                float64
}

// quotaCodes are the Service Quotas codes of the quotas the templates use (Service Quotas
// console, each service's quotas, read 2026-12-04).
var quotaCodes = map[string][2]string{
	"Elastic IPs":                        {"ec2", "L-0263D0A3"},
	"NAT gateways per AZ":                {"vpc", "L-FE5A380F"},
	"VPCs":                               {"vpc", "L-F678F1CE"},
	"interface endpoints per VPC":        {"vpc", "L-29B6F2EB"},
	"active peering connections per VPC": {"vpc", "L-7E9ECCDB"},
	"Application Load Balancers":         {"elasticloadbalancing", "L-53DA6B97"},
	"Fargate On-Demand vCPUs":            {"fargate", "L-3032A538"},
	"cache behaviors per distribution":   {"cloudfront", "L-7D134442"},
}

// Quotas compares, in every target, what the templates need of each quota with the value the
// account has. The account's current use is not counted: a quota the platform fills exactly is
// a warning.
func Quotas(ctx context.Context, in *Inputs) []Finding {
	var out []Finding
	for _, t := range in.Targets {
		needs := in.Assembly.Needs(t)
		if len(needs) == 0 {
			continue
		}
		cfg, missing := in.config(ctx, t, "quotas")
		if missing != nil {
			out = append(out, *missing)
			continue
		}
		client := servicequotas.NewFromConfig(cfg)
		for _, q := range needs {
			out = append(out, quotaFinding(ctx, client, t, q))
		}
	}
	return out
}

func quotaFinding(ctx context.Context, client *servicequotas.Client, t Target, q quota) Finding {
	check := "quota " + q.what
	in := &servicequotas.GetServiceQuotaInput{ServiceCode: aws.String(q.service), QuotaCode: aws.String(q.code)}
	got, err := client.GetServiceQuota(ctx, in)
	var value *float64
	if err == nil && got.Quota != nil {
		value = got.Quota.Value
	} else if notFound(err) || code(err) == "NoSuchResourceException" {
		var def *servicequotas.GetAWSDefaultServiceQuotaOutput
		def, err = client.GetAWSDefaultServiceQuota(ctx, &servicequotas.GetAWSDefaultServiceQuotaInput{ServiceCode: in.ServiceCode, QuotaCode: in.QuotaCode})
		if err == nil && def.Quota != nil {
			value = def.Quota.Value
		}
	}
	if err != nil || value == nil {
		if err == nil {
			err = fmt.Errorf("no value for %s %s", q.service, q.code)
		}
		return couldNot(t, check, "servicequotas:GetServiceQuota", err)
	}
	f := Finding{Account: t.Account, Region: t.Region, Check: check, State: OK,
		Detail: fmt.Sprintf("needs %s of %s (%s %s); resources already in the account count too", num(q.need), num(*value), q.service, q.code)}
	fix := fmt.Sprintf("aws service-quotas request-service-quota-increase --service-code %s --quota-code %s --desired-value %s --region %s",
		q.service, q.code, num(q.need+*value), t.Region)
	switch {
	case q.need > *value:
		f.State, f.Fix = Block, fix
	case q.need == *value:
		f.State, f.Fix = Warn, fix
	}
	return f
}

func num(v float64) string { return strconv.FormatFloat(v, 'f', -1, 64) }

package edge

import (
	"fmt"

	"github.com/aws/aws-cdk-go/awscdk/v2"
	"github.com/aws/aws-cdk-go/awscdk/v2/awslogs"
	"github.com/aws/aws-cdk-go/awscdk/v2/awswafv2"
	"github.com/aws/constructs-go/constructs/v10"
	"github.com/aws/jsii-runtime-go"

	"github.com/example/platform/lib/keys"
)

// ManagedRuleGroups are the AWS managed rule groups the web ACL runs, in priority order after
// the IP reputation list and the rate limit.
var ManagedRuleGroups = []string{
	"AWSManagedRulesCommonRuleSet",
	"AWSManagedRulesKnownBadInputsRuleSet",
	"AWSManagedRulesSQLiRuleSet",
}

// newWebACL builds a CLOUDFRONT-scoped web ACL: known-bad addresses first, then a per-IP rate
// limit, then AWS's managed rules for common exploits, known bad inputs and SQL injection;
// requests that pass them all are allowed. It logs to CloudWatch Logs with credentials redacted.
// WAFv2 has no L2 construct, hence the L1s.
func newWebACL(scope constructs.Construct, rateLimit float64, logRetention awslogs.RetentionDays) *string {
	visibility := func(name string) *awswafv2.CfnWebACL_VisibilityConfigProperty {
		return &awswafv2.CfnWebACL_VisibilityConfigProperty{
			CloudWatchMetricsEnabled: jsii.Bool(true), MetricName: jsii.String(name), SampledRequestsEnabled: jsii.Bool(true),
		}
	}
	managed := func(priority float64, name string) *awswafv2.CfnWebACL_RuleProperty {
		return &awswafv2.CfnWebACL_RuleProperty{
			Name:           jsii.String(name),
			Priority:       jsii.Number(priority),
			OverrideAction: &awswafv2.CfnWebACL_OverrideActionProperty{None: map[string]any{}},
			Statement: &awswafv2.CfnWebACL_StatementProperty{ManagedRuleGroupStatement: &awswafv2.CfnWebACL_ManagedRuleGroupStatementProperty{
				VendorName: jsii.String("AWS"), Name: jsii.String(name),
			}},
			VisibilityConfig: visibility(name),
		}
	}
	rules := []any{
		managed(0, "AWSManagedRulesAmazonIpReputationList"),
		&awswafv2.CfnWebACL_RuleProperty{
			Name:     jsii.String("RateLimitPerClientIP"),
			Priority: jsii.Number(1),
			Action:   &awswafv2.CfnWebACL_RuleActionProperty{Block: map[string]any{}},
			Statement: &awswafv2.CfnWebACL_StatementProperty{RateBasedStatement: &awswafv2.CfnWebACL_RateBasedStatementProperty{
				Limit: jsii.Number(rateLimit), AggregateKeyType: jsii.String("IP"), EvaluationWindowSec: jsii.Number(300),
			}},
			VisibilityConfig: visibility("RateLimitPerClientIP"),
		},
	}
	for i, name := range ManagedRuleGroups {
		rules = append(rules, managed(float64(i+2), name))
	}
	stack := awscdk.Stack_Of(scope)
	acl := awswafv2.NewCfnWebACL(scope, jsii.String("WebAcl"), &awswafv2.CfnWebACLProps{
		Scope:            jsii.String("CLOUDFRONT"),
		DefaultAction:    &awswafv2.CfnWebACL_DefaultActionProperty{Allow: map[string]any{}},
		Description:      jsii.String(fmt.Sprintf("%s: managed rules and a rate limit in front of the service", *stack.StackName())),
		Rules:            &rules,
		VisibilityConfig: visibility("WebAcl"),
	})

	// WAF delivers only to log groups whose name starts with aws-waf-logs-, so the name is
	// fixed, and the logs go with the stack: a retained group of that name would make every
	// later create of the stack fail ("already exists"), a retry after a failed one included.
	logName := "aws-waf-logs-" + *stack.StackName()
	logs := awslogs.NewLogGroup(scope, jsii.String("WebAclLogs"), &awslogs.LogGroupProps{
		LogGroupName:  jsii.String(logName),
		Retention:     logRetention,
		EncryptionKey: keys.NewStackKey(scope, "WebAclLogsKey", "Encrypts "+logName),
		RemovalPolicy: awscdk.RemovalPolicy_DESTROY,
	})
	logging := awswafv2.NewCfnLoggingConfiguration(scope, jsii.String("WebAclLogging"), &awswafv2.CfnLoggingConfigurationProps{
		ResourceArn: acl.AttrArn(),
		// WAF wants the log group's ARN without the ":*" CDK's LogGroupArn ends with.
		LogDestinationConfigs: &[]any{stack.FormatArn(&awscdk.ArnComponents{
			Service: jsii.String("logs"), Resource: jsii.String("log-group"), ResourceName: jsii.String(logName),
			ArnFormat: awscdk.ArnFormat_COLON_RESOURCE_NAME,
		})},
		RedactedFields: &[]any{
			&awswafv2.CfnLoggingConfiguration_FieldToMatchProperty{SingleHeader: map[string]any{"Name": "authorization"}},
			&awswafv2.CfnLoggingConfiguration_FieldToMatchProperty{SingleHeader: map[string]any{"Name": "cookie"}},
		},
	})
	logging.Node().AddDependency(logs)
	return acl.AttrArn()
}

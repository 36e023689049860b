package test

import (
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/example/platform/stacks"
	"github.com/example/platform/test/constructkit"
	"github.com/example/platform/test/testkit"
)

// projectStatements are the statements of every policy attached to the service role of a
// CodeBuild project of res.
func projectStatements(res resources, project map[string]any) []map[string]any {
	role, _ := project["ServiceRole"].(map[string]any)["Fn::GetAtt"].([]any)
	if len(role) == 0 {
		return nil
	}
	var statements []map[string]any
	for _, policy := range res.ofType("AWS::IAM::Policy") {
		if strings.Contains(jsonOf(policy["Roles"]), `{"Ref":"`+role[0].(string)+`"}`) {
			statements = append(statements, statementsOf(policy)...)
		}
	}
	return statements
}

// allowsOn reports whether one of statements allows action (exactly named) on resource (exactly
// written, or "*").
func allowsOn(statements []map[string]any, action, resource string) bool {
	for _, s := range statements {
		if s["Effect"] == "Allow" && slices.Contains(stringsOf(s["Action"]), action) && slices.Contains(stringsOf(s["Resource"]), resource) {
			return true
		}
	}
	return false
}

// The Image step reads the scan of what it pushed with ecr:DescribeImageScanFindings. Under
// Amazon Inspector enhanced scanning, which docs/delivery.md tells operators to turn on, ECR answers
// that call from Inspector with the caller's permissions: without inspector2:ListFindings and
// inspector2:ListCoverage (ECR user guide, "IAM permissions required for enhanced scanning"),
// every release would stop at the scan gate.
func TestRelease_TheImageStepCanReadEnhancedScans(t *testing.T) {
	for _, file := range configs {
		p := testkit.Synth(t, file)
		pipeline, res := pipelineOf(t, p)
		statements := projectStatements(res, projectOf(t, res, mustAction(t, pipeline.Stages[1], "Image")))
		for _, action := range []string{"inspector2:ListFindings", "inspector2:ListCoverage"} {
			// Neither action has a resource type to scope it to (Service Authorization Reference, Amazon Inspector2).
			if !allowsOn(statements, action, "*") {
				t.Errorf("%s: the Image step's role may not call %s, which reading an enhanced scan through ECR needs", file, action)
			}
		}
		for _, s := range statements {
			for _, action := range stringsOf(s["Action"]) {
				if strings.HasPrefix(action, "inspector2:") && action != "inspector2:ListFindings" && action != "inspector2:ListCoverage" {
					t.Errorf("%s: the Image step's role may call %s, which reading a scan does not need", file, action)
				}
			}
		}
	}
}

// Rule: a connection accepts only actions of its own ARN's service prefix (codeconnections for
// arn:aws:codeconnections:..., codestar-connections for the older ARNs; "Connections rename -
// Summary of changes"), so every policy of the pipeline's stack that allows an action of one
// prefix on a connection allows the same action of the other prefix on the same resource: the
// source action's role, the pull-request project's, and any other role that reaches the
// repository through the connection.
func TestRule_ConnectionPermissionsCoverBothServicePrefixes(t *testing.T) {
	other := map[string]string{"codeconnections": "codestar-connections", "codestar-connections": "codeconnections"}
	granted := 0
	for _, file := range configs {
		p := testkit.Synth(t, file)
		_, res := pipelineOf(t, p)
		for id, policy := range res.ofType("AWS::IAM::Policy") {
			allowed := map[string]bool{} // action + " on " + resource
			statements := statementsOf(policy)
			for _, s := range statements {
				for _, action := range stringsOf(s["Action"]) {
					for _, resource := range stringsOf(s["Resource"]) {
						if s["Effect"] == "Allow" {
							allowed[action+" on "+resource] = true
						}
					}
				}
			}
			for grant := range allowed {
				prefix, rest, _ := strings.Cut(grant, ":")
				if twin, ok := other[prefix]; ok {
					granted++
					if !allowed[twin+":"+rest] {
						t.Errorf("%s: policy %s allows %s but not %s:%s: the connection accepts only its own ARN's prefix", file, id, grant, twin, rest)
					}
				}
			}
		}
	}
	checkedSomething(t, granted, "connection permission in its pipeline")
}

// The approver can read what they confirm: each gated stage's CheckPermissions.Confirm links to
// the permissions check's build (its page and its log), so the approver role may read that
// project's builds and its log group, /aws/codebuild/<project>, and no other log group.
func TestRelease_TheApproverCanReadThePermissionsCheckItConfirms(t *testing.T) {
	confirms := 0
	for _, file := range configs {
		p := testkit.Synth(t, file)
		pipeline, res := pipelineOf(t, p)
		var approver []map[string]any
		for _, policy := range res.ofType("AWS::IAM::Policy") {
			if strings.Contains(jsonOf(policy["Roles"]), "Approver") {
				approver = append(approver, statementsOf(policy)...)
			}
		}
		for _, env := range p.Config.Environments {
			if !env.NeedsApproval() {
				continue
			}
			stage := stageNamed(t, pipeline, env.Name)
			confirm := mustAction(t, stage, stacks.ConfirmAction)
			check := mustAction(t, stage, stacks.CheckPermissionsStep+".Check")
			if link := jsonOf(confirm.Configuration["ExternalEntityLink"]); !strings.Contains(link, ".LINK}") {
				t.Fatalf("%s/%s: %s links to %s, not to the check's build", file, env.Name, stacks.ConfirmAction, link)
			}
			confirms++
			name, _ := projectOf(t, res, check)["Name"].(string)
			if name == "" {
				t.Errorf("%s/%s: the permissions check's project has no fixed name, so no policy can name it", file, env.Name)
				continue
			}
			project := fmt.Sprintf("arn:aws:codebuild:%s:%s:project/%s", p.Config.Pipeline.Region, p.Config.Pipeline.Account, name)
			logs := fmt.Sprintf("arn:aws:logs:%s:%s:log-group:/aws/codebuild/%s:*", p.Config.Pipeline.Region, p.Config.Pipeline.Account, name)
			for _, want := range []struct{ action, resource string }{
				{"codebuild:BatchGetBuilds", project}, {"logs:GetLogEvents", logs}, {"logs:FilterLogEvents", logs},
			} {
				if !allowsOn(approver, want.action, want.resource) {
					t.Errorf("%s/%s: the approver role may not call %s on %s, which %s links to", file, env.Name, want.action, want.resource, stacks.ConfirmAction)
				}
			}
		}
		for _, s := range approver {
			for _, resource := range stringsOf(s["Resource"]) {
				if strings.Contains(resource, ":logs:") && !strings.Contains(resource, "log-group:/aws/codebuild/") {
					t.Errorf("%s: the approver role may read %s, which no approval links to", file, resource)
				}
			}
		}
	}
	constructkit.CheckedSomething(t, confirms, "CheckPermissions.Confirm in either config")
}

// Every manual approval of the pipeline, in every stage (the baseline's permissions check
// too), is one the approver role may decide: an approval no one may decide stops every release.
func TestRule_TheApproverMayDecideEveryManualApproval(t *testing.T) {
	for _, file := range configs {
		p := testkit.Synth(t, file)
		pipeline, res := pipelineOf(t, p)
		var approver string
		for _, policy := range res.ofType("AWS::IAM::Policy") {
			if strings.Contains(jsonOf(policy["Roles"]), "Approver") && strings.Contains(jsonOf(policy["PolicyDocument"]), "codepipeline:PutApprovalResult") {
				approver = jsonOf(policy["PolicyDocument"])
			}
		}
		approvals := 0
		for _, stage := range pipeline.Stages {
			for _, action := range stage.Actions {
				if action.ActionTypeID.Category != "Approval" {
					continue
				}
				approvals++
				if !strings.Contains(approver, "/"+stage.Name+"/"+action.Name+`"`) {
					t.Errorf("%s: the approver role may not decide %s/%s, so no one can", file, stage.Name, action.Name)
				}
			}
		}
		checkedSomething(t, approvals, "manual approval in its pipeline")
	}
}

package test

import (
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"

	"github.com/aws/aws-cdk-go/awscdk/v2/assertions"
	"github.com/aws/jsii-runtime-go"

	"github.com/example/platform/lib/config"
	"github.com/example/platform/lib/service"
	"github.com/example/platform/stacks"
	"github.com/example/platform/test/constructkit"
	"github.com/example/platform/test/testkit"
)

func TestAppTier_EveryRegionDeploysBlueGreenWithRulesRoleAndRollbackAlarms(t *testing.T) {
	eachRegion(t, func(t *testing.T, p *testkit.Platform, env config.Environment, region config.Region) {
		template := appTemplate(t, p, env, region)
		constructkit.Assert(t, func() {
			template.HasResourceProperties(jsii.String("AWS::ECS::Service"), map[string]any{
				"DeploymentConfiguration": assertions.Match_ObjectLike(&map[string]any{
					"Strategy":                 "BLUE_GREEN",
					"BakeTimeInMinutes":        env.Deployment.BakeTimeMinutes,
					"DeploymentCircuitBreaker": map[string]any{"Enable": true, "Rollback": true},
					"Alarms": assertions.Match_ObjectLike(&map[string]any{
						"Enable": true, "Rollback": true, "AlarmNames": assertions.Match_AnyValue(),
					}),
				}),
				// The edge's load balancer and the internal one (with the test rule), shifted together.
				"LoadBalancers": []any{
					assertions.Match_ObjectLike(&map[string]any{
						"AdvancedConfiguration": map[string]any{
							"AlternateTargetGroupArn": assertions.Match_AnyValue(),
							"ProductionListenerRule":  assertions.Match_AnyValue(),
							"RoleArn":                 assertions.Match_AnyValue(),
						},
					}),
					assertions.Match_ObjectLike(&map[string]any{
						"AdvancedConfiguration": map[string]any{
							"AlternateTargetGroupArn": assertions.Match_AnyValue(),
							"ProductionListenerRule":  assertions.Match_AnyValue(),
							"TestListenerRule":        assertions.Match_AnyValue(),
							"RoleArn":                 assertions.Match_AnyValue(),
						},
					}),
				},
			})
		})
		// The deployment rolls back on the two rollback alarms, named for the runbook.
		res := templateResources(t, p, stacks.StackName(p.Config.Name, env.Name, region.Region, stacks.TierApp))
		var rollbackOn []string
		for _, svc := range res.ofType("AWS::ECS::Service") {
			for _, ref := range asList(svc["DeploymentConfiguration"].(map[string]any)["Alarms"].(map[string]any)["AlarmNames"]) {
				rollbackOn = append(rollbackOn, fmt.Sprint(res.ofType("AWS::CloudWatch::Alarm")[refTo(ref)]["AlarmName"]))
			}
		}
		prefix := stacks.MonitoringName(p.Config.Name, env.Name, region.Region)
		if want := []string{service.RollbackErrorsAlarmName(prefix), service.RollbackUnhealthyAlarmName(prefix)}; !slices.Equal(rollbackOn, want) {
			t.Errorf("deployments roll back on %v, want %v", rollbackOn, want)
		}
	})
}

// Around the edge there is no way in: the public load balancer admits only CloudFront's
// addresses, and forwards only requests carrying the origin secret; the accelerator's load
// balancer is internal.
func TestAppTier_PublicLoadBalancerRejectsRequestsWithoutTheOriginHeader(t *testing.T) {
	eachRegion(t, func(t *testing.T, p *testkit.Platform, env config.Environment, region config.Region) {
		template := appTemplate(t, p, env, region)
		secret := fmt.Sprintf("{{resolve:secretsmanager:%s:SecretString:::}}", stacks.OriginSecretName(p.Config.Name, env.Name))
		port := 80
		if env.DNS != nil {
			port = 443
		}
		constructkit.Assert(t, func() {
			template.HasResourceProperties(jsii.String("AWS::ElasticLoadBalancingV2::ListenerRule"), map[string]any{
				"Conditions": assertions.Match_ArrayWith(&[]any{map[string]any{
					"Field":            "http-header",
					"HttpHeaderConfig": map[string]any{"HttpHeaderName": stacks.OriginHeaderName, "Values": []any{secret}},
				}}),
			})
			template.HasResourceProperties(jsii.String("AWS::ElasticLoadBalancingV2::Listener"), map[string]any{
				"Port": port, "DefaultActions": []any{assertions.Match_ObjectLike(&map[string]any{
					"Type": "fixed-response", "FixedResponseConfig": assertions.Match_ObjectLike(&map[string]any{"StatusCode": "403"}),
				})},
			})
			template.HasResourceProperties(jsii.String("AWS::EC2::SecurityGroupIngress"), map[string]any{
				"SourcePrefixListId": region.CloudFrontPrefixListID, "FromPort": port, "ToPort": port,
			})
			template.HasResourceProperties(jsii.String("AWS::ElasticLoadBalancingV2::LoadBalancer"), map[string]any{"Scheme": "internal"})
		})
		// Only the internal (accelerator) load balancer's group may admit any address.
		var open *map[string]*map[string]any
		constructkit.Assert(t, func() {
			open = template.FindResources(jsii.String("AWS::EC2::SecurityGroup"), map[string]any{
				"Properties": map[string]any{"SecurityGroupIngress": assertions.Match_ArrayWith(&[]any{
					assertions.Match_ObjectLike(&map[string]any{"CidrIp": "0.0.0.0/0"}),
				})},
			})
		})
		// The internal load balancer's group is among them: its clients come from anywhere.
		constructkit.CheckedSomething(t, len(*open), "security group admitting 0.0.0.0/0")
		for id := range *open {
			if !strings.HasPrefix(id, "ServiceAccelerator") {
				t.Errorf("%s admits 0.0.0.0/0; only the internal accelerator load balancer may", id)
			}
		}
	})
}

// With a domain the load balancers serve HTTPS with a certificate for every name that reaches
// them: the region's own origin name, the failover origin name, and the API name.
func TestAppTier_LoadBalancersHaveACertificateForEveryNameWhenThereIsADomain(t *testing.T) {
	eachRegion(t, func(t *testing.T, p *testkit.Platform, env config.Environment, region config.Region) {
		template := appTemplate(t, p, env, region)
		constructkit.Assert(t, func() {
			if env.DNS == nil {
				template.ResourceCountIs(jsii.String("AWS::CertificateManager::Certificate"), jsii.Number(0))
				return
			}
			d := env.DNS.DomainName
			template.HasResourceProperties(jsii.String("AWS::CertificateManager::Certificate"), map[string]any{
				"DomainName":              region.Region + ".origin." + d,
				"SubjectAlternativeNames": []any{"origin." + d, "api." + d},
				"ValidationMethod":        "DNS",
				"DomainValidationOptions": assertions.Match_ArrayWith(&[]any{assertions.Match_ObjectLike(&map[string]any{"HostedZoneId": env.DNS.HostedZoneID})}),
			})
			template.ResourcePropertiesCountIs(jsii.String("AWS::ElasticLoadBalancingV2::Listener"), map[string]any{"Protocol": "HTTPS"}, jsii.Number(3))
		})
	})
}

func TestAppTier_AutoscalingHasTheEnvironmentsBounds(t *testing.T) {
	eachRegion(t, func(t *testing.T, p *testkit.Platform, env config.Environment, region config.Region) {
		template := appTemplate(t, p, env, region)
		constructkit.Assert(t, func() {
			template.HasResourceProperties(jsii.String("AWS::ApplicationAutoScaling::ScalableTarget"), map[string]any{
				"MinCapacity": env.Sizing.MinCapacity, "MaxCapacity": env.Sizing.MaxCapacity,
			})
			template.ResourceCountIs(jsii.String("AWS::ApplicationAutoScaling::ScalingPolicy"), jsii.Number(2))
			template.HasResourceProperties(jsii.String("AWS::ECS::TaskDefinition"), map[string]any{
				"Cpu": jsii.String(jsonNumber(env.Sizing.TaskCPU)), "Memory": jsii.String(jsonNumber(env.Sizing.TaskMemoryMiB)),
			})
		})
	})
}

func TestAppTier_NoPolicyGrantsWildcardActions(t *testing.T) {
	eachRegion(t, func(t *testing.T, p *testkit.Platform, env config.Environment, region config.Region) {
		template := appTemplate(t, p, env, region)
		var policies *map[string]*map[string]any
		constructkit.Assert(t, func() { policies = template.FindResources(jsii.String("AWS::IAM::Policy"), nil) })
		checked := 0
		for id, policy := range *policies {
			for _, statement := range statementsOf(propertiesOf(*policy)) {
				for _, action := range stringsOf(statement["Action"]) {
					checked++
					if action == "*" || strings.HasSuffix(action, ":*") {
						t.Errorf("%s allows %q", id, action)
					}
				}
			}
		}
		constructkit.CheckedSomething(t, checked, "policy action")
	})
}

func TestPlatform_TemplatesHoldNoCrossRegionCustomResources(t *testing.T) {
	eachAssembly(t, func(t *testing.T, a *deployed) {
		for _, s := range a.stacks {
			data := jsonOf(s.Template.Resources)
			if strings.Contains(data, "Custom::CrossRegion") || strings.Contains(data, "ExportsReader") {
				t.Errorf("%s wires values across regions with a custom resource", s.Name)
			}
			if tier := tierOf(s.Name); tier != stacks.TierNetwork && strings.Contains(data, `"Custom::`) {
				t.Errorf("%s holds a custom resource", s.Name)
			}
		}
	})
}

// statefulTiers hold data that a deleted stack would lose.
var statefulTiers = map[string]bool{stacks.TierKeys: true, stacks.TierData: true, stacks.TierEvents: true, stacks.TierLake: true, stacks.TierRegistry: true}

func TestPlatform_StatefulStacksAreProtectedWhereConfigured(t *testing.T) {
	for _, file := range configs {
		p := testkit.Synth(t, file)
		for _, artifact := range p.Artifacts() {
			name := *artifact.StackName()
			protected := artifact.TerminationProtection() != nil && *artifact.TerminationProtection()
			switch {
			case tierOf(name) == stacks.TierRegistry:
				// The tooling account's repositories hold the releases rollbacks go back to.
				if !protected {
					t.Errorf("%s holds the releases but is not termination-protected", name)
				}
			case tierOf(name) == stacks.TierBaseline:
				// The account's detector (its findings go with it), recorder and trail.
				if !protected {
					t.Errorf("%s holds the account's security baseline but is not termination-protected", name)
				}
			case statefulTiers[tierOf(name)]:
				env := environmentOf(p, name)
				if protected != env.Protected() {
					t.Errorf("%s termination protection = %v, want %v", name, protected, env.Protected())
				}
			default:
				if protected {
					t.Errorf("%s is stateless but termination-protected", name)
				}
			}
		}
	}
}

// After a blue/green deployment the production rule points at green, but its template still
// says blue; CloudFormation rewrites it back to blue whenever the rule's declared properties
// change (aws-cdk issue 36649). A new image, a new task size or new scaling bounds must
// therefore leave every listener rule in every app stack exactly as it was.
func TestAppTier_ImageSizeAndScalingChangesLeaveListenerRulesUntouched(t *testing.T) {
	before := testkit.Synth(t, twoEnvironments)
	after := changedRelease(t)

	// The released variant has every app stack of the fixture but staging's second region's.
	apps := 0
	for _, name := range after.StackNames() {
		if tierOf(name) != stacks.TierApp {
			continue
		}
		apps++
		was, is := listenerRules(t, before.Template(t, name)), listenerRules(t, after.Template(t, name))
		if was != is {
			t.Errorf("%s: listener rules changed:\nbefore %s\nafter  %s", name, was, is)
		}
		if image(t, after.Template(t, name)) == image(t, before.Template(t, name)) {
			t.Errorf("%s: the image did not change, so this test proves nothing", name)
		}
	}
	constructkit.CheckedSomething(t, apps, "app stack")
	if apps < 3 {
		t.Errorf("compared %d app stacks; want a primary and a secondary region's at least", apps)
	}
}

func listenerRules(t *testing.T, template assertions.Template) string {
	t.Helper()
	var found *map[string]*map[string]any
	constructkit.Assert(t, func() { found = template.FindResources(jsii.String("AWS::ElasticLoadBalancingV2::ListenerRule"), nil) })
	if len(*found) != 3 {
		t.Fatalf("want production rules for the edge and the accelerator, and a test rule; found %d", len(*found))
	}
	data, _ := json.Marshal(found)
	return string(data)
}

func image(t *testing.T, template assertions.Template) string {
	t.Helper()
	var found *map[string]*map[string]any
	constructkit.Assert(t, func() { found = template.FindResources(jsii.String("AWS::ECS::TaskDefinition"), nil) })
	data, _ := json.Marshal(found)
	return string(data)
}

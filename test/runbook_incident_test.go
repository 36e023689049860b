package test

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/example/platform/internal/runbook"
	"github.com/example/platform/test/constructkit"
)

// runbookSections splits the runbook into its environments' sections ("## <env>") and those
// into their parts ("### <title>"), by title.
func runbookSections(doc string) map[string]map[string]string {
	envs := map[string]map[string]string{}
	for _, env := range strings.Split(doc, "\n## ")[1:] {
		name, body, _ := strings.Cut(env, "\n")
		parts := map[string]string{}
		for _, part := range strings.Split(body, "\n### ")[1:] {
			title, text, _ := strings.Cut(part, "\n")
			parts[title] = text
		}
		envs[name] = parts
	}
	return envs
}

// failoverPath are the runbook's parts an operator follows while the primary region fails.
var failoverPath = []string{"Move the environment to another region", "By hand, if a plan cannot run", "After the switch: check reads and writes from outside"}

var (
	regionFlag = regexp.MustCompile(`--region (\S+)`)
	awsCall    = regexp.MustCompile(`\baws [a-z0-9-]+ [a-z0-9-]+`)
)

// Nothing an operator runs to move an environment asks the primary region: it may be the one
// that is failing.
func TestRunbook_FailoverPathNeverAsksThePrimaryRegion(t *testing.T) {
	eachAssembly(t, func(t *testing.T, a *deployed) {
		sections := runbookSections(renderRunbook(a, a.platform.ConfigFile))
		commands := 0
		for _, env := range a.platform.Config.Environments {
			if len(env.Regions) < 2 {
				continue
			}
			primary := env.Regions[0].Region
			for _, title := range failoverPath {
				text, ok := sections[env.Name][title]
				if !ok {
					t.Errorf("%s: the runbook has no %q", env.Name, title)
					continue
				}
				for _, m := range regionFlag.FindAllStringSubmatch(text, -1) {
					commands++
					if m[1] == primary {
						t.Errorf("%s: %q asks %s, the primary region, which may be the one failing", env.Name, title, primary)
					}
				}
				// A call without --region goes to the CLI's default region, which may be the
				// primary; only CloudFront's API is global.
				for _, line := range strings.Split(text, "\n") {
					calls := len(awsCall.FindAllString(line, -1)) - strings.Count(line, "aws cloudfront ")
					if calls > strings.Count(line, "--region ") {
						t.Errorf("%s: %q has a call without --region: %s", env.Name, title, line)
					}
				}
			}
		}
		constructkit.CheckedSomething(t, commands, "command on the failover path")
	})
}

var (
	planLookup = regexp.MustCompile(`list-plans-in-region --region (\S+) --query "plans\[\?name=='([^']+)'\]\.arn"`)
	roleArn    = regexp.MustCompile(`APPROVER=arn:aws:iam::(\d{12}):role/(\S+)`)
)

// The runbook finds each plan in a region the plan runs in, by a name the assembly gives it,
// and names the approver role by a name the assembly gives a role.
func TestRunbook_FindsPlansAndTheApproverWhereTheyAnswer(t *testing.T) {
	eachAssembly(t, func(t *testing.T, a *deployed) {
		doc := renderRunbook(a, a.platform.ConfigFile)
		plans, roles := map[string][]string{}, map[string]string{}
		for _, s := range a.stacks {
			for _, r := range s.Template.Resources {
				props := propertiesOf(r)
				switch r["Type"] {
				case "AWS::ARCRegionSwitch::Plan":
					for _, region := range props["Regions"].([]any) {
						plans[str(props["Name"])] = append(plans[str(props["Name"])], str(region))
					}
				case "AWS::IAM::Role":
					if name := str(props["RoleName"]); name != "" {
						roles[name] = s.Account
					}
				}
			}
		}
		found := planLookup.FindAllStringSubmatch(doc, -1)
		for _, m := range found {
			if !slices.Contains(plans[m[2]], m[1]) {
				t.Errorf("the runbook looks plan %s up in %s, which is not one of its regions %v", m[2], m[1], plans[m[2]])
			}
		}
		if hasResource(a, "AWS::ARCRegionSwitch::Plan") {
			constructkit.CheckedSomething(t, len(found), "plan lookup")
		}
		for _, m := range roleArn.FindAllStringSubmatch(doc, -1) {
			if roles[m[2]] != m[1] {
				t.Errorf("the runbook's approver %s in %s is no role of the assembly", m[2], m[1])
			}
		}
	})
}

var transition = regexp.MustCompile(`aws codepipeline (disable|enable)-stage-transition --region (\S+) --pipeline-name (\S+) --stage-name (\S+) --transition-type Inbound`)

// Every environment that can move is frozen first and opened again after fail-back, on the
// synthesized pipeline's stage that deploys it, in the pipeline's region.
func TestRunbook_FreezesThePipelineStageThatDeploysTheEnvironment(t *testing.T) {
	eachAssembly(t, func(t *testing.T, a *deployed) {
		sections := runbookSections(renderRunbook(a, a.platform.ConfigFile))
		checked := 0
		for _, env := range a.platform.Config.Environments {
			if len(env.Regions) < 2 {
				continue
			}
			verbs := map[string]bool{}
			for _, text := range sections[env.Name] {
				for _, m := range transition.FindAllStringSubmatch(text, -1) {
					checked++
					verbs[m[1]] = true
					region, name, stage := m[2], m[3], m[4]
					if !pipelineDeploys(a, region, name, stage, env.Name+"-"+env.Regions[0].Region) {
						t.Errorf("%s: the runbook's %s names pipeline %s stage %s in %s, which does not deploy it", env.Name, m[1], name, stage, region)
					}
				}
			}
			if !verbs["disable"] || !verbs["enable"] {
				t.Errorf("%s: the runbook must freeze the pipeline before a switch and open it after fail-back (has %v)", env.Name, verbs)
			}
		}
		constructkit.CheckedSomething(t, checked, "pipeline freeze")
	})
}

// pipelineDeploys reports whether the pipeline name in region has a stage named stage whose
// actions deploy a stack whose name contains stackPart.
func pipelineDeploys(a *deployed, region, name, stage, stackPart string) bool {
	for _, s := range a.stacks {
		for _, r := range s.Template.Resources {
			props := propertiesOf(r)
			if r["Type"] != "AWS::CodePipeline::Pipeline" || str(props["Name"]) != name || s.Region != region {
				continue
			}
			for _, st := range props["Stages"].([]any) {
				m := st.(map[string]any)
				if str(m["Name"]) != stage {
					continue
				}
				for _, action := range m["Actions"].([]any) {
					if strings.Contains(str(action.(map[string]any)["Name"]), stackPart) {
						return true
					}
				}
			}
		}
	}
	return false
}

// The checks after a switch call the site and the API by the names the assembly gives them,
// on routes the shipped service serves.
func TestRunbook_ChecksAfterTheSwitchReachTheServiceThroughBothWaysIn(t *testing.T) {
	source, err := os.ReadFile(filepath.Join(constructkit.RepoRoot(t), "api", "internal", "httpapi", "httpapi.go"))
	if err != nil {
		t.Fatal(err)
	}
	for _, route := range []string{`ReadyPath\s*=\s*"` + runbook.ReadyPath + `"`, `"POST ` + runbook.ItemsPath + `"`, `"GET ` + runbook.ItemsPath + `/\{id\}"`} {
		if !regexp.MustCompile(route).Match(source) {
			t.Errorf("the service serves no %s, which the runbook calls", route)
		}
	}
	eachAssembly(t, func(t *testing.T, a *deployed) {
		sections := runbookSections(renderRunbook(a, a.platform.ConfigFile))
		outputs, comments, accelerators := map[string]bool{}, map[string]bool{}, map[string]string{}
		for _, s := range a.stacks {
			for _, key := range []string{"SiteUrl", "ApiUrl"} {
				if o, ok := s.Template.Outputs[key].(map[string]any); ok {
					if v, ok := o["Value"].(string); ok {
						outputs[v] = true
					}
				}
			}
			for _, r := range s.Template.Resources {
				props := propertiesOf(r)
				switch r["Type"] {
				case "AWS::CloudFront::Distribution":
					comments[str(props["DistributionConfig"].(map[string]any)["Comment"])] = true
				case "AWS::GlobalAccelerator::Accelerator":
					accelerators[str(props["Name"])] = s.Region
				}
			}
		}
		checked := 0
		for _, env := range a.platform.Config.Environments {
			text := sections[env.Name][failoverPath[2]]
			if len(env.Regions) < 2 {
				continue
			}
			for _, name := range []string{"SITE", "API"} {
				m := regexp.MustCompile(`(?m)^` + name + `=(.+)$`).FindStringSubmatch(text)
				if m == nil {
					t.Errorf("%s: the checks after a switch do not reach the service as $%s", env.Name, name)
					continue
				}
				checked++
				value := m[1]
				switch {
				case strings.Contains(value, "list-distributions"):
					if c := regexp.MustCompile(`Comment=='([^']+)'`).FindStringSubmatch(value); c == nil || !comments[c[1]] {
						t.Errorf("%s: $%s finds a distribution the assembly does not have: %s", env.Name, name, value)
					}
				case strings.Contains(value, "list-accelerators"):
					r := regexp.MustCompile(`--region (\S+) --query "Accelerators\[\?Name=='([^']+)'\]`).FindStringSubmatch(value)
					if r == nil || accelerators[r[2]] != r[1] {
						t.Errorf("%s: $%s finds an accelerator the assembly does not have: %s", env.Name, name, value)
					}
				case !outputs[value]:
					t.Errorf("%s: $%s is %s, which no stack outputs", env.Name, name, value)
				}
			}
			for _, path := range []string{runbook.ReadyPath, runbook.ItemsPath} {
				if !strings.Contains(text, `"$BASE`+path+`"`) {
					t.Errorf("%s: the checks after a switch do not call %s", env.Name, path)
				}
			}
		}
		constructkit.CheckedSomething(t, checked, "way into the service checked after a switch")
	})
}

// With three or more regions the runbook moves to the region the edge's origin group already
// fails over to: the second in the config.
func TestRunbook_MovesToTheRegionTheEdgeFailsOverTo(t *testing.T) {
	eachAssembly(t, func(t *testing.T, a *deployed) {
		sections := runbookSections(renderRunbook(a, a.platform.ConfigFile))
		checked := 0
		for _, env := range a.platform.Config.Environments {
			if len(env.Regions) < 2 {
				continue
			}
			checked++
			if want := "Move to **" + env.Regions[1].Region + "**"; !strings.Contains(sections[env.Name]["Which region to move to"], want) {
				t.Errorf("%s: the runbook does not say %q", env.Name, want)
			}
		}
		constructkit.CheckedSomething(t, checked, "environment with somewhere to move")
	})
}

// Each secondary's loss is covered: its queue, its archive and its canaries by name; and every
// region with a backup plan is checked for the Aurora opt-in.
func TestRunbook_SaysWhatALostSecondaryTakesAndChecksAuroraOptIn(t *testing.T) {
	eachAssembly(t, func(t *testing.T, a *deployed) {
		sections := runbookSections(renderRunbook(a, a.platform.ConfigFile))
		checked := 0
		for _, env := range a.platform.Config.Environments {
			loss := sections[env.Name]["Losing a secondary region"]
			optIn := sections[env.Name]["Aurora backups need each region's opt-in"]
			for i, r := range env.Regions {
				for _, s := range a.stacks {
					if s.Stage != env.Name || s.Region != r.Region {
						continue
					}
					for _, res := range s.Template.Resources {
						props := propertiesOf(res)
						switch res["Type"] {
						case "AWS::Backup::BackupPlan":
							checked++
							for _, verb := range []string{"describe-region-settings --region " + r.Region, "update-region-settings --region " + r.Region + " --resource-type-opt-in-preference Aurora=true"} {
								if !strings.Contains(optIn, verb) {
									t.Errorf("%s: the runbook does not %s", env.Name, verb)
								}
							}
						case "AWS::SQS::Queue", "AWS::Events::Archive", "AWS::Synthetics::Canary":
							name := str(props["QueueName"]) + str(props["ArchiveName"]) + str(props["Name"])
							if i == 0 || name == "" {
								continue
							}
							checked++
							_, part, _ := strings.Cut(loss, "#### If "+r.Region+" is lost\n")
							part, _, _ = strings.Cut(part, "####")
							if !strings.Contains(part, "`"+name+"`") {
								t.Errorf("%s: the runbook does not say what happens to %s when %s is lost", env.Name, name, r.Region)
							}
						}
					}
				}
			}
		}
		constructkit.CheckedSomething(t, checked, "secondary's queue, archive, canary or backup plan")
	})
}

// docs/disaster-recovery.md does not promise Aurora backups by ARN alone: AWS Backup backs Aurora up only
// where the region has opted in, and it says how to check and enable it.
func TestReadme_AuroraBackupsNeedTheRegionsOptIn(t *testing.T) {
	section := docSection(t, "docs/disaster-recovery.md", "### Backups that survive corruption")
	if strings.Contains(section, "whatever the region's service opt-in settings say |") {
		t.Error("docs/disaster-recovery.md says resources assigned by ARN are backed up whatever the opt-in says; Aurora is the exception")
	}
	for _, want := range []string{"describe-region-settings --region <region> --query 'ResourceTypeOptInPreference.Aurora'", "update-region-settings --region <region> --resource-type-opt-in-preference Aurora=true"} {
		if !strings.Contains(section, want) {
			t.Errorf("docs/disaster-recovery.md's backups section does not say how to check and enable the Aurora opt-in: %s", want)
		}
	}
}

// The decision to fail over is in the runbook: the primary's own alarm and the observer's for
// it by name, and AWS Health asked at the endpoint that answers for it.
func TestRunbook_SaysWhenToFailOver(t *testing.T) {
	eachAssembly(t, func(t *testing.T, a *deployed) {
		sections := runbookSections(renderRunbook(a, a.platform.ConfigFile))
		checked := 0
		for _, env := range a.platform.Config.Environments {
			if len(env.Regions) < 2 {
				continue
			}
			checked++
			text := sections[env.Name]["When to fail over"]
			primary := env.Regions[0].Region
			prefix := a.platform.Config.Name + "-" + env.Name + "-" + primary
			wants := []string{"`" + prefix + "-region-unhealthy`", "aws health describe-events --region us-east-1 --filter eventStatusCodes=open,regions=" + primary}
			if alarmNamed(a, prefix+"-observer-health") {
				wants = append(wants, "`"+prefix+"-observer-health`")
			}
			for _, want := range wants {
				if !strings.Contains(text, want) {
					t.Errorf("%s: the runbook's decision to fail over does not name %s", env.Name, want)
				}
			}
		}
		constructkit.CheckedSomething(t, checked, "environment with a failover decision")
	})
}

func alarmNamed(a *deployed, name string) bool {
	for _, s := range a.stacks {
		for _, r := range s.Template.Resources {
			if r["Type"] == "AWS::CloudWatch::Alarm" && str(propertiesOf(r)["AlarmName"]) == name {
				return true
			}
		}
	}
	return false
}

// Every alarm the runbook reads is asked of the region whose stack creates it.
func TestRunbook_ReadsEachAlarmInItsOwnRegion(t *testing.T) {
	eachAssembly(t, func(t *testing.T, a *deployed) {
		doc := renderRunbook(a, a.platform.ConfigFile)
		regions := map[string]string{}
		for _, s := range a.stacks {
			for _, r := range s.Template.Resources {
				if r["Type"] == "AWS::CloudWatch::Alarm" || r["Type"] == "AWS::CloudWatch::CompositeAlarm" {
					regions[str(propertiesOf(r)["AlarmName"])] = s.Region
				}
			}
		}
		found := regexp.MustCompile(`describe-alarms --region (\S+) --alarm-names (\S+)`).FindAllStringSubmatch(doc, -1)
		for _, m := range found {
			if regions[m[2]] != m[1] {
				t.Errorf("the runbook reads alarm %s in %s; it is in %q", m[2], m[1], regions[m[2]])
			}
		}
		constructkit.CheckedSomething(t, len(found), "alarm the runbook reads")
	})
}

package diagram

import (
	"fmt"
	"io"
	"maps"
	"slices"
	"strings"

	"github.com/example/platform/internal/assembly"
)

// environment is what the request and replication picture needs of one stage, read from its
// templates: where the service runs, which region writes, and what replicates where.
type environment struct {
	Name, Primary string
	// Regional: the environment's one region runs a regional Aurora cluster, no global database.
	Regional      bool
	Regions       []string // with a service; the primary first, then by name
	Edge          *assembly.Stack
	Fallback      string // the origin group's second member's region
	FailoverName  string // origin.<domain>, "" without a domain
	Accelerator   *assembly.Stack
	Groups        []string // regions with an accelerator endpoint group
	TableReplicas []string
	// LakeTo, CopiesTo: by source region, the regions a lake bucket replicates to and a
	// backup plan copies to.
	LakeTo, CopiesTo map[string][]string
	// Events: the regions whose events stack has a bus, archive, queue and stream.
	Events []string
}

// readPaths reads the stages that run a service, in stage order.
func readPaths(stacks []*assembly.Stack) []*environment {
	byStage := map[string][]*assembly.Stack{}
	for _, s := range stacks {
		byStage[s.Stage] = append(byStage[s.Stage], s)
	}
	var envs []*environment
	for _, stage := range slices.Sorted(maps.Keys(byStage)) {
		env := &environment{Name: stage, LakeTo: map[string][]string{}, CopiesTo: map[string][]string{}}
		services, events, clusters := map[string]bool{}, map[string]bool{}, map[string]bool{}
		for _, s := range byStage[stage] {
			types := s.ResourceTypes()
			if types["AWS::Events::EventBus"] > 0 && types["AWS::Events::Archive"] > 0 && types["AWS::SQS::Queue"] > 0 {
				events[s.Region] = true
			}
			for _, id := range slices.Sorted(maps.Keys(s.Template.Resources)) {
				r := s.Template.Resources[id]
				props, _ := r["Properties"].(map[string]any)
				switch r["Type"] {
				case "AWS::ECS::Service":
					services[s.Region] = true
				case "AWS::RDS::GlobalCluster":
					env.Primary = s.Region
				case "AWS::RDS::DBCluster":
					clusters[s.Region] = true
				case "AWS::CloudFront::Distribution":
					env.Edge = s
					config, _ := props["DistributionConfig"].(map[string]any)
					env.Fallback = fallback(config)
				case "AWS::Route53::RecordSet":
					if props["Failover"] == "PRIMARY" {
						env.FailoverName = strings.TrimSuffix(fmt.Sprint(props["Name"]), ".")
					}
				case "AWS::GlobalAccelerator::EndpointGroup":
					env.Accelerator = s
					env.Groups = append(env.Groups, fmt.Sprint(props["EndpointGroupRegion"]))
				case "AWS::DynamoDB::GlobalTable":
					for _, rr := range items(props["Replicas"]) {
						env.TableReplicas = append(env.TableReplicas, fmt.Sprint(rr["Region"]))
					}
				case "AWS::S3::Bucket":
					replication, _ := props["ReplicationConfiguration"].(map[string]any)
					for _, rule := range items(replication["Rules"]) {
						dest, _ := rule["Destination"].(map[string]any)
						// arn:aws:s3:::<platform>-<env>-<account>-<region>-lake
						if to := regionIn(fmt.Sprint(dest["Bucket"]), byStage[stage]); to != "" {
							env.LakeTo[s.Region] = append(env.LakeTo[s.Region], to)
						}
					}
				case "AWS::Backup::BackupPlan":
					body, _ := props["BackupPlan"].(map[string]any)
					for _, rule := range items(body["BackupPlanRule"]) {
						for _, c := range items(rule["CopyActions"]) {
							// arn:aws:backup:<region>:<account>:backup-vault:<name>
							if parts := strings.Split(fmt.Sprint(c["DestinationBackupVaultArn"]), ":"); len(parts) > 3 {
								env.CopiesTo[s.Region] = append(env.CopiesTo[s.Region], parts[3])
							}
						}
					}
				}
			}
		}
		if env.Primary == "" && len(clusters) == 1 {
			// No global database: the one region's cluster is a regional one.
			env.Primary, env.Regional = slices.Collect(maps.Keys(clusters))[0], true
		}
		if env.Primary == "" || len(services) == 0 {
			continue // the baseline, tooling and pipeline run no service
		}
		env.Regions = append([]string{env.Primary}, slices.DeleteFunc(slices.Sorted(maps.Keys(services)), func(r string) bool { return r == env.Primary })...)
		env.Events = slices.Sorted(maps.Keys(events))
		slices.Sort(env.Groups)
		envs = append(envs, env)
	}
	return envs
}

// renderPaths draws, per environment, how requests reach the service and how data and events
// move between regions.
func renderPaths(w io.Writer, stacks []*assembly.Stack) {
	envs := readPaths(stacks)
	if len(envs) == 0 {
		return
	}
	fmt.Fprintln(w)
	fmt.Fprintln(w, "## Request and replication paths")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Solid arrows carry requests; dotted arrows replicate data or copy backups between regions.")
	if slices.ContainsFunc(envs, func(e *environment) bool { return !e.Regional }) {
		fmt.Fprintln(w, "Every region's service writes through the global writer endpoint to the primary's cluster.")
	}
	for _, env := range envs {
		fmt.Fprintln(w)
		fmt.Fprintf(w, "### %s\n\n", env.Name)
		if env.Regional {
			fmt.Fprintf(w, "One region with a regional Aurora cluster (no global database): the service writes to the cluster's own writer endpoint.\n\n")
		}
		fmt.Fprintln(w, "```mermaid")
		fmt.Fprintln(w, "flowchart LR")
		n := func(parts ...string) string { return id(append([]string{"p", env.Name}, parts...)...) }
		fmt.Fprintf(w, "  %s([\"users\"])\n", n("users"))
		for _, r := range env.Regions {
			role := "secondary"
			if env.Regional {
				role = "writer"
			} else if r == env.Primary {
				role = "primary: writer"
			}
			fmt.Fprintf(w, "  subgraph %s[\"%s (%s)\"]\n", n("region", r), r, role)
			fmt.Fprintf(w, "    %s[\"public ALB\"] --> %s[\"Fargate service\"]\n", n(r, "alb"), n(r, "svc"))
			if slices.Contains(env.Groups, r) {
				fmt.Fprintf(w, "    %s[\"internal ALB\"] --> %s\n", n(r, "ialb"), n(r, "svc"))
			}
			fmt.Fprintf(w, "    %s[(\"Aurora cluster\")]\n", n(r, "db"))
			if r == env.Primary {
				fmt.Fprintf(w, "    %s -->|reads and writes| %s\n", n(r, "svc"), n(r, "db"))
			} else {
				fmt.Fprintf(w, "    %s -->|reads| %s\n", n(r, "svc"), n(r, "db"))
			}
			if slices.Contains(env.TableReplicas, r) {
				fmt.Fprintf(w, "    %s[(\"table replica\")]\n", n(r, "table"))
				fmt.Fprintf(w, "    %s -->|reads and writes| %s\n", n(r, "svc"), n(r, "table"))
			}
			fmt.Fprintf(w, "    %s[(\"lake bucket\")]\n", n(r, "lake"))
			if slices.Contains(env.Events, r) {
				fmt.Fprintf(w, "    %s[\"event bus\"] --> %s[\"archive\"]\n", n(r, "bus"), n(r, "archive"))
				fmt.Fprintf(w, "    %s --> %s[\"work queue → DLQ\"]\n", n(r, "bus"), n(r, "queue"))
				fmt.Fprintf(w, "    %s --> %s[\"stream → Firehose\"] --> %s\n", n(r, "bus"), n(r, "stream"), n(r, "lake"))
				fmt.Fprintf(w, "    %s -->|events| %s\n", n(r, "svc"), n(r, "bus"))
			}
			fmt.Fprintln(w, "  end")
		}
		for _, r := range env.Regions {
			if r != env.Primary {
				fmt.Fprintf(w, "  %s -->|writes: global writer endpoint| %s\n", n(r, "svc"), n(env.Primary, "db"))
				fmt.Fprintf(w, "  %s -.->|storage replication| %s\n", n(env.Primary, "db"), n(r, "db"))
			}
		}
		if env.Edge != nil {
			fmt.Fprintf(w, "  %s[\"CloudFront + WAF (%s)\"]\n", n("edge"), env.Edge.Name)
			fmt.Fprintf(w, "  %s -->|site and API| %s\n", n("users"), n("edge"))
			primary := "origin group: primary"
			if env.FailoverName != "" {
				primary += ", " + env.FailoverName + ", which follows the writer"
			}
			fmt.Fprintf(w, "  %s -->|%s| %s\n", n("edge"), primary, n(env.Primary, "alb"))
			if env.Fallback != "" && env.Fallback != env.Primary {
				fmt.Fprintf(w, "  %s -.->|reads fail over| %s\n", n("edge"), n(env.Fallback, "alb"))
			}
		}
		if env.Accelerator != nil {
			fmt.Fprintf(w, "  %s[\"Global Accelerator (%s)\"]\n", n("ga"), env.Accelerator.Name)
			fmt.Fprintf(w, "  %s -->|API, static addresses| %s\n", n("users"), n("ga"))
			for _, r := range env.Groups {
				fmt.Fprintf(w, "  %s -->|nearest healthy| %s\n", n("ga"), n(r, "ialb"))
			}
		}
		for i, a := range env.TableReplicas {
			for _, b := range env.TableReplicas[i+1:] {
				fmt.Fprintf(w, "  %s <-.->|table replication| %s\n", n(a, "table"), n(b, "table"))
			}
		}
		for _, from := range slices.Sorted(maps.Keys(env.LakeTo)) {
			for _, to := range env.LakeTo[from] {
				fmt.Fprintf(w, "  %s -.->|bucket replication| %s\n", n(from, "lake"), n(to, "lake"))
			}
		}
		for _, from := range slices.Sorted(maps.Keys(env.CopiesTo)) {
			for _, to := range env.CopiesTo[from] {
				fmt.Fprintf(w, "  %s -.->|backup copies, vault to vault| %s\n", n("region", from), n("region", to))
			}
		}
		fmt.Fprintln(w, "```")
	}
}

// fallback is the region of the origin group's second member (from its name
// "<region>.origin.<domain>" or the app stack output it is read from).
func fallback(config map[string]any) string {
	groups, _ := config["OriginGroups"].(map[string]any)
	for _, g := range items(groups["Items"]) {
		members, _ := g["Members"].(map[string]any)
		list := items(members["Items"])
		if len(list) < 2 {
			continue
		}
		for _, o := range items(config["Origins"]) {
			if o["Id"] != list[1]["OriginId"] {
				continue
			}
			if name, ok := o["DomainName"].(string); ok {
				region, _, _ := strings.Cut(name, ".")
				return region
			}
			domain, _ := o["DomainName"].(map[string]any)
			output, _ := domain["Fn::GetStackOutput"].(map[string]any)
			return fmt.Sprint(output["Region"])
		}
	}
	return ""
}

// regionIn is the region of stacks whose name ends a bucket ARN ("…-<region>-lake").
func regionIn(bucket string, stacks []*assembly.Stack) string {
	for _, s := range stacks {
		if strings.HasSuffix(bucket, "-"+s.Region+"-lake") {
			return s.Region
		}
	}
	return ""
}

func items(v any) []map[string]any {
	var out []map[string]any
	list, _ := v.([]any)
	for _, e := range list {
		if m, ok := e.(map[string]any); ok {
			out = append(out, m)
		}
	}
	return out
}

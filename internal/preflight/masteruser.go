package preflight

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/service/rds"
)

// EnvironmentRef names an environment of the config: its index and name.
type EnvironmentRef struct {
	Index int
	Name  string
}

// masterUser is a DB cluster the templates create with a fixed identifier and master user.
type masterUser struct {
	Target
	Stack, Cluster, User string
}

// masterUsers are the assembly's DB clusters with both a literal identifier and master user
// (a secondary cluster of a global database has no master user of its own).
func (a *Assembly) masterUsers() []masterUser {
	var out []masterUser
	for _, s := range a.Stacks {
		for _, props := range resources(s, "AWS::RDS::DBCluster") {
			id, okID := literal(props["DBClusterIdentifier"], s.Account, s.Region)
			user, okUser := literal(props["MasterUsername"], s.Account, s.Region)
			if okID && okUser {
				out = append(out, masterUser{Target{s.Account, s.Region}, s.Name, id, user})
			}
		}
	}
	slices.SortFunc(out, func(x, y masterUser) int { return compare(x.Cluster, y.Cluster) })
	return out
}

// MasterUsers checks that every cluster the templates create which exists already was created
// with the master user the template gives it: a different MasterUsername replaces the cluster,
// which its fixed identifier and deletion protection make fail (the default changed from the
// engine's postgres to platform_admin, so a platform deployed before must keep postgres).
func MasterUsers(ctx context.Context, in *Inputs) []Finding {
	var out []Finding
	for _, c := range in.Assembly.masterUsers() {
		check := "master user of " + c.Cluster
		cfg, missing := in.config(ctx, c.Target, check)
		if missing != nil {
			out = append(out, *missing)
			continue
		}
		existing, err := existingMasterUser(ctx, cfg, c.Cluster)
		switch {
		case errors.Is(err, errAbsent) || notFound(err):
			out = append(out, Finding{Account: c.Account, Region: c.Region, Check: check, State: OK, Detail: "no cluster " + c.Cluster + " yet: it is created with " + c.User})
		case err != nil:
			out = append(out, couldNot(c.Target, check, "rds:DescribeDBClusters", err))
		case existing == c.User:
			out = append(out, Finding{Account: c.Account, Region: c.Region, Check: check, State: OK, Detail: "the cluster's master user is " + c.User + ", as the template says"})
		default:
			out = append(out, Finding{Account: c.Account, Region: c.Region, Check: check, State: Block,
				Detail: fmt.Sprintf("the cluster %s of stack %s exists with master user %q, the template gives %q: CloudFormation would replace the cluster, which its fixed identifier and deletion protection make fail", c.Cluster, c.Stack, existing, c.User),
				Fix:    fmt.Sprintf("set %s.database.masterUsername to %q in %s (a change replaces the cluster)", in.environmentOf(c.Stack), existing, in.configFile())})
		}
	}
	return out
}

func existingMasterUser(ctx context.Context, cfg aws.Config, cluster string) (string, error) {
	got, err := rds.NewFromConfig(cfg).DescribeDBClusters(ctx, &rds.DescribeDBClustersInput{DBClusterIdentifier: aws.String(cluster)})
	if err != nil {
		return "", err
	}
	for _, c := range got.DBClusters {
		if strings.EqualFold(aws.ToString(c.DBClusterIdentifier), cluster) {
			return aws.ToString(c.MasterUsername), nil
		}
	}
	return "", errAbsent
}

// environmentOf names the environment a stack belongs to as the config's path does
// ("environments[1] (prod)"), or says "the environment's" when the stack is not known.
func (in *Inputs) environmentOf(stack string) string {
	if env, ok := in.Environments[stack]; ok {
		return fmt.Sprintf("environments[%d] (%s)", env.Index, env.Name)
	}
	return "environments[<n>]"
}

func (in *Inputs) configFile() string {
	if in.ConfigFile != "" {
		return in.ConfigFile
	}
	return "the config file"
}

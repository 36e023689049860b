package preflight

import (
	"context"
	"testing"

	"github.com/example/platform/internal/assembly"
)

// clusterAssembly is a data stack with a primary cluster (a master user) and a secondary
// cluster of a global database (none of its own, so not checked).
func clusterAssembly() *Assembly {
	cluster := func(props map[string]any) map[string]any {
		return map[string]any{"Type": "AWS::RDS::DBCluster", "Properties": props}
	}
	return &Assembly{BootstrapVersion: 6, Stacks: []*assembly.Stack{{
		Name: "prod-us-east-1-data", Account: target.Account, Region: target.Region,
		Template: assembly.Template{Resources: map[string]map[string]any{
			"Primary":   cluster(map[string]any{"DBClusterIdentifier": "acme-prod-us-east-1", "MasterUsername": "platform_admin"}),
			"Secondary": cluster(map[string]any{"DBClusterIdentifier": "acme-prod-eu-west-1"}),
		}},
	}}}
}

func masterUserFinding(t *testing.T, describe reply) Finding {
	t.Helper()
	in := newStub(t, map[string]reply{"DescribeDBClusters": describe})
	in.Assembly = clusterAssembly()
	in.ConfigFile = "config/acme.json"
	in.Environments = map[string]EnvironmentRef{"prod-us-east-1-data": {Index: 1, Name: "prod"}}
	findings := MasterUsers(context.Background(), in)
	return only(t, findings, "master user of acme-prod-us-east-1")
}

func clusterWithMasterUser(user string) reply {
	return ok(`<DescribeDBClustersResponse><DescribeDBClustersResult><DBClusters><DBCluster><DBClusterIdentifier>acme-prod-us-east-1</DBClusterIdentifier><MasterUsername>` +
		user + `</MasterUsername></DBCluster></DBClusters></DescribeDBClustersResult></DescribeDBClustersResponse>`)
}

func TestMasterUsers_AClusterMadeWithAnotherMasterUserBlocks(t *testing.T) {
	f := masterUserFinding(t, clusterWithMasterUser("postgres"))
	expect(t, f, Block, `set environments[1] (prod).database.masterUsername to "postgres" in config/acme.json (a change replaces the cluster)`)
}

func TestMasterUsers_AClusterMadeWithTheSameMasterUserPasses(t *testing.T) {
	expect(t, masterUserFinding(t, clusterWithMasterUser("platform_admin")), OK, "as the template says")
}

func TestMasterUsers_ANewClusterPasses(t *testing.T) {
	f := masterUserFinding(t, xmlError(404, "DBClusterNotFoundFault", "DBCluster acme-prod-us-east-1 not found."))
	expect(t, f, OK, "created with platform_admin")
}

func TestMasterUsers_WithoutPermissionSaysWhichItNeeds(t *testing.T) {
	f := masterUserFinding(t, xmlError(403, "AccessDenied", "User is not authorized to perform: rds:DescribeDBClusters"))
	expect(t, f, Unknown, "needs rds:DescribeDBClusters")
}

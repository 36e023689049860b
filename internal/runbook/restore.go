package runbook

import (
	"fmt"
	"io"
	"slices"
)

// backupCopy is what the corrupted-data row says of the vault when a backup plan copies to
// another region; without a copy rule it is left out.
const backupCopy = ", with a copy in another region"

// copiesBackups reports whether a backup plan of env copies its recovery points to another region.
func copiesBackups(env *environment) bool {
	return slices.ContainsFunc(env.Regions, func(r *region) bool { return r.BackupCopies })
}

func hasVaults(env *environment) bool {
	for _, r := range env.Regions {
		if len(r.Vaults) > 0 {
			return true
		}
	}
	return false
}

func renderRestore(w io.Writer, env *environment) {
	fmt.Fprintln(w, "### Restore after data corruption")
	fmt.Fprintln(w)
	fmt.Fprintln(w, "Replication copies a bad write everywhere: restore to a new resource from before the write, check it,")
	fmt.Fprintln(w, "then move the service to it (or copy the good rows back). Restores never overwrite.")
	fmt.Fprintln(w)
	if hasVaults(env) {
		fmt.Fprintln(w, "| Region | Vault | Backup plan | Restore role |")
		fmt.Fprintln(w, "|---|---|---|---|")
		for _, r := range env.Regions {
			fmt.Fprintf(w, "| %s | %s | %s | %s |\n", r.Name, codes(r.Vaults), codes(r.BackupPlans), codes(r.BackupRoles))
		}
		fmt.Fprintln(w)
	}
	r := env.Regions[0]
	fmt.Fprintln(w, "```sh")
	if len(r.Vaults) > 0 {
		copies := ""
		if copiesBackups(env) {
			copies = " (copies from other regions are there too)"
		}
		fmt.Fprintf(w, "# recovery points in %s's vault%s\n", r.Name, copies)
		fmt.Fprintf(w, "aws backup list-recovery-points-by-backup-vault --region %s --backup-vault-name %s --query 'RecoveryPoints[].[ResourceType,CreationDate,RecoveryPointArn]' --output text\n", r.Name, r.Vaults[0])
		fmt.Fprintln(w, "# what a restore of that point needs (edit the identifiers to new names)")
		fmt.Fprintf(w, "aws backup get-recovery-point-restore-metadata --region %s --backup-vault-name %s --recovery-point-arn <arn>\n", r.Name, r.Vaults[0])
		role := "<role ARN>"
		if len(r.BackupRoles) > 0 {
			role = fmt.Sprintf("arn:aws:iam::%s:role/%s", env.Account, r.BackupRoles[0])
		}
		fmt.Fprintf(w, "aws backup start-restore-job --region %s --recovery-point-arn <arn> --iam-role-arn %s --metadata file://restore-metadata.json\n", r.Name, role)
		fmt.Fprintf(w, "aws backup describe-restore-job --region %s --restore-job-id <job ID>\n", r.Name)
	}
	fmt.Fprintf(w, "# Aurora point-in-time (automated backups' retention): a new cluster in the writer's region, then an instance in it\n")
	network := ""
	if r.Data != nil && r.SubnetGroup != "" && r.SecurityGroup != "" {
		network = fmt.Sprintf(" --db-subnet-group-name %s --vpc-security-group-ids %s", lookup(r.Data.Name, r.Name, r.SubnetGroup), lookup(r.Data.Name, r.Name, r.SecurityGroup))
	}
	fmt.Fprintf(w, "aws rds restore-db-cluster-to-point-in-time --region %s --source-db-cluster-identifier %s --db-cluster-identifier %s-restored --restore-to-time <UTC time before the bad write>%s\n", r.Name, r.Cluster, r.Cluster, network)
	fmt.Fprintf(w, "aws rds create-db-instance --region %s --db-cluster-identifier %s-restored --db-instance-identifier %s-restored-1 --engine %s --db-instance-class %s\n",
		r.Name, r.Cluster, r.Cluster, orPlaceholder(r.Engine, "engine"), orPlaceholder(r.InstanceClass, "instance class"))
	if env.Table != "" {
		fmt.Fprintln(w, "# DynamoDB point-in-time (to the second, 35 days): a new single-region table; keep the region's key")
		fmt.Fprintf(w, "aws dynamodb restore-table-to-point-in-time --region %s --source-table-name %s --target-table-name %s-restored --restore-date-time <UTC time before the bad write> --sse-specification-override Enabled=true,SSEType=KMS,KMSMasterKeyId=<the region's key ARN>\n", r.Name, env.Table, env.Table)
	}
	fmt.Fprintln(w, "```")
	fmt.Fprintln(w)
}

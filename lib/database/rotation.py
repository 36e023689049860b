"""Rotates an Aurora PostgreSQL master password through the RDS API (single user).

Secrets Manager calls the handler four times per rotation, with the same token:
createSecret stores a new password as AWSPENDING, setSecret gives it to the global
database's current writer cluster (ModifyDBCluster, in whichever region writes now) and
labels the version with that cluster, testSecret waits until RDS has applied it (and fails
if another cluster writes by then), and finishSecret makes it AWSCURRENT.
Each step can be repeated: a failed step makes Secrets Manager retry the rotation.
"""
import json
import os
import time

import boto3

secrets = boto3.client("secretsmanager")

CLUSTER_ARN = os.environ["CLUSTER_ARN"]
GLOBAL_CLUSTER = os.environ.get("GLOBAL_CLUSTER_IDENTIFIER", "")
EXCLUDE_CHARACTERS = os.environ["EXCLUDE_CHARACTERS"]
PASSWORD_LENGTH = int(os.environ["PASSWORD_LENGTH"])
# testSecret waits this long for RDS to apply the password before it fails the step.
APPLY_WAIT_SECONDS = int(os.environ["APPLY_WAIT_SECONDS"])


def handler(event, context):
    arn, token, step = event["SecretId"], event["ClientRequestToken"], event["Step"]
    metadata = secrets.describe_secret(SecretId=arn)
    if not metadata.get("RotationEnabled"):
        raise ValueError(f"{arn}: rotation is not enabled")
    stages = metadata["VersionIdsToStages"].get(token)
    if stages is None:
        raise ValueError(f"{arn}: version {token} is not a version of the secret")
    if "AWSCURRENT" in stages:
        return  # this rotation has finished already
    if "AWSPENDING" not in stages:
        raise ValueError(f"{arn}: version {token} is not AWSPENDING")
    steps = {"createSecret": create, "setSecret": set_password, "testSecret": test, "finishSecret": finish}
    if step not in steps:
        raise ValueError(f"unknown step {step}")
    steps[step](arn, token, metadata)


def value(arn, **version):
    return json.loads(secrets.get_secret_value(SecretId=arn, **version)["SecretString"])


def create(arn, token, metadata):
    try:
        value(arn, VersionId=token, VersionStage="AWSPENDING")
        return  # a repeated step keeps the password it made
    except secrets.exceptions.ResourceNotFoundException:
        pass
    credentials = value(arn, VersionStage="AWSCURRENT")
    credentials["password"] = secrets.get_random_password(
        PasswordLength=PASSWORD_LENGTH, ExcludeCharacters=EXCLUDE_CHARACTERS)["RandomPassword"]
    secrets.put_secret_value(SecretId=arn, ClientRequestToken=token,
                             SecretString=json.dumps(credentials), VersionStages=["AWSPENDING"])


def writer():
    """The region and identifier of the cluster that takes writes now."""
    cluster_arn = CLUSTER_ARN
    if GLOBAL_CLUSTER:
        rds = boto3.client("rds")
        members = rds.describe_global_clusters(GlobalClusterIdentifier=GLOBAL_CLUSTER)["GlobalClusters"][0]["GlobalClusterMembers"]
        writers = [m["DBClusterArn"] for m in members if m.get("IsWriter")]
        if not writers:
            raise RuntimeError(f"global cluster {GLOBAL_CLUSTER} has no writer now (a failover in progress?)")
        cluster_arn = writers[0]
    parts = cluster_arn.split(":")  # arn:partition:rds:region:account:cluster:identifier
    return parts[3], parts[6]


def set_password(arn, token, metadata):
    pending = value(arn, VersionId=token, VersionStage="AWSPENDING")
    region, identifier = writer()
    rds = boto3.client("rds", region_name=region)
    cluster = rds.describe_db_clusters(DBClusterIdentifier=identifier)["DBClusters"][0]
    # A promoted secondary, created without a master user of its own, may not report one.
    if cluster.get("MasterUsername", pending["username"]) != pending["username"]:
        raise ValueError(f"{identifier}'s master user is {cluster['MasterUsername']}, the secret's {pending['username']}")
    rds.modify_db_cluster(DBClusterIdentifier=identifier, MasterUserPassword=pending["password"], ApplyImmediately=True)
    # The pending version records which cluster has its password, for testSecret.
    label = set_on(identifier)
    holder = next((v for v, stages in metadata["VersionIdsToStages"].items() if label in stages), None)
    if holder != token:
        secrets.update_secret_version_stage(SecretId=arn, VersionStage=label, MoveToVersionId=token,
                                            **({"RemoveFromVersionId": holder} if holder else {}))


def set_on(identifier):
    """The staging label of the version whose password setSecret gave the cluster."""
    return "set-on-" + identifier


def test(arn, token, metadata):
    region, identifier = writer()
    if set_on(identifier) not in metadata["VersionIdsToStages"][token]:
        # A failover since setSecret: the rotation starts again and sets the new writer's.
        raise RuntimeError(f"{identifier} writes now, and setSecret did not give it this password")
    rds = boto3.client("rds", region_name=region)
    deadline = time.monotonic() + APPLY_WAIT_SECONDS
    time.sleep(10)  # DescribeDBClusters can show the cluster as it was a few seconds after a change
    while True:
        cluster = rds.describe_db_clusters(DBClusterIdentifier=identifier)["DBClusters"][0]
        pending = cluster.get("PendingModifiedValues", {})
        if cluster["Status"] == "available" and "MasterUserPassword" not in pending:
            return
        if time.monotonic() > deadline:
            raise RuntimeError(f"{identifier} is {cluster['Status']}: the new password is not applied yet")
        time.sleep(10)


def finish(arn, token, metadata):
    current = next(version for version, stages in metadata["VersionIdsToStages"].items() if "AWSCURRENT" in stages)
    secrets.update_secret_version_stage(SecretId=arn, VersionStage="AWSCURRENT",
                                        MoveToVersionId=token, RemoveFromVersionId=current)

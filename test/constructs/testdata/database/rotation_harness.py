"""Runs rotation.py (as index.py, beside this file's copy) against in-memory Secrets Manager and
RDS fakes, and prints what each scenario did as JSON for database_test.go."""
import json
import os
import sys
import types


class ResourceNotFoundException(Exception):
    pass


class Secrets:
    exceptions = types.SimpleNamespace(ResourceNotFoundException=ResourceNotFoundException)

    def __init__(self):
        self.values = {"v1": json.dumps({"username": "platform_admin", "password": "old", "host": "h"})}
        self.stages = {"v1": ["AWSCURRENT"], "t2": ["AWSPENDING"]}  # RotateSecret labels the token

    def describe_secret(self, SecretId):
        return {"RotationEnabled": True, "VersionIdsToStages": {k: list(v) for k, v in self.stages.items()}}

    def get_secret_value(self, SecretId, VersionId=None, VersionStage=None):
        for version, stages in self.stages.items():
            if (VersionId in (None, version)) and VersionStage in stages and version in self.values:
                return {"SecretString": self.values[version]}
        raise ResourceNotFoundException()

    def get_random_password(self, PasswordLength, ExcludeCharacters):
        self.random = {"length": PasswordLength, "exclude": ExcludeCharacters, "calls": getattr(self, "random", {}).get("calls", 0) + 1}
        return {"RandomPassword": "new-%d" % len(self.values)}

    def put_secret_value(self, SecretId, ClientRequestToken, SecretString, VersionStages):
        self.values[ClientRequestToken] = SecretString
        self.stages[ClientRequestToken] = list(VersionStages)

    def update_secret_version_stage(self, SecretId, VersionStage, MoveToVersionId, RemoveFromVersionId=None):
        holder = next((v for v, stages in self.stages.items() if VersionStage in stages), None)
        if holder not in (None, MoveToVersionId, RemoveFromVersionId):
            raise ValueError("%s is attached to %s: name it in RemoveFromVersionId" % (VersionStage, holder))
        if RemoveFromVersionId:
            self.stages[RemoveFromVersionId].remove(VersionStage)
        self.stages[MoveToVersionId].append(VersionStage)


class RDS:
    def __init__(self, writer_region, statuses):
        self.writer_region, self.statuses, self.modified = writer_region, list(statuses), []

    def client(self, region):
        rds = self

        class Client:
            def describe_global_clusters(self, GlobalClusterIdentifier):
                return {"GlobalClusters": [{"GlobalClusterMembers": [
                    {"DBClusterArn": "arn:aws:rds:%s:111111111111:cluster:acme-prod-%s" % (r, r), "IsWriter": r == rds.writer_region}
                    for r in ("us-east-1", "eu-west-1")]}]}

            def describe_db_clusters(self, DBClusterIdentifier):
                status = rds.statuses.pop(0) if len(rds.statuses) > 1 else rds.statuses[0]
                pending = {"MasterUserPassword": "****"} if status != "available" else {}
                return {"DBClusters": [{"MasterUsername": "platform_admin", "Status": status, "PendingModifiedValues": pending}]}

            def modify_db_cluster(self, DBClusterIdentifier, MasterUserPassword, ApplyImmediately):
                rds.modified.append([region, DBClusterIdentifier, MasterUserPassword, ApplyImmediately])

        return Client()


def run(writer_region, statuses, steps, wait, writer_at=None):
    secrets, rds = Secrets(), RDS(writer_region, statuses)
    clients = {"secretsmanager": lambda region: secrets, "rds": rds.client}
    sys.modules["boto3"] = types.SimpleNamespace(client=lambda name, region_name=None: clients[name](region_name))
    os.environ.update({"CLUSTER_ARN": "arn:aws:rds:us-east-1:111111111111:cluster:acme-prod-us-east-1",
                       "GLOBAL_CLUSTER_IDENTIFIER": "acme-prod", "EXCLUDE_CHARACTERS": "/@\"",
                       "PASSWORD_LENGTH": "30", "APPLY_WAIT_SECONDS": str(wait)})
    sys.modules.pop("index", None)
    import index
    index.time.sleep = lambda seconds: None
    errors = []
    for step in steps:
        rds.writer_region = (writer_at or {}).get(step, rds.writer_region)
        try:
            index.handler({"SecretId": "arn:secret", "ClientRequestToken": "t2", "Step": step}, None)
        except Exception as e:  # Secrets Manager stops the rotation at a failed step
            errors.append("%s: %s" % (step, e))
            break
    return {"modified": rds.modified, "stages": secrets.stages, "values": secrets.values,
            "random": getattr(secrets, "random", None), "errors": errors}


steps = ["createSecret", "createSecret", "setSecret", "testSecret", "finishSecret"]
print(json.dumps({
    "afterFailover": run("eu-west-1", ["resetting-master-credentials", "available"], steps, 60),
    "neverApplied": run("us-east-1", ["resetting-master-credentials"], steps, 0),
    "failoverMidRotation": run("us-east-1", ["available"], steps, 60, {"testSecret": "eu-west-1"}),
}))

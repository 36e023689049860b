# Firehose transformation for CloudWatch Logs subscription records bound for OpenSearch.
# Each record is one batch of a log stream's events, gzip-compressed. Firehose sends one
# document per record to OpenSearch and a transformation returns one record per record, so
# the batch becomes one document: its log group and stream, the time of its first event
# (@timestamp), every message joined by newlines (message) and the events themselves.
# CloudWatch Logs' CONTROL_MESSAGE records (its check that the destination is reachable) are
# dropped; a record that is not a CloudWatch Logs batch fails and goes to the error prefix.
import base64
import datetime
import gzip
import json


def handler(event, context):
    return {"records": [transform(r) for r in event["records"]]}


def transform(record):
    try:
        batch = json.loads(gzip.decompress(base64.b64decode(record["data"])))
        kind = batch["messageType"]
    except Exception:
        return {"recordId": record["recordId"], "result": "ProcessingFailed", "data": record["data"]}
    events = batch.get("logEvents") or []
    if kind != "DATA_MESSAGE" or not events:
        return {"recordId": record["recordId"], "result": "Dropped", "data": record["data"]}
    first = datetime.datetime.fromtimestamp(events[0]["timestamp"] / 1000, datetime.timezone.utc)
    document = {
        "@timestamp": first.isoformat(timespec="milliseconds").replace("+00:00", "Z"),
        "logGroup": batch.get("logGroup"),
        "logStream": batch.get("logStream"),
        "message": "\n".join(e["message"] for e in events),
        "events": [{"timestamp": e["timestamp"], "message": e["message"]} for e in events],
    }
    data = base64.b64encode(json.dumps(document).encode()).decode()
    return {"recordId": record["recordId"], "result": "Ok", "data": data}

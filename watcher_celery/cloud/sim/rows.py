"""Rows of the simulated cloud's store turned into model objects, and the columns read."""

from __future__ import annotations

import json
import time
from datetime import UTC, datetime

from watcher_celery.cloud.base import Migration
from watcher_celery.cloud.sim import phases
from watcher_celery.model import ComputeNode, Instance, Volume

HOST_COLS = (
    "hostname, uuid, vcpus, memory_mb, disk_gb, vcpu_reserved, memory_mb_reserved, "
    "disk_gb_reserved, vcpu_ratio, memory_ratio, disk_ratio, state, status, disabled_reason, "
    "availability_zone, aggregates, baremetal_uuid"
)
INSTANCE_COLS = (
    "uuid, name, vcpus, memory_mb, disk_gb, state, project_id, host, metadata, locked, "
    "flavor, created, availability_zone, task_state, "
    "CASE WHEN state = 'error' THEN "
    "(SELECT message FROM faults WHERE faults.instance = instances.uuid "
    "AND faults.created <= CAST(strftime('%s', 'now') AS REAL)) END"
)
VOLUME_COLS = (
    "uuid, name, size, status, pool, volume_type, project_id, bootable, multiattach, "
    "attachments, snapshot_id, metadata, created_at, migration_status"
)


OP_COLS = "id, uuid, kind, resource, source, dest, status, started, done_at"


def node(r) -> ComputeNode:
    return ComputeNode(
        uuid=r[1], hostname=r[0], vcpus=r[2], memory=r[3], disk=r[4], vcpu_reserved=r[5],
        memory_mb_reserved=r[6], disk_gb_reserved=r[7], vcpu_ratio=r[8], memory_ratio=r[9],
        disk_ratio=r[10], state=r[11], status=r[12], disabled_reason=r[13],
        availability_zone=r[14], aggregates=tuple(a for a in r[15].split(",") if a),
        baremetal_uuid=r[16],
    )  # fmt: skip


def instance(r, _parsed: dict[str, dict] = {}) -> Instance:  # noqa: B006 - a parse cache
    text = r[8]
    metadata = _parsed.get(text)
    if metadata is None:
        metadata = _parsed[text] = json.loads(text) if len(_parsed) < 4096 else None
        metadata = metadata if metadata is not None else json.loads(text)
    # Positional for speed (200,000 per model build); order of the Instance fields.
    return Instance(
        r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], dict(metadata), bool(r[9]), False,
        r[10], r[11], r[12], {}, r[13], r[14],
    )  # fmt: skip


def volume(r) -> Volume:
    return Volume(
        uuid=r[0], name=r[1], size=r[2], status=r[3], pool=r[4], volume_type=r[5],
        project_id=r[6], bootable=bool(r[7]), multiattach=bool(r[8]),
        attachments=json.loads(r[9]), snapshot_id=r[10], metadata=json.loads(r[11]),
        created_at=r[12], migration_status=r[13],
    )  # fmt: skip


def migration(r) -> Migration:
    op_id, op_uuid, kind, resource, source, dest, status, started, done_at = r
    progress = None
    if kind == "live-migration":
        span = max(done_at - started, 1e-9)
        fraction = {"running": (time.time() - started) / span, "completed": 1.0}.get(status, 0.0)
        progress = int(100 * min(1.0, max(0.0, fraction)))
    return Migration(
        id=str(op_id), instance_uuid=resource, source=source, destination=dest,
        status=phases.shown(status), migration_type=kind, progress=progress, uuid=op_uuid,
        created_at=datetime.fromtimestamp(started, UTC),
    )  # fmt: skip

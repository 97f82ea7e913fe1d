"""The simulated cloud: a :class:`~watcher_celery.cloud.base.CloudAdapter` over a SQLite file.

Deterministic from a seed (``sim/generate.py``), persisted in one SQLite file that every
process opens (``sim/store.py``), so an action run by one Celery worker is seen by the next
audit, by other workers and by the OpenStack API emulator. Operations take simulated time:
a migration is ``running`` (live, with progress) or ``migrating`` (cold/resize) until
``op_seconds`` have passed, and is settled by whichever process looks next. Failures are
injected per operation and resource (:meth:`SimulatedCloud.inject_failure`), either when the
operation starts (the call raises) or when it completes (the migration ends in ``error`` and
the instance stays where it was). See ``docs/cloud.md``.
"""

from __future__ import annotations

import json
import sqlite3
import time
import uuid as uuidlib
from pathlib import Path
from typing import Any

from watcher_celery.cloud.base import Migration
from watcher_celery.cloud.sim import jsonio, store
from watcher_celery.cloud.sim.generate import generate
from watcher_celery.decision_engine.model import (
    BaremetalNode,
    ComputeNode,
    Instance,
    StoragePool,
    Volume,
)
from watcher_celery.errors import CloudError

OPERATIONS = (
    "live_migrate", "cold_migrate", "resize", "confirm_resize", "revert_resize",
    "abort_migration", "set_compute_service", "stop_instance", "start_instance",
    "set_power_state", "migrate_volume", "retype_volume",
)  # fmt: skip
IN_FLIGHT = ("running", "migrating")
HOST_COLS = (
    "hostname, uuid, vcpus, memory_mb, disk_gb, vcpu_reserved, memory_mb_reserved, "
    "disk_gb_reserved, vcpu_ratio, memory_ratio, disk_ratio, state, status, disabled_reason, "
    "availability_zone, aggregates, baremetal_uuid"
)
INSTANCE_COLS = (
    "uuid, name, vcpus, memory_mb, disk_gb, state, project_id, host, metadata, locked, "
    "flavor, created, availability_zone, task_state"
)
VOLUME_COLS = (
    "uuid, name, size, status, pool, volume_type, project_id, bootable, multiattach, "
    "attachments, snapshot_id, metadata, created_at"
)


class InjectedFailure(CloudError, store.Committed):
    """Raised when an operation meets a failure injected with ``inject_failure``."""


def _node(r) -> ComputeNode:
    return ComputeNode(
        uuid=r[1], hostname=r[0], vcpus=r[2], memory=r[3], disk=r[4], vcpu_reserved=r[5],
        memory_mb_reserved=r[6], disk_gb_reserved=r[7], vcpu_ratio=r[8], memory_ratio=r[9],
        disk_ratio=r[10], state=r[11], status=r[12], disabled_reason=r[13],
        availability_zone=r[14], aggregates=tuple(a for a in r[15].split(",") if a),
        baremetal_uuid=r[16],
    )  # fmt: skip


def _instance(r, _parsed: dict[str, dict] = {}) -> Instance:  # noqa: B006 - a parse cache
    text = r[8]
    metadata = _parsed.get(text)
    if metadata is None:
        metadata = _parsed[text] = json.loads(text) if len(_parsed) < 4096 else None
        metadata = metadata if metadata is not None else json.loads(text)
    # Positional for speed (200,000 per model build); order of the Instance fields.
    return Instance(
        r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], dict(metadata), bool(r[9]), False,
        r[10], r[11], r[12], {}, r[13],
    )  # fmt: skip


def _volume(r) -> Volume:
    return Volume(
        uuid=r[0], name=r[1], size=r[2], status=r[3], pool=r[4], volume_type=r[5],
        project_id=r[6], bootable=bool(r[7]), multiattach=bool(r[8]),
        attachments=json.loads(r[9]), snapshot_id=r[10], metadata=json.loads(r[11]),
        created_at=r[12],
    )  # fmt: skip


class SimulatedCloud:
    """A simulated cloud stored at ``path``; open it from as many processes as needed."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self._conn = store.connect(self.path)

    # --- creating ------------------------------------------------------------------------

    @classmethod
    def create(
        cls,
        path: str | Path,
        seed: int = 42,
        hosts: int = 16,
        instances: int = 120,
        op_seconds: float = 2.0,
        replace: bool = False,
    ) -> SimulatedCloud:
        """Open the cloud at ``path``, generating it from the seed if the file is empty.

        An existing cloud is kept (its changes are the point) unless ``replace`` is true.
        """
        cloud = cls(path)
        with store.write(cloud._conn) as conn:
            if replace or store.get_meta(conn, "generated") is None:
                store.clear(conn)
                cluster = generate(seed, hosts, instances)
                cloud._insert(conn, cluster)
                store.set_meta(conn, "generated", json.dumps([seed, hosts, instances]))
                store.set_meta(conn, "op_seconds", op_seconds)
        return cloud

    def _insert(self, conn, cluster) -> None:
        for table, rows in (
            ("flavors", cluster.flavors), ("aggregates", cluster.aggregates),
            ("hosts", cluster.hosts), ("instances", cluster.instances),
            ("pools", cluster.pools), ("volumes", cluster.volumes),
            ("baremetal", cluster.baremetal),
        ):  # fmt: skip
            if rows:
                marks = ",".join("?" * len(rows[0]))
                conn.executemany(f"INSERT INTO {table} VALUES ({marks})", rows)  # noqa: S608

    @classmethod
    def from_json(cls, path: str | Path, description: dict[str, Any]) -> SimulatedCloud:
        """A cloud at ``path`` holding exactly the cluster ``description`` (docs/cloud.md)."""
        cloud = cls(path)
        cloud.load_json(description)
        return cloud

    def load_json(self, description: dict[str, Any]) -> None:
        """Replace the whole cloud with a JSON cluster description."""
        jsonio.load(self, description)

    def export_json(self) -> dict[str, Any]:
        """The cloud as a JSON cluster description, metrics at :meth:`metrics_time`."""
        return jsonio.export(self)

    def metric_rows(self) -> tuple[list[tuple], list[sqlite3.Row]]:
        """What metric series derive from: host rows and instance rows (``sim/metrics.py``)."""
        self._settle()
        hosts = self._conn.execute(
            "SELECT hostname, vcpus, cpu_overhead, ram_overhead_mb, inlet_temp FROM hosts"
        ).fetchall()
        cur = self._conn.cursor()
        cur.row_factory = sqlite3.Row
        instances = cur.execute(
            "SELECT uuid, host, state, vcpus, memory_mb, root_gb, cpu_base, cpu_amp, phase, "
            "ram_frac FROM instances WHERE state != 'deleted'"
        ).fetchall()
        return hosts, instances

    def close(self) -> None:
        self._conn.close()

    # --- simulation controls -------------------------------------------------------------

    @property
    def op_seconds(self) -> float:
        return float(store.get_meta(self._conn, "op_seconds", "2.0"))

    def set_op_seconds(self, seconds: float) -> None:
        """How long migrations take from now on, for every process."""
        with store.write(self._conn) as conn:
            store.set_meta(conn, "op_seconds", seconds)

    def metrics_time(self) -> float:
        """The instant metrics are read at: the frozen clock if set, else now."""
        frozen = store.get_meta(self._conn, "clock")
        return float(frozen) if frozen else time.time()

    def set_clock(self, timestamp: float | None) -> None:
        """Freeze the metrics clock at ``timestamp`` (None lets it follow real time again)."""
        with store.write(self._conn) as conn:
            if timestamp is None:
                conn.execute("DELETE FROM meta WHERE key = 'clock'")
            else:
                store.set_meta(conn, "clock", timestamp)

    def inject_failure(
        self,
        operation: str,
        resource: str = "*",
        phase: str = "start",
        message: str | None = None,
        times: int = 1,
    ) -> None:
        """Make the next ``times`` calls of ``operation`` on ``resource`` fail (-1: always).

        ``phase`` ``start`` makes the call raise; ``complete`` lets it start and then ends
        the migration in ``error`` with nothing moved.
        """
        if operation not in OPERATIONS:
            raise ValueError(f"unknown operation {operation!r}; one of {', '.join(OPERATIONS)}")
        if phase not in ("start", "complete"):
            raise ValueError("phase must be 'start' or 'complete'")
        text = message or f"Simulated failure of {operation} on {resource}"
        with store.write(self._conn) as conn:
            conn.execute(
                "INSERT INTO failures (operation, resource, phase, message, remaining) "
                "VALUES (?, ?, ?, ?, ?)",
                (operation, resource, phase, text, times),
            )

    def clear_failures(self) -> None:
        with store.write(self._conn) as conn:
            conn.execute("DELETE FROM failures")

    def wait_idle(self, timeout: float = 30.0) -> None:
        """Block until no operation is in flight (tests, the CLI)."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            self._settle()
            busy = self._conn.execute(
                "SELECT COUNT(*) FROM operations WHERE status IN ('running', 'migrating')"
            ).fetchone()[0]
            if not busy:
                return
            time.sleep(min(0.05, max(0.005, self.op_seconds / 4)))
        raise TimeoutError("simulated operations still in flight")

    # --- reading -------------------------------------------------------------------------

    def compute_nodes(self) -> list[ComputeNode]:
        self._settle()
        rows = self._conn.execute(f"SELECT {HOST_COLS} FROM hosts ORDER BY hostname")  # noqa: S608
        return [_node(r) for r in rows]

    def instances(self) -> list[Instance]:
        self._settle()
        rows = self._conn.execute(
            f"SELECT {INSTANCE_COLS} FROM instances WHERE state != 'deleted'"  # noqa: S608
        )
        return [_instance(r) for r in rows]

    def storage_pools(self) -> list[StoragePool]:
        self._settle()
        used = dict(
            self._conn.execute("SELECT pool, SUM(size) FROM volumes GROUP BY pool").fetchall()
        )
        counts = dict(
            self._conn.execute("SELECT pool, COUNT(*) FROM volumes GROUP BY pool").fetchall()
        )
        pools = []
        for name, total, ratio, az, types in self._conn.execute(
            "SELECT name, total_capacity_gb, max_over_subscription_ratio, availability_zone, "
            "volume_types FROM pools ORDER BY name"
        ):
            allocated = float(used.get(name) or 0)
            pools.append(
                StoragePool(
                    name=name,
                    total_capacity_gb=total,
                    free_capacity_gb=total - allocated,
                    provisioned_capacity_gb=allocated,
                    allocated_capacity_gb=allocated,
                    total_volumes=counts.get(name, 0),
                    max_over_subscription_ratio=ratio,
                    availability_zone=az,
                    volume_types=tuple(t for t in types.split(",") if t),
                )  # fmt: skip
            )
        return pools

    def volumes(self) -> list[Volume]:
        self._settle()
        rows = self._conn.execute(f"SELECT {VOLUME_COLS} FROM volumes ORDER BY uuid")  # noqa: S608
        return [_volume(r) for r in rows]

    def baremetal_nodes(self) -> list[BaremetalNode]:
        rows = self._conn.execute(
            "SELECT uuid, power_state, maintenance, maintenance_reason, hypervisor_hostname, "
            "extra FROM baremetal ORDER BY uuid"
        )
        return [BaremetalNode(r[0], r[1], bool(r[2]), r[3], r[4], json.loads(r[5])) for r in rows]

    def get_instance(self, uuid: str) -> Instance | None:
        return self._one(_instance, INSTANCE_COLS, "instances", "uuid", uuid)

    def get_compute_node(self, hostname: str) -> ComputeNode | None:
        return self._one(_node, HOST_COLS, "hosts", "hostname", hostname)

    def get_volume(self, uuid: str) -> Volume | None:
        return self._one(_volume, VOLUME_COLS, "volumes", "uuid", uuid)

    def _one(self, build, columns: str, table: str, key: str, value: str):
        self._settle()
        row = self._conn.execute(
            f"SELECT {columns} FROM {table} WHERE {key} = ?",  # noqa: S608 - fixed names
            (value,),
        ).fetchone()
        return build(row) if row else None

    def get_baremetal_node(self, uuid: str) -> BaremetalNode | None:
        return next((n for n in self.baremetal_nodes() if n.uuid == uuid), None)

    def flavor_exists(self, name_or_id: str) -> bool:
        return self._flavor(name_or_id) is not None

    def flavors(self) -> list[dict[str, Any]]:
        rows = self._conn.execute(
            "SELECT name, id, vcpus, ram, disk, ephemeral, swap, extra_specs FROM flavors"
        )
        keys = ("name", "id", "vcpus", "ram", "disk", "ephemeral", "swap", "extra_specs")
        return [{**dict(zip(keys, r, strict=True)), "extra_specs": json.loads(r[7])} for r in rows]

    def aggregates(self) -> list[dict[str, Any]]:
        """Host aggregates with their ids, zone, metadata and member hosts."""
        members: dict[str, list[str]] = {}
        for hostname, names in self._conn.execute(
            "SELECT hostname, aggregates FROM hosts ORDER BY hostname"
        ):
            for name in filter(None, names.split(",")):
                members.setdefault(name, []).append(hostname)
        return [
            {"id": i, "name": n, "availability_zone": az, "metadata": json.loads(md),
             "hosts": members.get(n, [])}
            for i, n, az, md in self._conn.execute(
                "SELECT id, name, availability_zone, metadata FROM aggregates ORDER BY id"
            )
        ]  # fmt: skip

    def host_usage(self) -> dict[str, tuple[int, int, int, int]]:
        """Flavor usage per host: (vcpus, memory MB, disk GB, instance count)."""
        rows = self._conn.execute(
            "SELECT host, SUM(vcpus), SUM(memory_mb), SUM(disk_gb), COUNT(*) FROM instances "
            "WHERE host IS NOT NULL AND state != 'deleted' GROUP BY host"
        )
        return {r[0]: (r[1], r[2], r[3], r[4]) for r in rows}

    def all_migrations(self) -> list[Migration]:
        """Every server migration, newest first."""
        self._settle()
        rows = self._conn.execute(
            f"SELECT {OP_COLS} FROM operations WHERE kind != 'volume-migration' "  # noqa: S608
            "ORDER BY id DESC"
        )
        return [self._migration(r) for r in rows]

    # --- operations ----------------------------------------------------------------------

    def live_migrate(self, instance_uuid: str, destination: str | None = None) -> None:
        with store.write(self._conn) as conn:
            inst = self._movable(conn, instance_uuid, ("active", "paused"))
            self._fail_if(conn, "live_migrate", instance_uuid)
            dest = self._destination(conn, inst, destination, inst["flavor"])
            self._start(conn, "live-migration", inst, dest, "running", "migrating")

    def cold_migrate(self, instance_uuid: str, destination: str | None = None) -> None:
        with store.write(self._conn) as conn:
            inst = self._movable(conn, instance_uuid, ("active", "stopped"))
            self._fail_if(conn, "cold_migrate", instance_uuid)
            dest = self._destination(conn, inst, destination, inst["flavor"])
            self._start(conn, "migration", inst, dest, "migrating", "resize_migrating")

    def resize(self, instance_uuid: str, flavor: str) -> None:
        with store.write(self._conn) as conn:
            inst = self._movable(conn, instance_uuid, ("active", "stopped"))
            new = self._flavor(flavor)
            if new is None:
                raise CloudError(f"Flavor {flavor} could not be found")
            self._fail_if(conn, "resize", instance_uuid)
            dest = self._destination(conn, inst, None, new["name"])
            self._start(conn, "resize", inst, dest, "migrating", "resize_prep", new["name"])

    def confirm_resize(self, instance_uuid: str) -> None:
        self._finish_resize(instance_uuid, "confirm_resize", "confirmed")

    def revert_resize(self, instance_uuid: str) -> None:
        self._finish_resize(instance_uuid, "revert_resize", "reverted")

    def migrations(self, instance_uuid: str) -> list[Migration]:
        self._settle()
        rows = self._conn.execute(
            f"SELECT {OP_COLS} FROM operations WHERE resource = ? "  # noqa: S608
            "AND kind != 'volume-migration' ORDER BY id DESC",
            (instance_uuid,),
        )
        return [self._migration(r) for r in rows]

    def abort_migration(self, instance_uuid: str, migration_id: str) -> None:
        self._settle()
        with store.write(self._conn) as conn:
            self._fail_if(conn, "abort_migration", instance_uuid)
            row = conn.execute(
                "SELECT kind, status FROM operations WHERE resource = ? AND (uuid = ? OR "
                "CAST(id AS TEXT) = ?)",
                (instance_uuid, migration_id, migration_id),
            ).fetchone()
            if row is None:
                raise CloudError(f"Migration {migration_id} of instance {instance_uuid} not found")
            if row[0] != "live-migration" or row[1] != "running":
                raise CloudError(f"Migration {migration_id} is not a running live migration")
            conn.execute(
                "UPDATE operations SET status = 'cancelled' WHERE resource = ? AND (uuid = ? "
                "OR CAST(id AS TEXT) = ?)",
                (instance_uuid, migration_id, migration_id),
            )
            conn.execute("UPDATE instances SET task_state = NULL WHERE uuid = ?", (instance_uuid,))

    def set_compute_service(self, hostname: str, enabled: bool, reason: str | None = None) -> None:
        with store.write(self._conn) as conn:
            self._host(conn, hostname)
            self._fail_if(conn, "set_compute_service", hostname)
            conn.execute(
                "UPDATE hosts SET status = ?, disabled_reason = ? WHERE hostname = ?",
                ("enabled" if enabled else "disabled", None if enabled else reason, hostname),
            )

    def stop_instance(self, instance_uuid: str) -> None:
        self._power_instance(instance_uuid, "stop_instance", "active", "stopped")

    def start_instance(self, instance_uuid: str) -> None:
        self._power_instance(instance_uuid, "start_instance", "stopped", "active")

    def set_power_state(self, node_uuid: str, on: bool) -> None:
        with store.write(self._conn) as conn:
            row = conn.execute(
                "SELECT hypervisor_hostname FROM baremetal WHERE uuid = ?", (node_uuid,)
            ).fetchone()
            if row is None:
                raise CloudError(f"Bare-metal node {node_uuid} could not be found")
            self._fail_if(conn, "set_power_state", node_uuid)
            conn.execute(
                "UPDATE baremetal SET power_state = ? WHERE uuid = ?",
                ("power on" if on else "power off", node_uuid),
            )
            conn.execute(
                "UPDATE hosts SET state = ? WHERE hostname = ?", ("up" if on else "down", row[0])
            )

    def migrate_volume(self, volume_uuid: str, pool: str) -> None:
        with store.write(self._conn) as conn:
            vol = conn.execute(
                "SELECT pool, status, migration_status FROM volumes WHERE uuid = ?",
                (volume_uuid,),
            ).fetchone()
            if vol is None:
                raise CloudError(f"Volume {volume_uuid} could not be found")
            if conn.execute("SELECT 1 FROM pools WHERE name = ?", (pool,)).fetchone() is None:
                raise CloudError(f"Storage pool {pool} could not be found")
            if vol[0] == pool:
                raise CloudError(f"Volume {volume_uuid} is already on pool {pool}")
            if vol[1] not in ("available", "in-use") or vol[2] == "migrating":
                raise CloudError(f"Volume {volume_uuid} is {vol[1]}: it cannot be migrated now")
            self._fail_if(conn, "migrate_volume", volume_uuid)
            fail = self._take_failure(conn, "migrate_volume", volume_uuid, "complete")
            now = time.time()
            conn.execute(
                "INSERT INTO operations (uuid, kind, resource, source, dest, status, started, "
                "done_at, fail_message) VALUES (?, 'volume-migration', ?, ?, ?, 'migrating', ?, "
                "?, ?)",
                (str(uuidlib.uuid4()), volume_uuid, vol[0], pool, now, now + self.op_seconds,
                 fail),
            )  # fmt: skip
            conn.execute(
                "UPDATE volumes SET migration_status = 'migrating' WHERE uuid = ?", (volume_uuid,)
            )

    def retype_volume(self, volume_uuid: str, volume_type: str) -> None:
        with store.write(self._conn) as conn:
            vol = conn.execute(
                "SELECT pool, volume_type FROM volumes WHERE uuid = ?", (volume_uuid,)
            ).fetchone()
            if vol is None:
                raise CloudError(f"Volume {volume_uuid} could not be found")
            self._fail_if(conn, "retype_volume", volume_uuid)
            pools = conn.execute("SELECT name, volume_types FROM pools").fetchall()
            if not any(volume_type in types.split(",") for _, types in pools):
                raise CloudError(f"Volume type {volume_type} could not be found")
            current = dict(pools).get(vol[0], "")
            pool = vol[0]
            if volume_type not in current.split(","):
                pool = next(n for n, t in pools if volume_type in t.split(","))
            conn.execute(
                "UPDATE volumes SET volume_type = ?, pool = ? WHERE uuid = ?",
                (volume_type, pool, volume_uuid),
            )

    # --- internals -----------------------------------------------------------------------

    def _flavor(self, name_or_id: str) -> dict[str, Any] | None:
        return next(
            (f for f in self.flavors() if name_or_id in (f["name"], f["id"])),
            None,
        )

    def _host(self, conn, hostname: str):
        row = conn.execute(
            "SELECT hostname, state, status, availability_zone, vcpus, vcpu_reserved, "
            "vcpu_ratio, memory_mb, memory_mb_reserved, memory_ratio, disk_gb, "
            "disk_gb_reserved, disk_ratio FROM hosts WHERE hostname = ?",
            (hostname,),
        ).fetchone()
        if row is None:
            raise CloudError(f"Compute host {hostname} could not be found")
        return row

    def _movable(self, conn, instance_uuid: str, states: tuple[str, ...]) -> dict[str, Any]:
        self._settle_in(conn)
        cur = conn.execute(
            "SELECT uuid, host, state, task_state, flavor, availability_zone FROM instances "
            "WHERE uuid = ?",
            (instance_uuid,),
        )
        row = cur.fetchone()
        if row is None:
            raise CloudError(f"Instance {instance_uuid} could not be found")
        inst = dict(zip(("uuid", "host", "state", "task_state", "flavor", "az"), row, strict=True))
        if inst["task_state"]:
            raise CloudError(f"Instance {instance_uuid} is busy (task_state {inst['task_state']})")
        if inst["state"] not in states:
            raise CloudError(
                f"Instance {instance_uuid} is {inst['state']}: expected {' or '.join(states)}"
            )
        return inst

    def _destination(self, conn, inst, destination: str | None, flavor: str) -> str:
        """The destination host: checked if given, else chosen like a spreading scheduler."""
        size = self._flavor(flavor)
        need = (size["vcpus"], size["ram"], jsonio.flavor_disk(size))
        usage = self.host_usage()
        if destination is not None:
            host = self._host(conn, destination)
            if destination == inst["host"]:
                raise CloudError(f"Instance {inst['uuid']} is already on host {destination}")
            if not self._fits(host, usage.get(destination), need):
                raise CloudError(
                    f"No valid host: {destination} cannot take instance {inst['uuid']} "
                    "(disabled, down or short of capacity)"
                )
            return destination
        best, best_free = None, -1.0
        for host in conn.execute(
            "SELECT hostname, state, status, availability_zone, vcpus, vcpu_reserved, "
            "vcpu_ratio, memory_mb, memory_mb_reserved, memory_ratio, disk_gb, "
            "disk_gb_reserved, disk_ratio FROM hosts ORDER BY hostname"
        ):
            if host[0] == inst["host"] or (inst["az"] and host[3] != inst["az"]):
                continue
            free = self._fits(host, usage.get(host[0]), need)
            if free is not None and free > best_free:
                best, best_free = host[0], free
        if best is None:
            raise CloudError(f"No valid host was found for instance {inst['uuid']}")
        return best

    @staticmethod
    def _fits(host, used, need) -> float | None:
        """Free vCPUs left after placing ``need``, or None if it does not fit."""
        if host[1] != "up" or host[2] != "enabled":
            return None
        used = used or (0, 0, 0, 0)
        free = (
            (host[4] - host[5]) * host[6] - used[0] - need[0],
            (host[7] - host[8]) * host[9] - used[1] - need[1],
            (host[10] - host[11]) * host[12] - used[2] - need[2],
        )
        return free[0] if min(free) >= 0 else None

    def _start(self, conn, kind, inst, dest, status, task_state, new_flavor=None) -> None:
        operation = {"live-migration": "live_migrate", "migration": "cold_migrate"}.get(
            kind, "resize"
        )
        fail = self._take_failure(conn, operation, inst["uuid"], "complete")
        now = time.time()
        conn.execute(
            "INSERT INTO operations (uuid, kind, resource, source, dest, status, started, "
            "done_at, old_flavor, new_flavor, prev_state, fail_message) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (str(uuidlib.uuid4()), kind, inst["uuid"], inst["host"], dest, status, now,
             now + self.op_seconds, inst["flavor"], new_flavor or inst["flavor"],
             inst["state"], fail),
        )  # fmt: skip
        conn.execute(
            "UPDATE instances SET task_state = ? WHERE uuid = ?", (task_state, inst["uuid"])
        )

    def _finish_resize(self, instance_uuid: str, operation: str, outcome: str) -> None:
        with store.write(self._conn) as conn:
            self._settle_in(conn)
            op = conn.execute(
                "SELECT id, source, old_flavor, prev_state FROM operations WHERE resource = ? "
                "AND status = 'finished' ORDER BY id DESC LIMIT 1",
                (instance_uuid,),
            ).fetchone()
            if op is None:
                raise CloudError(f"Instance {instance_uuid} has no resize to {outcome[:-2]}")
            self._fail_if(conn, operation, instance_uuid)
            conn.execute("UPDATE operations SET status = ? WHERE id = ?", (outcome, op[0]))
            conn.execute(
                "UPDATE instances SET state = ? WHERE uuid = ?", (op[3] or "active", instance_uuid)
            )
            if outcome == "reverted":
                self._set_flavor(conn, instance_uuid, op[2])
                conn.execute("UPDATE instances SET host = ? WHERE uuid = ?", (op[1], instance_uuid))

    def _set_flavor(self, conn, instance_uuid: str, name: str) -> None:
        f = self._flavor(name)
        conn.execute(
            "UPDATE instances SET flavor = ?, vcpus = ?, memory_mb = ?, disk_gb = ?, root_gb = ? "
            "WHERE uuid = ?",
            (f["name"], f["vcpus"], f["ram"], jsonio.flavor_disk(f), f["disk"],
             instance_uuid),
        )  # fmt: skip

    def _power_instance(self, instance_uuid: str, operation: str, before: str, after: str):
        with store.write(self._conn) as conn:
            inst = self._movable(conn, instance_uuid, (before,))
            self._fail_if(conn, operation, inst["uuid"])
            conn.execute("UPDATE instances SET state = ? WHERE uuid = ?", (after, instance_uuid))

    def _take_failure(self, conn, operation: str, resource: str, phase: str) -> str | None:
        row = conn.execute(
            "SELECT id, message, remaining FROM failures WHERE operation = ? AND phase = ? "
            "AND resource IN (?, '*') ORDER BY resource = '*', id LIMIT 1",
            (operation, phase, resource),
        ).fetchone()
        if row is None:
            return None
        if row[2] == 1:
            conn.execute("DELETE FROM failures WHERE id = ?", (row[0],))
        elif row[2] > 1:
            conn.execute("UPDATE failures SET remaining = remaining - 1 WHERE id = ?", (row[0],))
        return row[1]

    def _fail_if(self, conn, operation: str, resource: str) -> None:
        message = self._take_failure(conn, operation, resource, "start")
        if message is not None:
            raise InjectedFailure(message, operation=operation, resource=resource)

    def _settle(self) -> None:
        """Finish every operation whose simulated time is up (any process may do it)."""
        due = self._conn.execute(
            "SELECT 1 FROM operations WHERE status IN ('running', 'migrating') AND done_at <= ? "
            "LIMIT 1",
            (time.time(),),
        ).fetchone()
        if due:
            with store.write(self._conn) as conn:
                self._settle_in(conn)

    def _settle_in(self, conn) -> None:
        due = conn.execute(
            "SELECT id, kind, resource, dest, new_flavor, fail_message FROM operations "
            "WHERE status IN ('running', 'migrating') AND done_at <= ?",
            (time.time(),),
        ).fetchall()
        for op_id, kind, resource, dest, new_flavor, fail in due:
            if kind == "volume-migration":
                status = "error" if fail else "success"
                if not fail:
                    conn.execute("UPDATE volumes SET pool = ? WHERE uuid = ?", (dest, resource))
                conn.execute(
                    "UPDATE volumes SET migration_status = ? WHERE uuid = ?", (status, resource)
                )
                conn.execute("UPDATE operations SET status = ? WHERE id = ?", (status, op_id))
                continue
            conn.execute("UPDATE instances SET task_state = NULL WHERE uuid = ?", (resource,))
            if fail:
                conn.execute("UPDATE operations SET status = 'error' WHERE id = ?", (op_id,))
                continue
            conn.execute("UPDATE instances SET host = ? WHERE uuid = ?", (dest, resource))
            if kind == "live-migration":
                conn.execute("UPDATE operations SET status = 'completed' WHERE id = ?", (op_id,))
            else:
                self._set_flavor(conn, resource, new_flavor)
                conn.execute("UPDATE instances SET state = 'resized' WHERE uuid = ?", (resource,))
                conn.execute("UPDATE operations SET status = 'finished' WHERE id = ?", (op_id,))

    def _migration(self, r) -> Migration:
        op_id, op_uuid, kind, resource, source, dest, status, started, done_at = r
        progress = None
        if kind == "live-migration":
            span = max(done_at - started, 1e-9)
            fraction = 1.0 if status != "running" else (time.time() - started) / span
            progress = int(100 * min(1.0, max(0.0, fraction)))
        return Migration(
            id=str(op_id), instance_uuid=resource, source=source, destination=dest,
            status=status, migration_type=kind, progress=progress, uuid=op_uuid,
        )  # fmt: skip


OP_COLS = "id, uuid, kind, resource, source, dest, status, started, done_at"

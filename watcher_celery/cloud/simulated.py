"""The simulated cloud: a :class:`~watcher_celery.cloud.base.CloudAdapter` over a SQLite file.

Deterministic from a seed (``sim/generate.py``), persisted in one SQLite file that every
process opens (``sim/store.py``), so an action run by one Celery worker is seen by the next
audit, by other workers and by the OpenStack API emulator. Operations take simulated time:
a migration goes through the statuses real Nova shows (``sim/phases.py``: no record for a
moment after the request, ``pre-migrating`` … ``finished`` and VERIFY_RESIZE until a confirm
or revert, ``accepted`` … ``completed`` for a live migration, with the server's task_state)
over ``op_seconds``, and is moved on by whichever process looks next. Failures are injected
per operation and resource (:meth:`SimulatedCloud.inject_failure`), either when the operation
starts (the call raises) or later (the migration ends in ``error``, the instance stays where
it was and its fault tells why). See ``docs/cloud.md``.
"""

from __future__ import annotations

import json
import sqlite3
import time
import uuid as uuidlib
from pathlib import Path
from typing import Any

from watcher_celery.cloud.base import Migration
from watcher_celery.cloud.sim import allocations, jsonio, lifecycle, phases, scheduler, store
from watcher_celery.cloud.sim import rows as records
from watcher_celery.cloud.sim.generate import generate
from watcher_celery.errors import CloudError
from watcher_celery.model import (
    BaremetalNode,
    ComputeNode,
    Instance,
    ServerGroup,
    StoragePool,
    Volume,
)

OPERATIONS = (
    "live_migrate", "cold_migrate", "resize", "confirm_resize", "revert_resize",
    "abort_migration", "set_compute_service", "stop_instance", "start_instance",
    "set_power_state", "migrate_volume", "retype_volume",
)  # fmt: skip
# Nova aborts a live migration once it runs (queued and preparing from microversion 2.65);
# one still "accepted" is refused.
ABORTABLE = ("queued", "preparing", "running")
MIGRATIONS = "kind IN ('live-migration', 'migration', 'resize') AND status != 'requested'"


class InjectedFailure(CloudError, store.Committed):
    """Raised when an operation meets a failure injected with ``inject_failure``."""


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
            ("baremetal", cluster.baremetal), ("server_groups", cluster.server_groups),
            ("server_group_members", cluster.server_group_members),
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

        ``phase`` ``start`` makes the call raise; ``complete`` lets it start (202) and then
        ends the migration in ``error`` with nothing moved and ``message`` as the server's
        fault, as Nova does with a resize no host can take.
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
                "SELECT COUNT(*) FROM operations WHERE next_at IS NOT NULL"
            ).fetchone()[0]
            if not busy:
                return
            time.sleep(min(0.05, max(0.005, self.op_seconds / 4)))
        raise TimeoutError("simulated operations still in flight")

    # --- reading -------------------------------------------------------------------------

    def compute_nodes(self) -> list[ComputeNode]:
        self._settle()
        rows = self._conn.execute(f"SELECT {records.HOST_COLS} FROM hosts ORDER BY hostname")  # noqa: S608
        return [records.node(r) for r in rows]

    def instances(self) -> list[Instance]:
        self._settle()
        rows = self._conn.execute(
            f"SELECT {records.INSTANCE_COLS} FROM instances WHERE state != 'deleted'"  # noqa: S608
        )
        return [records.instance(r) for r in rows]

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
        rows = self._conn.execute(f"SELECT {records.VOLUME_COLS} FROM volumes ORDER BY uuid")  # noqa: S608
        return [records.volume(r) for r in rows]

    def baremetal_nodes(self) -> list[BaremetalNode]:
        rows = self._conn.execute(
            "SELECT uuid, power_state, maintenance, maintenance_reason, hypervisor_hostname, "
            "extra FROM baremetal ORDER BY uuid"
        )
        return [BaremetalNode(r[0], r[1], bool(r[2]), r[3], r[4], json.loads(r[5])) for r in rows]

    def server_groups(self) -> list[ServerGroup]:
        """Nova's server groups with their policy and members (instances not deleted)."""
        members: dict[str, list[str]] = {}
        for instance, group in self._conn.execute(
            "SELECT m.instance, m.group_uuid FROM server_group_members m "
            "JOIN instances i ON i.uuid = m.instance WHERE i.state != 'deleted' ORDER BY m.rowid"
        ):
            members.setdefault(group, []).append(instance)
        return [
            ServerGroup(uuid, name, policy, tuple(members.get(uuid, ())), project)
            for uuid, name, policy, project in self._conn.execute(
                "SELECT uuid, name, policy, project_id FROM server_groups ORDER BY uuid"
            )
        ]

    def add_server_group(self, group: ServerGroup) -> None:
        """Record a server group and its members (in Nova they join when booted into it)."""
        with store.write(self._conn) as conn:
            conn.execute(
                "INSERT INTO server_groups VALUES (?, ?, ?, ?)",
                (group.uuid, group.name, group.policy, group.project_id),
            )
            conn.executemany(
                "INSERT INTO server_group_members VALUES (?, ?)",
                [(member, group.uuid) for member in group.members],
            )

    def get_instance(self, uuid: str) -> Instance | None:
        return self._one(records.instance, records.INSTANCE_COLS, "instances", "uuid", uuid)

    def get_compute_node(self, hostname: str) -> ComputeNode | None:
        return self._one(records.node, records.HOST_COLS, "hosts", "hostname", hostname)

    def get_compute_node_by_uuid(self, uuid: str) -> ComputeNode | None:
        return self._one(records.node, records.HOST_COLS, "hosts", "uuid", uuid)

    def get_volume(self, uuid: str) -> Volume | None:
        return self._one(records.volume, records.VOLUME_COLS, "volumes", "uuid", uuid)

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

    def flavor_name(self, name_or_id: str) -> str | None:
        found = self._flavor(name_or_id)
        return found["name"] if found else None

    def flavors(self) -> list[dict[str, Any]]:
        return lifecycle.flavors(self._conn)

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
        """Allocated resources per host: (vcpus, memory MB, disk GB, instance count); a
        migration in flight or in VERIFY_RESIZE holds both hosts (``sim/allocations.py``)."""
        return allocations.host_usage(self._conn, self._flavor)

    def allocations(self, consumer: str) -> dict[str, dict[str, int]]:
        """Placement's allocations of a consumer (an instance, or a migration holding the
        other host), by hostname: ``{host: {"VCPU": n, "MEMORY_MB": n, "DISK_GB": n}}``."""
        self._settle()
        return allocations.of_consumer(self._conn, consumer, self._flavor)

    def all_migrations(self) -> list[Migration]:
        """Every server migration, newest first."""
        self._settle()
        rows = self._conn.execute(
            f"SELECT {records.OP_COLS} FROM operations WHERE {MIGRATIONS} ORDER BY id DESC"  # noqa: S608
        )
        return [records.migration(r) for r in rows]

    # --- operations ----------------------------------------------------------------------

    def live_migrate(
        self, instance_uuid: str, destination: str | None = None, accepted: bool = True
    ) -> None:
        """``accepted`` False: as Nova before microversion 2.34, the record starts
        ``preparing`` instead of ``accepted``."""
        with store.write(self._conn) as conn:
            inst = self._movable(conn, instance_uuid, ("active", "paused"))
            self._fail_if(conn, "live_migrate", instance_uuid)
            dest = self._destination(conn, inst, destination, inst["flavor"])
            first = phases.first_status("live-migration", accepted)
            self._start(conn, "live-migration", inst, dest, first)

    def cold_migrate(self, instance_uuid: str, destination: str | None = None) -> None:
        with store.write(self._conn) as conn:
            inst = self._movable(conn, instance_uuid, ("active", "stopped"))
            self._fail_if(conn, "cold_migrate", instance_uuid)
            dest = self._destination(conn, inst, destination, inst["flavor"])
            self._start(conn, "migration", inst, dest, phases.HIDDEN)

    def refuse_late(
        self, kind: str, instance_uuid: str, reason: str, flavor: str | None = None
    ) -> None:
        """Nova's answer when its scheduler finds no host for a request it handles after
        answering (a cold migration, a resize, a live migration from microversion 2.34): the
        migration starts, holds nothing elsewhere (no destination) and ends ``error`` with
        ``reason``, the server unmoved. ``kind``: ``migration``, ``resize``, ``live-migration``."""
        states = ("active", "paused") if kind == "live-migration" else ("active", "stopped")
        with store.write(self._conn) as conn:
            inst = self._movable(conn, instance_uuid, states)
            first = phases.first_status(kind)
            self._insert_operation(conn, kind, inst, None, first, flavor, reason)

    def resize(self, instance_uuid: str, flavor: str) -> None:
        with store.write(self._conn) as conn:
            inst = self._movable(conn, instance_uuid, ("active", "stopped"))
            new = self._flavor(flavor)
            if new is None:
                raise CloudError(f"Flavor {flavor} could not be found")
            self._fail_if(conn, "resize", instance_uuid)
            dest = self._destination(conn, inst, None, new["name"])
            self._start(conn, "resize", inst, dest, phases.HIDDEN, new["name"])

    def confirm_resize(self, instance_uuid: str) -> None:
        self._finish_resize(instance_uuid, "confirm_resize", "confirmed")

    def revert_resize(self, instance_uuid: str) -> None:
        self._finish_resize(instance_uuid, "revert_resize", "reverted")

    def migrations(self, instance_uuid: str) -> list[Migration]:
        self._settle()
        rows = self._conn.execute(
            f"SELECT {records.OP_COLS} FROM operations WHERE resource = ? AND {MIGRATIONS} "  # noqa: S608
            "ORDER BY id DESC",
            (instance_uuid,),
        )
        return [records.migration(r) for r in rows]

    def last_error(self, instance_uuid: str) -> str | None:
        """The reason of the server's latest failed operation (its fault)."""
        row = self._conn.execute(
            "SELECT message FROM faults WHERE instance = ? AND created <= ?",
            (instance_uuid, time.time()),
        ).fetchone()
        return row[0] if row else None

    def actions(self, instance_uuid: str) -> list[dict[str, Any]]:
        """Nova's instance actions of a server, newest first: what was asked (``action``),
        its request id, when, and the error if it failed."""
        self._settle()
        rows = self._conn.execute(
            "SELECT uuid, kind, status, started, fail_message FROM operations "
            "WHERE resource = ? AND kind != 'volume-migration' AND status != 'requested' "
            "ORDER BY id DESC",
            (instance_uuid,),
        ).fetchall()
        names = {"live-migration": "live-migration", "migration": "migrate", "resize": "resize"}
        written = self.last_error(instance_uuid) is not None  # Nova writes it a moment late
        found = []
        for op_uuid, kind, status, started, fail in rows:
            name = names.get(kind) or ("stop" if status in ("powering-off", "stopped") else "start")
            failed = status in ("error", "failed") and (written or bool(found))
            found.append({"request_id": f"req-{op_uuid}", "action": name, "started": started,
                          "error": fail if failed else None})  # fmt: skip
        return found

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
            if row[0] != "live-migration" or row[1] not in ABORTABLE:
                raise CloudError(f"Migration {migration_id} is not a running live migration")
            conn.execute(
                "UPDATE operations SET status = 'cancelled', next_at = NULL WHERE resource = ? "
                "AND (uuid = ? OR CAST(id AS TEXT) = ?)",
                (instance_uuid, migration_id, migration_id),
            )
            conn.execute("UPDATE instances SET task_state = NULL WHERE uuid = ?", (instance_uuid,))

    def set_compute_service(self, hostname: str, enabled: bool, reason: str | None = None) -> None:
        with store.write(self._conn) as conn:
            scheduler.host(conn, hostname)
            self._fail_if(conn, "set_compute_service", hostname)
            conn.execute(
                "UPDATE hosts SET status = ?, disabled_reason = ? WHERE hostname = ?",
                ("enabled" if enabled else "disabled", None if enabled else reason, hostname),
            )

    def stop_instance(self, instance_uuid: str) -> None:
        """Answered at once; the server is SHUTOFF a moment later (task_state powering-off)."""
        self._power_instance(instance_uuid, "stop_instance", "active", "powering-off")

    def start_instance(self, instance_uuid: str) -> None:
        self._power_instance(instance_uuid, "start_instance", "stopped", "powering-on")

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
            fail = lifecycle.take_failure(conn, "migrate_volume", volume_uuid, "complete")
            now = time.time()
            conn.execute(
                "INSERT INTO operations (uuid, kind, resource, source, dest, status, started, "
                "done_at, fail_message, next_at) VALUES (?, 'volume-migration', ?, ?, ?, "
                "'migrating', ?, ?, ?, ?)",
                (str(uuidlib.uuid4()), volume_uuid, vol[0], pool, now, now + self.op_seconds,
                 fail, now + self.op_seconds),
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
        return lifecycle.flavor(self._conn, name_or_id)

    def _movable(self, conn, instance_uuid: str, states: tuple[str, ...]) -> dict[str, Any]:
        lifecycle.settle(conn)
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
        size = self._flavor(flavor)
        need = (size["vcpus"], size["ram"], jsonio.flavor_disk(size))
        return scheduler.destination(conn, inst, destination, need, self.host_usage())

    def _start(self, conn, kind, inst, dest, status, new_flavor=None) -> None:
        operation = {"live-migration": "live_migrate", "migration": "cold_migrate"}.get(
            kind, "resize"
        )
        fail = lifecycle.take_failure(conn, operation, inst["uuid"], "complete")
        self._insert_operation(conn, kind, inst, dest, status, new_flavor, fail)

    def _insert_operation(self, conn, kind, inst, dest, status, new_flavor=None, fail=None):
        now, span = time.time(), self.op_seconds
        next_at, task_state = lifecycle.start(kind, status, now, span)
        conn.execute(
            "INSERT INTO operations (uuid, kind, resource, source, dest, status, started, "
            "done_at, old_flavor, new_flavor, prev_state, fail_message, next_at) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            (str(uuidlib.uuid4()), kind, inst["uuid"], inst["host"], dest, status, now,
             now + span, inst["flavor"], new_flavor or inst["flavor"], inst["state"], fail,
             next_at),
        )  # fmt: skip
        conn.execute(
            "UPDATE instances SET task_state = ? WHERE uuid = ?", (task_state, inst["uuid"])
        )

    def _finish_resize(self, instance_uuid: str, operation: str, outcome: str) -> None:
        """Confirm or revert: answered at once, done a moment later (``confirming`` /
        ``reverting``); the server stays VERIFY_RESIZE (REVERT_RESIZE) meanwhile."""
        with store.write(self._conn) as conn:
            lifecycle.settle(conn)
            op = conn.execute(
                "SELECT id, started, done_at FROM operations WHERE resource = ? "
                "AND status = 'finished' ORDER BY id DESC LIMIT 1",
                (instance_uuid,),
            ).fetchone()
            if op is None:
                raise CloudError(f"Instance {instance_uuid} has no resize to {outcome[:-2]}")
            self._fail_if(conn, operation, instance_uuid)
            status = "confirming" if outcome == "confirmed" else "reverting"
            next_at, task_state = lifecycle.start("resize", status, time.time(), op[2] - op[1])
            conn.execute(
                "UPDATE operations SET status = ?, next_at = ? WHERE id = ?",
                (status, next_at, op[0]),
            )
            conn.execute(
                "UPDATE instances SET task_state = ? WHERE uuid = ?", (task_state, instance_uuid)
            )

    def _power_instance(self, instance_uuid: str, operation: str, before: str, status: str):
        with store.write(self._conn) as conn:
            inst = self._movable(conn, instance_uuid, (before,))
            self._fail_if(conn, operation, inst["uuid"])
            self._insert_operation(conn, "power", inst, None, status)

    def _fail_if(self, conn, operation: str, resource: str) -> None:
        message = lifecycle.take_failure(conn, operation, resource, "start")
        if message is not None:
            raise InjectedFailure(message, operation=operation, resource=resource)

    def _settle(self) -> None:
        """Finish every operation whose simulated time is up (any process may do it)."""
        due = self._conn.execute(
            "SELECT 1 FROM operations WHERE next_at IS NOT NULL AND next_at <= ? LIMIT 1",
            (time.time(),),
        ).fetchone()
        if due:
            with store.write(self._conn) as conn:
                lifecycle.settle(conn)

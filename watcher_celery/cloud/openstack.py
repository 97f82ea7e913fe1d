"""The cloud adapter for a real OpenStack, on openstacksdk.

Credentials follow the usual conventions: a ``clouds.yaml`` entry named by ``OS_CLOUD`` (or
``WATCHER_OS_CLOUD``), or ``OS_*`` environment variables. openstacksdk negotiates each
service's microversion; capacities come from Placement inventories (totals, reserved,
allocation ratios) as upstream does, hosts' state and status from Nova's os-services, zones
and aggregates from os-aggregates. ``import openstack`` is deferred to first use (it costs
about 0.4 s). Every SDK failure becomes a :class:`~watcher_celery.errors.CloudError`.
"""

from __future__ import annotations

import functools
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime
from typing import Any

from watcher_celery.cloud.base import Migration
from watcher_celery.errors import CloudError
from watcher_celery.model import (
    BaremetalNode,
    ComputeNode,
    Instance,
    ServerGroup,
    StoragePool,
    Volume,
)


def _sdk_errors(fn):
    """Turn openstacksdk and keystoneauth exceptions into CloudError with their message."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except CloudError:
            raise
        except Exception as exc:  # SDKException, keystoneauth errors, connection errors
            detail = getattr(exc, "details", None) or str(exc) or type(exc).__name__
            raise CloudError(f"OpenStack {fn.__name__} failed: {detail}") from exc

    return wrapper


class OpenStackCloud:
    """A cloud reached through openstacksdk; ``cloud`` names a clouds.yaml entry."""

    def __init__(self, cloud: str | None = None, connection: Any = None) -> None:
        self.cloud_name = cloud
        self._conn = connection

    @property
    def conn(self):
        if self._conn is None:
            import openstack

            try:
                self._conn = openstack.connect(cloud=self.cloud_name, app_name="watcher-celery")
            except Exception as exc:
                raise CloudError(
                    f"OpenStack cloud {self.cloud_name or '(from OS_* variables)'} cannot be "
                    f"configured: {exc}"
                ) from exc
        return self._conn

    # --- reading -------------------------------------------------------------------------

    @_sdk_errors
    def compute_nodes(self) -> list[ComputeNode]:
        """Hypervisors with Placement capacities, os-services state and aggregate zones.

        Lists are read as plain JSON through the SDK session (see :meth:`instances`).
        """
        return self._nodes(None)

    def _nodes(self, only: str | None) -> list[ComputeNode]:
        """Every compute node, or only the one of host ``only`` (its service, hypervisor,
        provider and inventory alone: an action's pre_condition must not read the whole
        cloud, one inventory request per host, to check one destination)."""
        compute, placement = self.conn.compute, self.conn.placement
        mv = SERVERS_MICROVERSION
        wanted = {"host": only} if only else {}
        services = {
            s["host"]: s
            for s in _pages(
                compute, "/os-services", "services", {"binary": "nova-compute", **wanted}, mv
            )
        }
        zone_of, member_of = {}, {}
        for agg in _pages(compute, "/os-aggregates", "aggregates", {}, mv):
            for host in agg.get("hosts") or []:
                member_of.setdefault(host, []).append(agg["name"])
                if agg.get("availability_zone"):
                    zone_of[host] = agg["availability_zone"]
        pattern = {"hypervisor_hostname_pattern": only} if only else {}
        try:
            hypervisors = [
                h for h in _pages(compute, "/os-hypervisors/detail", "hypervisors", pattern, mv)
                if (h.get("hypervisor_type") or "").lower() != "ironic"
                and (not only or ((h.get("service") or {}).get("host") or
                                  h["hypervisor_hostname"]) == only)
            ]  # fmt: skip
        except exceptions().NotFoundException:
            if not only:
                raise
            return []  # Nova answers 404 when no hypervisor matches the pattern
        if only:
            providers = {
                h["hypervisor_hostname"]: rp
                for h in hypervisors
                for rp in placement.resource_providers(name=h["hypervisor_hostname"])
            }
        else:
            providers = {rp.name: rp for rp in placement.resource_providers()}
        # One inventory request per provider (Placement has no bulk read): a few in flight.
        with ThreadPoolExecutor(INVENTORY_WORKERS) as pool:
            inventories = list(
                pool.map(
                    lambda h: self._inventory(placement, providers.get(h["hypervisor_hostname"])),
                    hypervisors,
                )
            )
        nodes = []
        for hyp, inv in zip(hypervisors, inventories, strict=True):
            name = hyp["hypervisor_hostname"]
            host = (hyp.get("service") or {}).get("host") or name
            svc = services.get(host, {})
            vcpu, ram, disk = (inv.get(rc, {}) for rc in ("VCPU", "MEMORY_MB", "DISK_GB"))
            nodes.append(
                ComputeNode(
                    uuid=str(hyp["id"]),
                    hostname=host,
                    vcpus=int(vcpu.get("total", hyp.get("vcpus") or 0)),
                    memory=int(ram.get("total", hyp.get("memory_mb") or 0)),
                    disk=int(disk.get("total", hyp.get("local_gb") or 0)),
                    vcpu_reserved=int(vcpu.get("reserved", 0)),
                    memory_mb_reserved=int(ram.get("reserved", 0)),
                    disk_gb_reserved=int(disk.get("reserved", 0)),
                    vcpu_ratio=float(vcpu.get("allocation_ratio", 1.0)),
                    memory_ratio=float(ram.get("allocation_ratio", 1.0)),
                    disk_ratio=float(disk.get("allocation_ratio", 1.0)),
                    state=svc.get("state") or hyp.get("state") or "up",
                    status=svc.get("status") or hyp.get("status") or "enabled",
                    disabled_reason=svc.get("disabled_reason"),
                    availability_zone=zone_of.get(host) or svc.get("zone"),
                    aggregates=tuple(member_of.get(host, ())),
                )  # fmt: skip
            )
        return nodes

    @staticmethod
    def _inventory(placement, provider) -> dict[str, dict]:
        """Placement totals, reserved amounts and ratios; {} (hypervisor values) if absent."""
        if provider is None:
            return {}
        response = placement.get(f"/resource_providers/{provider.id}/inventories")
        exceptions().raise_from_response(response)
        return response.json().get("inventories", {})

    @_sdk_errors
    def aggregates(self) -> list[dict]:
        return [
            {"id": a.id, "name": a.name, "availability_zone": a.availability_zone,
             "metadata": dict(a.metadata or {}), "hosts": list(a.hosts or [])}
            for a in self.conn.compute.aggregates()
        ]  # fmt: skip

    @_sdk_errors
    def instances(self) -> list[Instance]:
        """All servers, read as plain JSON pages through the SDK's authenticated session.

        Building an SDK resource costs about 5 ms per server (300 s at 200,000 instances),
        so the bulk list skips it; microversion 2.53 brings flavors embedded (2.47).
        """
        servers = _pages(
            self.conn.compute, "/servers/detail", "servers",
            {"all_tenants": "True", "limit": 1000}, SERVERS_MICROVERSION,
        )  # fmt: skip
        return [_raw_instance(s) for s in servers if s.get("OS-EXT-STS:vm_state") != "deleted"]

    @_sdk_errors
    def server_groups(self) -> list[ServerGroup]:
        """Every project's server groups (``os-server-groups``), paged by offset as Nova pages
        them: Nova gives no next link, and the SDK's marker paging is not what it reads."""
        groups: list[ServerGroup] = []
        while True:
            response = self.conn.compute.get(
                "/os-server-groups",
                params={"all_projects": "True", "limit": GROUPS_PAGE, "offset": len(groups)},
                microversion=SERVER_GROUPS_MICROVERSION,
            )
            exceptions().raise_from_response(response)
            page = response.json().get("server_groups", [])
            groups += [_server_group(g) for g in page]
            if len(page) < GROUPS_PAGE:
                return groups

    @_sdk_errors
    def get_instance(self, uuid: str) -> Instance | None:
        """One GET of the server by id (actions look at it several times a second)."""
        try:
            return _instance(self.conn.compute.get_server(uuid))
        except exceptions().NotFoundException:
            return None

    @_sdk_errors
    def get_compute_node(self, hostname: str) -> ComputeNode | None:
        return next((n for n in self._nodes(hostname) if n.hostname == hostname), None)

    @_sdk_errors
    def flavor_exists(self, name_or_id: str) -> bool:
        return self.conn.compute.find_flavor(name_or_id, ignore_missing=True) is not None

    @_sdk_errors
    def flavor_name(self, name_or_id: str) -> str | None:
        found = self.conn.compute.find_flavor(name_or_id, ignore_missing=True)
        return found.name if found else None

    @_sdk_errors
    def storage_pools(self) -> list[StoragePool]:
        pools = []
        for pool in self.conn.block_storage.backend_pools(detail=True):
            cap = pool.capabilities or {}
            pools.append(
                StoragePool(
                    name=pool.name,
                    total_capacity_gb=float(cap.get("total_capacity_gb") or 0),
                    free_capacity_gb=float(cap.get("free_capacity_gb") or 0),
                    provisioned_capacity_gb=float(cap.get("provisioned_capacity_gb") or 0),
                    allocated_capacity_gb=float(cap.get("allocated_capacity_gb") or 0),
                    total_volumes=int(cap.get("total_volumes") or 0),
                    max_over_subscription_ratio=float(cap.get("max_over_subscription_ratio") or 1),
                    availability_zone=cap.get("availability_zone"),
                    volume_types=tuple(cap.get("volume_types") or ()),
                )
            )
        return pools

    @_sdk_errors
    def volumes(self) -> list[Volume]:
        return [
            _volume(v) for v in self.conn.block_storage.volumes(details=True, all_projects=True)
        ]

    @_sdk_errors
    def get_volume(self, uuid: str) -> Volume | None:
        found = self.conn.block_storage.find_volume(uuid, ignore_missing=True)
        return _volume(self.conn.block_storage.get_volume(found.id)) if found else None

    @_sdk_errors
    def baremetal_nodes(self) -> list[BaremetalNode]:
        return [_baremetal(n) for n in self.conn.baremetal.nodes(details=True)]

    @_sdk_errors
    def get_baremetal_node(self, uuid: str) -> BaremetalNode | None:
        node = self.conn.baremetal.find_node(uuid, ignore_missing=True)
        return _baremetal(node) if node else None

    # --- operations ----------------------------------------------------------------------

    @_sdk_errors
    def live_migrate(self, instance_uuid: str, destination: str | None = None) -> None:
        self.conn.compute.live_migrate_server(
            instance_uuid, host=destination, block_migration="auto"
        )

    @_sdk_errors
    def cold_migrate(self, instance_uuid: str, destination: str | None = None) -> None:
        self.conn.compute.migrate_server(instance_uuid, host=destination)

    @_sdk_errors
    def resize(self, instance_uuid: str, flavor: str) -> None:
        found = self.conn.compute.find_flavor(flavor, ignore_missing=True)
        if found is None:
            raise CloudError(f"Flavor {flavor} could not be found")
        self.conn.compute.resize_server(instance_uuid, found)

    @_sdk_errors
    def confirm_resize(self, instance_uuid: str) -> None:
        self.conn.compute.confirm_server_resize(instance_uuid)

    @_sdk_errors
    def revert_resize(self, instance_uuid: str) -> None:
        self.conn.compute.revert_server_resize(instance_uuid)

    @_sdk_errors
    def migrations(self, instance_uuid: str) -> list[Migration]:
        compute = self.conn.compute
        listed = list(compute.migrations(instance_uuid=instance_uuid))
        progress = {}
        live = {"live-migration"}
        if any(m.migration_type in live and m.status in LIVE_IN_PROGRESS for m in listed):
            for running in compute.server_migrations(instance_uuid):  # progress: one more GET
                total = running.memory_total_bytes or 0
                done = running.memory_processed_bytes or 0
                progress[str(running.id)] = int(100 * done / total) if total else 0
        found = [
            Migration(
                id=str(m.id),
                instance_uuid=m.server_id or instance_uuid,
                source=m.source_compute,
                destination=m.dest_compute,
                status=m.status,
                migration_type=m.migration_type or "migration",
                progress=progress.get(str(m.id)),
                uuid=getattr(m, "uuid", None),
                created_at=_parse_nova_time(m.created_at),
            )  # fmt: skip
            for m in listed
        ]
        return sorted(found, key=lambda m: int(m.id), reverse=True)

    @_sdk_errors
    def last_error(self, instance_uuid: str) -> str | None:
        """The server's fault (Nova shows it in ERROR), else the failed event of its latest
        instance action: ``details`` (microversion 2.84) or the traceback's last line. None
        while the latest action has not failed (Nova writes the failure a moment after the
        migration turns ``error``): an older action's failure is not this one's."""
        compute = self.conn.compute
        server = compute.get_server(instance_uuid)
        if server.fault and server.fault.get("message"):
            return server.fault["message"]
        failed = next(iter(compute.server_actions(instance_uuid)), None)  # newest first
        if failed is None or not failed.message:
            return None
        action = compute.get_server_action(failed.request_id, instance_uuid)
        for event in action.events or []:
            if (event.result or "").lower() == "error":
                if event.details:
                    return event.details
                lines = [x for x in (event.traceback or "").splitlines() if x.strip()]
                if lines:
                    return lines[-1].strip()
        return f"{action.action}: {failed.message}"

    @_sdk_errors
    def abort_migration(self, instance_uuid: str, migration_id: str) -> None:
        self.conn.compute.abort_server_migration(migration_id, instance_uuid)

    @_sdk_errors
    def set_compute_service(self, hostname: str, enabled: bool, reason: str | None = None) -> None:
        compute = self.conn.compute
        service = next(iter(compute.services(binary="nova-compute", host=hostname)), None)
        if service is None:
            raise CloudError(f"Compute service of host {hostname} could not be found")
        if enabled:
            compute.enable_service(service, host=hostname, binary="nova-compute")
        else:
            compute.disable_service(
                service, host=hostname, binary="nova-compute", disabled_reason=reason
            )

    @_sdk_errors
    def stop_instance(self, instance_uuid: str) -> None:
        self.conn.compute.stop_server(instance_uuid)

    @_sdk_errors
    def start_instance(self, instance_uuid: str) -> None:
        self.conn.compute.start_server(instance_uuid)

    @_sdk_errors
    def set_power_state(self, node_uuid: str, on: bool) -> None:
        self.conn.baremetal.set_node_power_state(node_uuid, "power on" if on else "power off")

    @_sdk_errors
    def migrate_volume(self, volume_uuid: str, pool: str) -> None:
        self.conn.block_storage.migrate_volume(volume_uuid, host=pool)

    @_sdk_errors
    def retype_volume(self, volume_uuid: str, volume_type: str) -> None:
        self.conn.block_storage.retype_volume(volume_uuid, volume_type, "on-demand")


SERVERS_MICROVERSION = "2.53"
# 2.64: one ``policy`` string per group (``policies``, a list, before).
SERVER_GROUPS_MICROVERSION = "2.64"
GROUPS_PAGE = 1000  # Nova's default osapi_max_limit


def _server_group(g: dict) -> ServerGroup:
    policy = g.get("policy") or next(iter(g.get("policies") or []), "")
    return ServerGroup(
        g["id"], g.get("name") or "", policy, tuple(g.get("members") or ()),
        g.get("project_id") or "",
    )  # fmt: skip


LIVE_IN_PROGRESS = {"accepted", "queued", "preparing", "running", "post-migrating"}
INVENTORY_WORKERS = 8


def exceptions():
    from openstack import exceptions as sdk_exceptions

    return sdk_exceptions


def _pages(proxy, path: str, key: str, params: dict, microversion: str):
    """Every item of a paged Nova-style list, following ``<key>_links`` next hrefs."""
    url, query = path, params
    while url:
        response = proxy.get(url, params=query, microversion=microversion)
        exceptions().raise_from_response(response)
        body = response.json()
        yield from body.get(key, [])
        url, query = None, None
        for link in body.get(f"{key}_links", []):
            if link.get("rel") == "next":
                url = link["href"]


def _raw_instance(s: dict) -> Instance:
    flavor = s.get("flavor") or {}
    swap = int(flavor.get("swap") or 0)
    disk = int(flavor.get("disk") or 0) + int(flavor.get("ephemeral") or 0) + -(-swap // 1024)
    return Instance(
        uuid=s["id"], name=s.get("name") or s["id"], vcpus=int(flavor.get("vcpus") or 0),
        memory=int(flavor.get("ram") or 0), disk=disk,
        state=s.get("OS-EXT-STS:vm_state") or "active", project_id=s.get("tenant_id") or "",
        host=s.get("OS-EXT-SRV-ATTR:host"), metadata=dict(s.get("metadata") or {}),
        locked=bool(s.get("locked")), flavor_name=flavor.get("original_name"),
        created=s.get("created"), task_state=s.get("OS-EXT-STS:task_state"),
        flavor_extra_specs=dict(flavor.get("extra_specs") or {}),
        fault=(s.get("fault") or {}).get("message"),
    )  # fmt: skip


def _instance(s) -> Instance:
    flavor = s.flavor
    swap = (flavor.swap or 0) if flavor else 0
    disk = (
        (flavor.disk or 0) + (flavor.ephemeral or 0) + -(-int(swap or 0) // 1024) if flavor else 0
    )
    return Instance(
        uuid=s.id, name=s.name, vcpus=int(flavor.vcpus or 0) if flavor else 0,
        memory=int(flavor.ram or 0) if flavor else 0, disk=int(disk),
        state=s.vm_state or "active", project_id=s.project_id or "", host=s.compute_host,
        metadata=dict(s.metadata or {}), locked=bool(s.is_locked),
        flavor_name=(flavor.original_name or flavor.name) if flavor else None,
        created=s.created_at, task_state=s.task_state,
        flavor_extra_specs=dict(flavor.extra_specs or {}) if flavor else {},
        fault=(s.fault or {}).get("message"),
    )  # fmt: skip


def _parse_nova_time(text: str | None) -> datetime | None:
    """Nova writes UTC without an offset."""
    if not text:
        return None
    moment = datetime.fromisoformat(text)
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _volume(v) -> Volume:
    return Volume(
        uuid=v.id, name=v.name or v.id, size=int(v.size or 0), status=v.status or "available",
        pool=v.host, volume_type=v.volume_type, project_id=v.project_id or "",
        bootable=str(v.is_bootable).lower() == "true", multiattach=bool(v.is_multiattach),
        attachments=[{"server_id": a.get("server_id"), "attachment_id": a.get("attachment_id")
                      or a.get("id")} for a in (v.attachments or [])],
        snapshot_id=v.snapshot_id, metadata=dict(v.metadata or {}), created_at=v.created_at,
        migration_status=v.migration_status,
    )  # fmt: skip


def _baremetal(n) -> BaremetalNode:
    extra = dict(n.extra or {})
    return BaremetalNode(
        uuid=n.id, power_state=n.power_state or "power off", maintenance=bool(n.is_maintenance),
        maintenance_reason=n.maintenance_reason,
        hypervisor_hostname=extra.get("hypervisor_hostname") or n.name, extra=extra,
    )  # fmt: skip

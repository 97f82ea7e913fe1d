"""The cloud adapter protocol: what the decision engine reads and what actions do.

Implemented by the simulated cloud (``cloud/simulated.py``) and by the openstacksdk adapter
(``cloud/openstack.py``). Failures raise :class:`~watcher_celery.errors.CloudError`.

Operations answer when the cloud has *accepted* them, as Nova's 202 does, not when they are
done: actions follow them through :meth:`CloudAdapter.get_instance` (``state`` is Nova's
vm_state, ``task_state`` its task_state, ``fault`` the message of the server's latest fault)
and :meth:`CloudAdapter.migrations` until the server is idle. A cold migration or resize ends
in VERIFY_RESIZE (vm_state ``resized``) and stays there until :meth:`confirm_resize` or
:meth:`revert_resize`; stop and start end when the server is SHUTOFF (``stopped``) or ACTIVE.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from watcher_celery.model import (
    BaremetalNode,
    ComputeNode,
    Instance,
    ServerGroup,
    StoragePool,
    Volume,
)


@dataclass(frozen=True)
class Migration:
    """A server migration as the cloud reports it."""

    id: str
    instance_uuid: str
    source: str
    destination: str | None
    # As Nova shows it. Live: accepted (>= 2.34) | queued | preparing | running | completed;
    # cold/resize: pre-migrating | migrating | post-migrating | finished (server in
    # VERIFY_RESIZE) | confirming | confirmed | reverting | reverted; both: error | failed |
    # cancelled. Right after the 202 of a cold migration or resize there is no record yet.
    status: str
    migration_type: str  # live-migration | migration | resize
    progress: int | None = None  # percent, for live migrations
    uuid: str | None = None  # Nova's migration uuid (microversion >= 2.59), when known
    created_at: datetime | None = None  # when the cloud recorded it (UTC)


class CloudAdapter(Protocol):
    # --- reading (collectors) --------------------------------------------------------------

    def compute_nodes(self) -> list[ComputeNode]:
        """Every nova-compute host with capacities, reserved amounts, ratios, state/status,
        disabled_reason, availability zone and aggregate names."""

    def instances(self) -> list[Instance]:
        """Every non-deleted server with its flavor sizes, state, host and metadata."""

    def aggregates(self) -> list[dict]:
        """Host aggregates: ``{id, name, availability_zone, metadata, hosts}`` each."""

    def server_groups(self) -> list[ServerGroup]:
        """Nova's server groups of every project, with their policy and member instances."""

    def storage_pools(self) -> list[StoragePool]: ...

    def volumes(self) -> list[Volume]: ...

    def baremetal_nodes(self) -> list[BaremetalNode]: ...

    def get_instance(self, uuid: str) -> Instance | None: ...

    def get_compute_node(self, hostname: str) -> ComputeNode | None: ...

    def get_volume(self, uuid: str) -> Volume | None: ...

    def get_baremetal_node(self, uuid: str) -> BaremetalNode | None: ...

    def flavor_exists(self, name_or_id: str) -> bool: ...

    def flavor_name(self, name_or_id: str) -> str | None:
        """The name of the flavor with this name or id (servers show flavors by name)."""

    # --- operations (actions) -------------------------------------------------------------

    def live_migrate(self, instance_uuid: str, destination: str | None = None) -> None:
        """Start a live migration; the scheduler picks the host if ``destination`` is None."""

    def cold_migrate(self, instance_uuid: str, destination: str | None = None) -> None:
        """Start a cold migration; it ends in VERIFY_RESIZE, to confirm."""

    def resize(self, instance_uuid: str, flavor: str) -> None: ...

    def confirm_resize(self, instance_uuid: str) -> None:
        """Confirm a VERIFY_RESIZE; the migration goes ``confirming`` → ``confirmed``."""

    def revert_resize(self, instance_uuid: str) -> None:
        """Revert a VERIFY_RESIZE; ``reverting`` → ``reverted``, the server back on its
        source with its old flavor."""

    def migrations(self, instance_uuid: str) -> list[Migration]:
        """The instance's migrations, newest first."""

    def last_error(self, instance_uuid: str) -> str | None:
        """Nova's own reason for the server's latest failed operation: the server's fault
        when Nova shows it (status ERROR), else the failed event of its latest instance
        action (``os-instance-actions``). Read only when an operation failed."""

    def abort_migration(self, instance_uuid: str, migration_id: str) -> None:
        """Abort a running live migration (the instance stays on its source)."""

    def set_compute_service(self, hostname: str, enabled: bool, reason: str | None = None) -> None:
        """Enable or disable the nova-compute service of ``hostname``."""

    def stop_instance(self, instance_uuid: str) -> None:
        """Ask for a stop; the server is SHUTOFF (vm_state ``stopped``) a moment later."""

    def start_instance(self, instance_uuid: str) -> None:
        """Ask for a start; the server is ACTIVE a moment later."""

    def set_power_state(self, node_uuid: str, on: bool) -> None:
        """Power a bare-metal node on or off."""

    def migrate_volume(self, volume_uuid: str, pool: str) -> None: ...

    def retype_volume(self, volume_uuid: str, volume_type: str) -> None: ...

"""``migrate``: move an instance to another compute node, live or cold, and wait for it.

pre_condition skips when the instance is gone or no longer on ``source_node`` and fails when
the destination is unknown or disabled, or a live migration is asked of an instance that is not
active. execute starts the migration (the scheduler picks the host without
``destination_node``) and polls until it is over: live succeeds when the instance left its
source; cold waits for the resize to finish and confirms it. abort stops a running live
migration (True: it stayed on its source; False: it landed anyway); a cold migration cannot be
stopped and completes. revert moves the instance back to ``source_node``.
"""

from __future__ import annotations

import logging
from datetime import datetime

from watcher_celery.applier.actions.base import BaseAction, traces_since
from watcher_celery.applier.actions.schemas import NAME, OPTIONAL_NAME, UUID, schema
from watcher_celery.errors import ActionFailed, ActionSkipped

LOG = logging.getLogger(__name__)
IN_FLIGHT = {"queued", "preparing", "running", "migrating", "post-migrating"}


class Migrate(BaseAction):
    name = "migrate"
    description = "Moving a VM instance from source_node to destination_node"
    schema = schema(
        ["resource_id", "migration_type", "source_node"],
        resource_id=UUID,
        migration_type={"type": "string", "enum": ["live", "cold"]},
        source_node=NAME,
        destination_node=OPTIONAL_NAME,
        resource_name=OPTIONAL_NAME,
    )

    @property
    def instance_uuid(self) -> str:
        return self.parameters["resource_id"]

    @property
    def live(self) -> bool:
        return self.parameters["migration_type"] == "live"

    def pre_condition(self) -> None:
        instance = self.cloud.get_instance(self.instance_uuid)
        source = self.parameters["source_node"]
        if instance is None:
            raise ActionSkipped(f"Instance {self.instance_uuid} could not be found")
        if instance.host != source:
            raise ActionSkipped(
                f"Instance {self.instance_uuid} is on {instance.host}, not on {source}"
            )
        destination = self.parameters.get("destination_node")
        if destination:
            node = self.cloud.get_compute_node(destination)
            if node is None:
                raise ActionFailed(f"Destination node {destination} could not be found")
            if node.status != "enabled":
                raise ActionFailed(f"Destination node {destination} is {node.status}")
        if self.live and instance.state != "active":
            raise ActionFailed(
                f"Instance {self.instance_uuid} is {instance.state}: live migration needs it active"
            )

    def _in_flight(self):
        return next(
            (m for m in self.cloud.migrations(self.instance_uuid) if m.status in IN_FLIGHT), None
        )

    def _landed(self) -> bool | str:
        """Wait result: True when it left its source, "error" when the migration failed."""
        if self._in_flight() is not None:
            return False
        instance = self.cloud.get_instance(self.instance_uuid)
        if instance is not None and instance.host != self.parameters["source_node"]:
            return True
        return "error"

    def _complete(self) -> bool:
        outcome = self.wait_until(f"the migration of {self.instance_uuid}", self._landed)
        if outcome is None:  # aborted
            return self._landed() is True
        if outcome == "error":
            return False
        instance = self.cloud.get_instance(self.instance_uuid)
        if instance.state == "resized":
            self.cloud.confirm_resize(self.instance_uuid)
        return True

    def execute(self) -> bool:
        destination = self.parameters.get("destination_node") or None
        if self.live:
            self.cloud.live_migrate(self.instance_uuid, destination)
        else:
            self.cloud.cold_migrate(self.instance_uuid, destination)
        return self._complete()

    def resume(self, started_at: datetime) -> bool:
        """The command may have been sent: look at the cloud before sending anything."""
        instance = self.cloud.get_instance(self.instance_uuid)
        if instance is None:
            raise ActionFailed(f"Instance {self.instance_uuid} disappeared during migration")
        traces = traces_since(self.cloud.migrations(self.instance_uuid), started_at)
        if self._in_flight() is not None or instance.host != self.parameters["source_node"]:
            return self._complete()
        if traces and traces[0].source == self.parameters["source_node"]:
            return False  # it was sent and it failed: do not send it again
        return self.execute()  # the cloud never received it

    def abort(self) -> bool:
        if not self.live:
            return False  # a cold migration runs to its end
        migration = self._in_flight()
        if migration is not None:
            try:
                self.cloud.abort_migration(self.instance_uuid, migration.id)
            finally:
                self._stop.set()
        else:
            self._stop.set()
        instance = self.cloud.get_instance(self.instance_uuid)
        return instance is None or instance.host == self.parameters["source_node"]

    def revert(self) -> None:
        """Abort a migration still in flight, or move the instance back to its source."""
        source = self.parameters["source_node"]
        migration = self._in_flight()
        if migration is not None and self.live:
            self.cloud.abort_migration(self.instance_uuid, migration.id)
            return
        self._stop.clear()
        self.wait_until(
            f"the migration of {self.instance_uuid} to settle", lambda: not self._in_flight()
        )
        instance = self.cloud.get_instance(self.instance_uuid)
        if instance is None:
            return
        if instance.state == "resized":
            self.cloud.revert_resize(self.instance_uuid)
            return
        if instance.host == source:
            return
        LOG.info("moving instance %s back to %s", self.instance_uuid, source)
        if self.live:
            self.cloud.live_migrate(self.instance_uuid, source)
        else:
            self.cloud.cold_migrate(self.instance_uuid, source)
        back = self.wait_until(
            f"instance {self.instance_uuid} back on {source}",
            lambda: (
                self._in_flight() is None
                and self.cloud.get_instance(self.instance_uuid).host == source
            ),
        )
        if not back:
            raise ActionFailed(f"Instance {self.instance_uuid} could not be moved back to {source}")
        if self.cloud.get_instance(self.instance_uuid).state == "resized":
            self.cloud.confirm_resize(self.instance_uuid)

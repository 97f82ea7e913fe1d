"""``stop``: power an instance off and wait until Nova shows it SHUTOFF.

Nova answers a stop with 202 and powers the server off afterwards (task_state
``powering-off``), so the action waits for vm_state ``stopped`` with no task_state. Skipped
when the instance is gone or already stopped; a server that disappears meanwhile counts as
stopped (as upstream). revert starts it again and waits until it is ACTIVE.
"""

from __future__ import annotations

import logging
from datetime import datetime

from watcher_celery.applier.actions.base import REVERTED, BaseAction
from watcher_celery.applier.actions.nova_progress import server_state
from watcher_celery.applier.actions.schemas import UUID, schema
from watcher_celery.errors import ActionFailed, ActionSkipped, CloudError

LOG = logging.getLogger(__name__)
STOPPED = ("stopped", "shutoff")


class Stop(BaseAction):
    name = "stop"
    description = "Stop a server instance."
    schema = schema(["resource_id"], resource_id=UUID)

    @property
    def instance_uuid(self) -> str:
        return self.parameters["resource_id"]

    def pre_condition(self) -> None:
        instance = self.cloud.get_instance(self.instance_uuid)
        if instance is None:
            raise ActionSkipped(f"Instance {self.instance_uuid} could not be found")
        if instance.state in STOPPED:
            raise ActionSkipped(f"Instance {self.instance_uuid} is already stopped")

    def _reached(self, states: tuple[str, ...]):
        """A wait condition: the server idle in one of ``states`` (or gone, for a stop)."""

        def look() -> bool:
            instance = self.cloud.get_instance(self.instance_uuid)
            if instance is None:
                return STOPPED == states
            if instance.state == "error":
                raise ActionFailed(
                    f"Instance {self.instance_uuid} went to ERROR"
                    + (f": {instance.fault}" if instance.fault else "")
                )
            return instance.task_state is None and instance.state in states

        return look

    def execute(self) -> bool:
        uuid = self.instance_uuid
        try:
            self.cloud.stop_instance(uuid)
        except CloudError:
            if self.cloud.get_instance(uuid) is not None:
                raise
            return True  # gone: as upstream, a success too
        return self.wait_until(f"instance {uuid} to be SHUTOFF", self._reached(STOPPED)) is True

    def resume(self, started_at: datetime) -> bool:
        """Stopped (or gone) already, or on its way: the command arrived before the worker
        died; otherwise send it."""
        instance = self.cloud.get_instance(self.instance_uuid)
        if instance is None or (instance.state in STOPPED and instance.task_state is None):
            return True
        if instance.task_state == "powering-off":
            what = f"instance {self.instance_uuid} to be SHUTOFF"
            return self.wait_until(what, self._reached(STOPPED)) is True
        return self.execute()

    def abort(self) -> bool:
        return False

    def revert(self) -> str:
        uuid = self.instance_uuid
        self._stop.clear()
        instance = self.cloud.get_instance(uuid)
        if instance is None or instance.state not in STOPPED:
            return f"nothing to revert: server {server_state(instance)}"
        LOG.warning("revert of the stop of %s: starting it again", uuid)
        try:
            self.cloud.start_instance(uuid)
            if self.wait_until(f"instance {uuid} to be ACTIVE", self._reached(("active",))):
                return REVERTED
            raise ActionFailed("the start was stopped")
        except (ActionFailed, CloudError) as exc:
            left = server_state(self.cloud.get_instance(uuid))
            raise ActionFailed(f"{exc}; server left {left}") from exc

"""``stop``: power an instance off. Skipped when it is gone or already stopped; revert starts
it again."""

from __future__ import annotations

from datetime import datetime

from watcher_celery.applier.actions.base import BaseAction
from watcher_celery.applier.actions.schemas import UUID, schema
from watcher_celery.errors import ActionSkipped, CloudError


class Stop(BaseAction):
    name = "stop"
    description = "Stop a server instance."
    schema = schema(["resource_id"], resource_id=UUID)

    def pre_condition(self) -> None:
        instance = self.cloud.get_instance(self.parameters["resource_id"])
        if instance is None:
            raise ActionSkipped(f"Instance {self.parameters['resource_id']} could not be found")
        if instance.state in ("stopped", "shutoff"):
            raise ActionSkipped(f"Instance {self.parameters['resource_id']} is already stopped")

    def execute(self) -> bool:
        uuid = self.parameters["resource_id"]
        try:
            self.cloud.stop_instance(uuid)
        except CloudError:
            if self.cloud.get_instance(uuid) is not None:
                raise
        return True  # stopped, or gone (as upstream, success too)

    def resume(self, started_at: datetime) -> bool:
        """Stopped (or gone) already: the command arrived before the worker died."""
        instance = self.cloud.get_instance(self.parameters["resource_id"])
        if instance is None or instance.state in ("stopped", "shutoff"):
            return True
        return self.execute()

    def abort(self) -> bool:
        return False

    def revert(self) -> None:
        instance = self.cloud.get_instance(self.parameters["resource_id"])
        if instance is not None and instance.state in ("stopped", "shutoff"):
            self.cloud.start_instance(instance.uuid)

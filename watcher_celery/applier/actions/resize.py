"""``resize``: give an instance another flavor, wait for the resize, confirm it.

Skipped when the instance is gone; fails when the flavor does not exist. revert undoes a resize
that has not been confirmed yet (a confirmed one cannot be undone, as upstream).
"""

from __future__ import annotations

from datetime import datetime

from watcher_celery.applier.actions.base import BaseAction, traces_since
from watcher_celery.applier.actions.schemas import NAME, UUID, schema
from watcher_celery.errors import ActionFailed, ActionSkipped


class Resize(BaseAction):
    name = "resize"
    description = "Resize a server with specified flavor."
    schema = schema(["resource_id", "flavor"], resource_id=UUID, flavor=NAME)

    def pre_condition(self) -> None:
        uuid, flavor = self.parameters["resource_id"], self.parameters["flavor"]
        if self.cloud.get_instance(uuid) is None:
            raise ActionSkipped(f"Instance {uuid} could not be found")
        if not self.cloud.flavor_exists(flavor):
            raise ActionFailed(f"Flavor {flavor} could not be found")

    def _state(self) -> str | None:
        instance = self.cloud.get_instance(self.parameters["resource_id"])
        if instance is None or instance.task_state:
            return None
        return instance.state

    def execute(self) -> bool:
        self.cloud.resize(self.parameters["resource_id"], self.parameters["flavor"])
        return self._confirm_when_resized()

    def _confirm_when_resized(self) -> bool:
        uuid = self.parameters["resource_id"]
        state = self.wait_until(f"the resize of {uuid}", self._state)
        if state != "resized":
            return False
        self.cloud.confirm_resize(uuid)
        return True

    def _has_flavor(self, instance) -> bool:
        wanted = self.parameters["flavor"]
        names = {wanted} | {f["name"] for f in self.cloud.flavors() if f.get("id") == wanted}
        return instance.flavor_name in names

    def resume(self, started_at: datetime) -> bool:
        """The command may have been sent: finish what the cloud shows before sending it."""
        uuid = self.parameters["resource_id"]
        instance = self.cloud.get_instance(uuid)
        if instance is None:
            raise ActionFailed(f"Instance {uuid} disappeared during its resize")
        if instance.task_state or instance.state == "resized":
            return self._confirm_when_resized()  # in flight, or waiting for its confirmation
        if self._has_flavor(instance):
            return True  # resized and confirmed before the worker died
        latest = next(iter(traces_since(self.cloud.migrations(uuid), started_at)), None)
        if latest is not None and latest.migration_type == "resize":
            return False  # it was sent and did not take: do not send it again
        return self.execute()  # the cloud never received it

    def abort(self) -> bool:
        return False  # a resize runs to its end

    def revert(self) -> None:
        if self._state() == "resized":
            self.cloud.revert_resize(self.parameters["resource_id"])

"""``resize``: give an instance another flavor, wait for the resize, confirm it.

Skipped when the instance is gone; fails when the flavor does not exist. revert undoes a resize
that has not been confirmed yet (a confirmed one cannot be undone, as upstream).
"""

from __future__ import annotations

from watcher_celery.applier.actions.base import BaseAction
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
        uuid = self.parameters["resource_id"]
        self.cloud.resize(uuid, self.parameters["flavor"])
        state = self.wait_until(f"the resize of {uuid}", self._state)
        if state != "resized":
            return False
        self.cloud.confirm_resize(uuid)
        return True

    def abort(self) -> bool:
        return False  # a resize runs to its end

    def revert(self) -> None:
        if self._state() == "resized":
            self.cloud.revert_resize(self.parameters["resource_id"])

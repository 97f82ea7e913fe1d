"""``resize``: give an instance another flavor, wait for the resize, confirm it.

Skipped when the instance is gone; fails when the flavor does not exist. The resize is
followed as Nova shows it (``nova_progress.py``): confirmed at VERIFY_RESIZE, done when the
server is idle again with the new flavor; a resize Nova fails later (no host can take the
flavor) fails the action with Nova's reason. revert undoes an unconfirmed resize with Nova's
revert, and a confirmed one with a resize back to the flavor it had.
"""

from __future__ import annotations

import logging
from datetime import datetime

from watcher_celery.applier.actions.base import REVERTED, BaseAction, traces_since
from watcher_celery.applier.actions.nova_progress import (
    FAILED,
    IN_PROGRESS,
    RESIZED,
    UNDONE,
    Progress,
    failure_reason,
    idle,
    server_state,
)
from watcher_celery.applier.actions.schemas import NAME, UUID, schema
from watcher_celery.errors import ActionFailed, ActionSkipped, CloudError

LOG = logging.getLogger(__name__)


class Resize(BaseAction):
    name = "resize"
    description = "Resize a server with specified flavor."
    schema = schema(["resource_id", "flavor"], resource_id=UUID, flavor=NAME)

    @property
    def instance_uuid(self) -> str:
        return self.parameters["resource_id"]

    def pre_condition(self) -> None:
        uuid, flavor = self.instance_uuid, self.parameters["flavor"]
        if self.cloud.get_instance(uuid) is None:
            raise ActionSkipped(f"Instance {uuid} could not be found")
        if not self.cloud.flavor_exists(flavor):
            raise ActionFailed(f"Flavor {flavor} could not be found")

    def snapshot(self) -> dict:
        instance = self.cloud.get_instance(self.instance_uuid)
        return {
            "migrations": [m.id for m in self.cloud.migrations(self.instance_uuid)],
            "flavor": instance.flavor_name if instance else None,
        }

    def _has_flavor(self, instance) -> bool:
        wanted = self.parameters["flavor"]
        return instance.flavor_name in {wanted, self.cloud.flavor_name(wanted)}

    def execute(self) -> bool:
        if "migrations" in self.before:
            known = set(self.before["migrations"])
        else:
            known = {m.id for m in self.cloud.migrations(self.instance_uuid)}
        progress = Progress(self, "resize", self._has_flavor, known)
        self.cloud.resize(self.instance_uuid, self.parameters["flavor"])
        return progress.wait() is not None

    def resume(self, started_at: datetime) -> bool:
        """The command may have been sent: finish what the cloud shows before sending it."""
        uuid = self.instance_uuid
        instance = self.cloud.get_instance(uuid)
        if instance is None:
            raise ActionFailed(f"Instance {uuid} disappeared during its resize")
        traces = [
            m for m in traces_since(self.cloud.migrations(uuid), started_at)
            if m.migration_type == "resize"
        ]  # fmt: skip
        latest = traces[0] if traces else None
        if (
            instance.task_state
            or instance.state == RESIZED
            or (latest is not None and latest.status in IN_PROGRESS)
        ):
            progress = Progress(self, "resize", self._has_flavor, since=started_at)
            return progress.wait() is not None  # in flight, or waiting for its confirmation
        if self._has_flavor(instance):
            return True  # resized and confirmed before the worker died
        if latest is not None and latest.status in FAILED | UNDONE:  # do not send it again
            raise ActionFailed(failure_reason(self, "resize", latest, instance))
        return self.execute()  # the cloud never received it

    def abort(self) -> bool:
        return False  # a resize runs to its end

    def revert(self) -> str:
        """Unconfirmed (VERIFY_RESIZE): Nova's revert. Confirmed: resize back to the flavor of
        the snapshot. Still running: wait for it first. Verified: idle with the old flavor."""
        uuid = self.instance_uuid
        self._stop.clear()
        old = self.before.get("flavor")
        instance = self.cloud.get_instance(uuid)
        if instance is None:
            return "nothing to revert: the instance is gone"
        try:
            if instance.task_state:
                LOG.warning("revert of the resize of %s: server %s, waiting for it to end",
                            uuid, server_state(instance))  # fmt: skip
                self.wait_until(f"the resize of {uuid} to end", self._settled)
                instance = self.cloud.get_instance(uuid)
            if instance.state == RESIZED:
                LOG.warning("revert of the resize of %s: server in VERIFY_RESIZE, reverting", uuid)
                self.cloud.revert_resize(uuid)
            elif old and instance.flavor_name != old and idle(instance):
                LOG.warning("revert of the resize of %s: resized to %s, resizing back to %s",
                            uuid, instance.flavor_name, old)  # fmt: skip
                known = {m.id for m in self.cloud.migrations(uuid)}
                back = Progress(self, "resize back", lambda i: i.flavor_name == old, known)
                self.cloud.resize(uuid, old)
                if back.wait() is None:
                    raise ActionFailed("the resize back was stopped")
            else:
                LOG.info("revert of the resize of %s: nothing to revert, server %s",
                         uuid, server_state(instance))  # fmt: skip
                return f"nothing to revert: server {server_state(instance)}"
            self._verify(old)
            return REVERTED
        except (ActionFailed, CloudError) as exc:
            left = server_state(self.cloud.get_instance(uuid))
            LOG.warning("revert of the resize of %s failed: %s; server %s", uuid, exc, left)
            raise ActionFailed(f"{exc}; server left {left}") from exc

    def _settled(self) -> bool:
        instance = self.cloud.get_instance(self.instance_uuid)
        return instance is None or not instance.task_state

    def _verify(self, old: str | None) -> None:
        uuid = self.instance_uuid

        def back():
            now = self.cloud.get_instance(uuid)
            return now is not None and idle(now) and (old is None or now.flavor_name == old)

        if not self.wait_until(f"instance {uuid} idle with flavor {old}", back):
            raise ActionFailed(f"instance {uuid} is not back to flavor {old}")

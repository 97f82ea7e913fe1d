"""``change_nova_service_state``: enable or disable the nova-compute service of a host.

The host is ``resource_name`` (upstream's convention), else ``resource_id``. Skipped when the
host is unknown or already in the asked state; revert sets the opposite state.
"""

from __future__ import annotations

from datetime import datetime

from watcher_celery.applier.actions.base import REVERTED, BaseAction
from watcher_celery.applier.actions.schemas import NAME, OPTIONAL_NAME, schema
from watcher_celery.errors import ActionFailed, ActionSkipped

ENABLED = {"up": True, "enabled": True, "down": False, "disabled": False}


class ChangeNovaServiceState(BaseAction):
    name = "change_nova_service_state"
    description = "Disables or enables the nova-compute service."
    schema = schema(
        ["resource_id", "state"],
        resource_id=NAME,
        state={"type": "string", "enum": sorted(ENABLED)},
        disabled_reason=OPTIONAL_NAME,
        resource_name=OPTIONAL_NAME,
    )

    @property
    def host(self) -> str:
        return self.parameters.get("resource_name") or self.parameters["resource_id"]

    @property
    def enable(self) -> bool:
        return ENABLED[self.parameters["state"]]

    def pre_condition(self) -> None:
        node = self.cloud.get_compute_node(self.host)
        if node is None:
            raise ActionSkipped(f"Compute service of host {self.host} could not be found")
        if (node.status == "enabled") == self.enable:
            raise ActionSkipped(f"Compute service of host {self.host} is already {node.status}")

    def snapshot(self) -> dict:
        node = self.cloud.get_compute_node(self.host)
        return {"status": node.status, "disabled_reason": node.disabled_reason}

    def execute(self) -> bool:
        reason = self.parameters.get("disabled_reason") or "watcher_disabled"
        self.cloud.set_compute_service(self.host, self.enable, None if self.enable else reason)
        return True

    def resume(self, started_at: datetime) -> bool:
        """Sent before the worker died if the service is already as asked; else it never
        arrived, and setting it now is the first time."""
        node = self.cloud.get_compute_node(self.host)
        if node is not None and (node.status == "enabled") == self.enable:
            return True
        return self.execute()

    def abort(self) -> bool:
        return False  # a single call: it has completed

    def revert(self) -> str:
        """Back to the status and reason it had before (the opposite state if unknown),
        checked by reading the service again."""
        if self.before:
            enabled = self.before["status"] == "enabled"
            reason = self.before["disabled_reason"]
        else:
            enabled, reason = not self.enable, "watcher_reverted"
        node = self.cloud.get_compute_node(self.host)
        if node is not None and (node.status == "enabled") == enabled:
            return f"nothing to revert: the service is {node.status}"
        self.cloud.set_compute_service(self.host, enabled, reason)
        node = self.cloud.get_compute_node(self.host)
        if node is None or (node.status == "enabled") != enabled:
            raise ActionFailed(
                f"the service of {self.host} is {node.status if node else 'gone'} after the revert"
            )
        return REVERTED

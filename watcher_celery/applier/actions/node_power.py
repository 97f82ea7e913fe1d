"""``change_node_power_state``: power a bare-metal node on or off and wait until it is.

Refuses (returns False) to power off a node whose hypervisor still runs instances, as upstream.
Skipped when the node is already in the asked state; revert sets the opposite state.
"""

from __future__ import annotations

from datetime import datetime

from watcher_celery.applier.actions.base import REVERTED, BaseAction
from watcher_celery.applier.actions.schemas import NAME, OPTIONAL_NAME, schema
from watcher_celery.errors import ActionFailed, ActionSkipped

POWER = {"on": "power on", "off": "power off"}


class ChangeNodePowerState(BaseAction):
    name = "change_node_power_state"
    description = "Compute node power on/off"
    schema = schema(
        ["resource_id", "state"],
        resource_id=NAME,
        state={"type": "string", "enum": sorted(POWER)},
        resource_name=OPTIONAL_NAME,
    )

    @property
    def on(self) -> bool:
        return self.parameters["state"] == "on"

    def _node(self):
        node = self.cloud.get_baremetal_node(self.parameters["resource_id"])
        if node is None:
            raise ActionFailed(f"Bare-metal node {self.parameters['resource_id']} not found")
        return node

    def pre_condition(self) -> None:
        if self._node().power_state == POWER[self.parameters["state"]]:
            raise ActionSkipped(f"Node is already {POWER[self.parameters['state']]}")

    def _set(self, on: bool) -> bool:
        node = self._node()
        if not on and node.hypervisor_hostname:
            busy = [
                i for i in self.cloud.instances()
                if i.host == node.hypervisor_hostname and i.state == "active"
            ]  # fmt: skip
            if busy:
                return False
        self.cloud.set_power_state(node.uuid, on)
        target = POWER["on" if on else "off"]
        return bool(self.wait_until("the power state", lambda: self._node().power_state == target))

    def execute(self) -> bool:
        return self._set(self.on)

    def resume(self, started_at: datetime) -> bool:
        """Already in the asked state: the command arrived before the worker died."""
        if self._node().power_state == POWER[self.parameters["state"]]:
            return True
        return self.execute()

    def abort(self) -> bool:
        return False

    def revert(self) -> str:
        target = POWER["off" if self.on else "on"]
        if self._node().power_state == target:
            return f"nothing to revert: the node is {target}"
        self._stop.clear()
        if not self._set(not self.on):
            raise ActionFailed(f"the node did not reach {target}")
        return REVERTED

"""``sleep``: waits for ``duration`` seconds (whole seconds, as upstream does)."""

from __future__ import annotations

import time

from watcher_celery.applier.actions.base import BaseAction


class Sleep(BaseAction):
    name = "sleep"
    description = "Wait for a given interval in seconds."
    schema = {
        "type": "object",
        "properties": {"duration": {"type": "number", "minimum": 0}},
        "required": ["duration"],
    }

    def execute(self) -> bool:
        time.sleep(int(self.parameters["duration"]))
        return True

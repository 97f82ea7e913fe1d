"""``sleep``: waits for ``duration`` seconds (whole seconds, as upstream does).

The wait is interruptible: ``abort()`` ends it at once. Resumed after a worker died, it waits
only for what is left of the original duration.
"""

from __future__ import annotations

from datetime import UTC, datetime

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
        self._stop.wait(int(self.parameters["duration"]))
        return True

    def resume(self, started_at: datetime) -> bool:
        elapsed = (datetime.now(UTC) - started_at).total_seconds()
        self._stop.wait(max(0.0, int(self.parameters["duration"]) - elapsed))
        return True

    def abort(self) -> bool:
        self._stop.set()
        return True

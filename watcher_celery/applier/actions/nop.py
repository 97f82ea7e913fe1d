"""``nop``: logs a message and does nothing; its flags make each phase fail for tests."""

from __future__ import annotations

import logging

from watcher_celery.applier.actions.base import BaseAction
from watcher_celery.errors import ActionFailed, ActionSkipped

LOG = logging.getLogger(__name__)


class Nop(BaseAction):
    name = "nop"
    description = "Logging a NOP message"
    schema = {
        "type": "object",
        "properties": {
            "message": {"type": ["string", "null"]},
            "skip_pre_condition": {"type": "boolean", "default": False},
            "fail_pre_condition": {"type": "boolean", "default": False},
            "fail_execute": {"type": "boolean", "default": False},
            "fail_post_condition": {"type": "boolean", "default": False},
        },
        "required": ["message"],
        "additionalProperties": False,
    }

    def pre_condition(self) -> None:
        if self.parameters.get("skip_pre_condition"):
            raise ActionSkipped("Skipped in pre_condition")
        if self.parameters.get("fail_pre_condition"):
            raise ActionFailed("Failed in pre_condition", phase="pre_condition")

    def execute(self) -> bool:
        LOG.info("nop: %s", self.parameters.get("message"))
        return not self.parameters.get("fail_execute")

    def post_condition(self) -> None:
        if self.parameters.get("fail_post_condition"):
            raise ActionFailed("Failed in post_condition", phase="post_condition")

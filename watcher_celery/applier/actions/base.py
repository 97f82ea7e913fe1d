"""The contract every action type fulfils, and the validation of its input parameters.

The applier calls, in order: ``pre_condition`` (raise ``ActionSkipped`` when there is nothing
to do, any other error fails the action), ``execute`` (return True on success), then
``post_condition``. On failure ``revert`` puts the resource back as it was before the command
and says what it did; on cancel ``abort`` stops a running command (True: it stopped and the
resource is back; False: it completed anyway).

Waits poll fast at first and then less often (:func:`poll_delay`), so an action ends about as
soon as its operation does without hammering the cloud during long ones.
"""

from __future__ import annotations

import functools
import threading
import time
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import Any, ClassVar

import jsonschema

from watcher_celery.config import get_settings
from watcher_celery.errors import ActionFailed
from watcher_celery.plugins import ActionDefinition

# The cloud's clock and the workers' differ a little: a trace up to this much older than the
# recorded command may still be that command's.
CLOCK_SLACK = timedelta(seconds=60)
# What revert() returns when it reverted and verified it; anything else says what it found.
REVERTED = "reverted"
# The first look after a command; later ones wait a tenth of the time already waited, up to
# WATCHER_ACTION_POLL_INTERVAL: an action overshoots its operation by about 10 %.
FIRST_POLL_SECONDS = 0.2
POLL_GROWTH = 0.1


def poll_delay(waited: float, ceiling: float) -> float:
    """Seconds until the next look, after ``waited`` seconds of waiting."""
    return max(min(FIRST_POLL_SECONDS, ceiling), min(ceiling, waited * POLL_GROWTH))


def traces_since(migrations: list, started_at: datetime) -> list:
    """The migrations (newest first) the cloud may have recorded for a command sent at
    ``started_at``: older ones belong to earlier attempts. A trace without a time counts."""
    since = started_at - CLOCK_SLACK
    return [m for m in migrations if m.created_at is None or m.created_at >= since]


@functools.cache
def _validator(cls: type) -> jsonschema.protocols.Validator:
    """One checked validator per action type (checking the schema itself costs ~10 ms)."""
    schema = dict(cls.schema)
    validator_cls = jsonschema.validators.validator_for(schema)
    validator_cls.check_schema(schema)
    return validator_cls(schema)


class BaseAction:
    name: ClassVar[str]
    description: ClassVar[str]
    schema: ClassVar[Mapping[str, Any]] = {}

    def __init__(self, parameters: Mapping[str, Any], cloud: Any = None) -> None:
        self.parameters = dict(parameters)
        self._cloud = cloud
        self._stop = threading.Event()
        self.before: dict[str, Any] = {}  # from snapshot(), kept in the execution record

    @property
    def cloud(self):
        """The cloud adapter, opened on first use (nop and sleep never open one)."""
        if self._cloud is None:
            from watcher_celery.cloud.factory import get_cloud

            self._cloud = get_cloud()
        return self._cloud

    def wait_until(self, what: str, done: Callable[[], Any]) -> Any:
        """Poll ``done()`` until it returns something true, the action is aborted (None) or
        ``WATCHER_ACTION_TIMEOUT`` passes (ActionFailed). It looks at once, again
        FIRST_POLL_SECONDS later, then less often (:func:`poll_delay`)."""
        settings = get_settings()
        began = time.monotonic()
        deadline = began + settings.action_timeout_seconds
        while True:
            result = done()
            if result:
                return result
            if time.monotonic() > deadline:
                raise ActionFailed(
                    f"timed out after {settings.action_timeout_seconds:g}s waiting for {what}",
                    phase="execute",
                )
            if self._stop.wait(poll_delay(time.monotonic() - began, settings.action_poll_interval)):
                return None

    @classmethod
    def definition(cls) -> ActionDefinition:
        return ActionDefinition(cls.name, cls.description, cls, cls.schema)

    def validate_parameters(self) -> None:
        """Refuse parameters that break the action's schema (fails it in pre_condition)."""
        try:
            _validator(type(self)).validate(self.parameters)
        except jsonschema.ValidationError as exc:
            where = "/".join(str(p) for p in exc.absolute_path)
            raise ActionFailed(
                f"invalid input parameters{' at ' + where if where else ''}: {exc.message}",
                phase="pre_condition",
            ) from None

    def pre_condition(self) -> None:
        """Check the action still makes sense; raise ActionSkipped or an error otherwise."""

    def snapshot(self) -> dict[str, Any]:
        """What revert() needs to know of the resource, taken just before the command."""
        return {}

    def execute(self) -> bool:
        raise ActionFailed(f"action type {self.name} cannot execute")

    def post_condition(self) -> None:
        """Check the command had the intended effect."""

    def resume(self, started_at: datetime) -> bool:
        """Finish a command a dead worker sent at ``started_at``, without sending it again.

        The default trusts that a sent command took effect and lets ``post_condition`` judge;
        actions whose command takes time check the cloud and wait for it instead.
        """
        return True

    def revert(self) -> str:
        """Put the resource back in its state before the command, deciding from what the
        cloud shows. Returns REVERTED only when a revert happened and was verified; otherwise
        what the resource was found as ("nothing to revert: ..."). Raises when it tried and
        could not."""
        return "nothing to revert"

    def abort(self) -> bool | None:
        """Stop a running command; True if it stopped, False if it completed anyway."""
        return True

"""Following a Nova migration, cold migration or resize from its 202 to its end.

What real Nova shows (``docs/cloud.md``): the 202 comes *before* the migration record, which
appears a few hundred ms later; the server's task_state is set from the start. The record then
goes ``pre-migrating`` → ``migrating`` → ``post-migrating`` → ``finished`` (server
VERIFY_RESIZE, vm_state ``resized``) and waits there until a client confirms (``confirming``
→ ``confirmed``) or reverts (``reverting`` → ``reverted``); a live migration goes ``accepted``
(microversion ≥ 2.34; ``preparing`` before) → ``running`` → ``completed``. A request no host
can take is accepted and fails later: the record ends ``error`` and the server's fault says
why. One :class:`Progress` reads all of that and says: keep waiting, confirm, done, or failed
(with Nova's own reason).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from datetime import datetime

from watcher_celery.applier.actions.base import traces_since
from watcher_celery.errors import ActionFailed

LOG = logging.getLogger(__name__)

# Migration statuses of work Nova is still doing.
IN_PROGRESS = frozenset(
    {"accepted", "queued", "preparing", "pre-migrating", "running", "migrating",
     "post-migrating", "confirming", "reverting", "cancelling"}
)  # fmt: skip
AWAITING_CONFIRM = "finished"  # server VERIFY_RESIZE
SUCCEEDED = frozenset({"completed", "confirmed", "done"})
FAILED = frozenset({"error", "failed"})
UNDONE = frozenset({"cancelled", "reverted", "aborted"})
RESIZED = "resized"  # the vm_state of a server in VERIFY_RESIZE
# How long a 202 may go without a migration record and without a task_state before the
# request counts as lost (Nova writes the record within a second; generous for busy clouds).
RECORD_GRACE_SECONDS = 30.0
# How long to look for Nova's reason once a migration shows ``error`` (see failure_reason).
REASON_GRACE_SECONDS = 5.0
REASON_POLL_SECONDS = 0.2

SERVER_STATUS = {"active": "ACTIVE", "stopped": "SHUTOFF", "resized": "VERIFY_RESIZE",
                 "error": "ERROR", "paused": "PAUSED", "suspended": "SUSPENDED"}  # fmt: skip


def server_state(instance) -> str:
    """How Nova would show the server: ``ACTIVE on compute-1``, task_state if busy."""
    if instance is None:
        return "gone"
    text = f"{SERVER_STATUS.get(instance.state, instance.state.upper())} on {instance.host}"
    if instance.task_state:
        text += f" (task_state {instance.task_state})"
    return text


def idle(instance) -> bool:
    """Neither busy nor waiting for a confirmation."""
    return instance.task_state is None and instance.state != RESIZED


def failure_reason(action, kind: str, migration, instance) -> str:
    """Nova's own account of a failed operation: migration status, the reason Nova gives
    (fault or failed instance action) and where the server is.

    Real Nova marks the migration ``error`` *before* it writes the fault and the failed
    instance-action event, so the reason is looked for again for up to REASON_GRACE_SECONDS.
    """
    cloud, uuid = action.cloud, migration.instance_uuid
    deadline = time.monotonic() + REASON_GRACE_SECONDS
    while True:
        why = getattr(instance, "fault", None) or cloud.last_error(uuid)
        if why or time.monotonic() > deadline or action._stop.wait(REASON_POLL_SECONDS):
            break
        instance = cloud.get_instance(uuid) or instance
    reason = f"Nova's {kind} {migration.id} of instance {uuid} ended {migration.status}"
    reason += f": {why}" if why else f" (Nova gave no reason within {REASON_GRACE_SECONDS:g}s)"
    return f"{reason}; server {server_state(instance)}"


class Progress:
    """One operation on one server, from the request to its end.

    ``known``: ids of the server's migrations before the request (the new record is the one
    not among them); when None, ``since`` (when the request was recorded as sent) picks it.
    ``arrived(instance)`` says whether the server shows the operation's effect. ``confirm``:
    confirm a VERIFY_RESIZE (cold migration, resize) and wait for the server to be idle again.
    """

    def __init__(
        self,
        action,
        kind: str,
        arrived: Callable,
        known: set[str] | None = None,
        since: datetime | None = None,
        confirm: bool = True,
    ) -> None:
        self.action, self.kind, self.arrived = action, kind, arrived
        self.known, self.since, self.confirm = known, since, confirm
        self.uuid = action.instance_uuid
        self.requested = time.monotonic()
        self.confirm_sent = False

    def ours(self, migrations: list):
        """This request's migration record (newest first list), or None if not there yet."""
        if self.known is not None:
            return next((m for m in migrations if m.id not in self.known), None)
        if self.since is not None:
            return next(iter(traces_since(migrations, self.since)), None)
        return migrations[0] if migrations else None

    def look(self) -> bool:
        """One look at the cloud: True when done, False to keep waiting; ActionFailed with
        Nova's reason when it failed. Sends the confirm when the server reaches VERIFY_RESIZE."""
        cloud = self.action.cloud
        instance = cloud.get_instance(self.uuid)
        if instance is None:
            raise ActionFailed(f"Instance {self.uuid} disappeared during its {self.kind}")
        migration = self.ours(cloud.migrations(self.uuid))
        if migration is None:
            if instance.task_state:
                return False  # accepted; Nova has not written its record yet
            if time.monotonic() - self.requested < RECORD_GRACE_SECONDS:
                return False  # not started yet
            raise ActionFailed(
                f"Nova accepted the {self.kind} of instance {self.uuid} but recorded no "
                f"migration in {RECORD_GRACE_SECONDS:g}s; server {server_state(instance)}"
            )
        if migration.status in FAILED:
            raise ActionFailed(failure_reason(self.action, self.kind, migration, instance))
        if migration.status in UNDONE:
            raise ActionFailed(
                f"Nova's {self.kind} {migration.id} of instance {self.uuid} was "
                f"{migration.status}; server {server_state(instance)}"
            )
        if migration.status == AWAITING_CONFIRM or (
            instance.state == RESIZED and instance.task_state is None
        ):
            if not self.confirm:
                return True
            if not self.confirm_sent:
                LOG.info("confirming the %s of instance %s", self.kind, self.uuid)
                cloud.confirm_resize(self.uuid)
                self.confirm_sent = True
            return False
        if instance.task_state or migration.status in IN_PROGRESS or not idle(instance):
            return False
        if not self.arrived(instance):
            raise ActionFailed(
                f"Nova's {self.kind} {migration.id} of instance {self.uuid} ended "
                f"{migration.status} but the server is {server_state(instance)}"
            )
        return True

    def wait(self) -> bool | None:
        """Poll until done (True), aborted (None) or failed (ActionFailed)."""
        return self.action.wait_until(f"the {self.kind} of instance {self.uuid}", self.look)

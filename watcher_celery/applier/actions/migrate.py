"""``migrate``: move an instance to another compute node, live or cold, and wait for it.

pre_condition skips when the instance is gone or no longer on ``source_node`` and fails when
the destination is unknown or disabled, or a live migration is asked of an instance that is not
active. execute starts the migration (the scheduler picks the host without
``destination_node``) and follows it as Nova shows it (``nova_progress.py``): no record yet
right after the 202 is "not started yet"; live succeeds when the server is idle on another
host; cold waits for VERIFY_RESIZE, confirms and waits for the server to be idle again. A
migration Nova fails later fails the action with Nova's reason (migration status, server
fault). abort stops a running live migration (True: it stayed on its source; False: it landed
anyway); a cold migration cannot be stopped and completes. revert decides from what the cloud
shows (see :meth:`Migrate.revert`).
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
from watcher_celery.applier.actions.schemas import NAME, OPTIONAL_NAME, UUID, schema
from watcher_celery.errors import ActionFailed, ActionSkipped, CloudError

LOG = logging.getLogger(__name__)
# Live migration statuses Nova can abort (queued and preparing from microversion 2.65).
ABORTABLE = {"queued", "preparing", "running"}


class Migrate(BaseAction):
    name = "migrate"
    description = "Moving a VM instance from source_node to destination_node"
    schema = schema(
        ["resource_id", "migration_type", "source_node"],
        resource_id=UUID,
        migration_type={"type": "string", "enum": ["live", "cold"]},
        source_node=NAME,
        destination_node=OPTIONAL_NAME,
        resource_name=OPTIONAL_NAME,
    )

    @property
    def instance_uuid(self) -> str:
        return self.parameters["resource_id"]

    @property
    def live(self) -> bool:
        return self.parameters["migration_type"] == "live"

    def pre_condition(self) -> None:
        instance = self.cloud.get_instance(self.instance_uuid)
        source = self.parameters["source_node"]
        if instance is None:
            raise ActionSkipped(f"Instance {self.instance_uuid} could not be found")
        if instance.host != source:
            raise ActionSkipped(
                f"Instance {self.instance_uuid} is on {instance.host}, not on {source}"
            )
        destination = self.parameters.get("destination_node")
        if destination:
            node = self.cloud.get_compute_node(destination)
            if node is None:
                raise ActionFailed(f"Destination node {destination} could not be found")
            if node.status != "enabled":
                raise ActionFailed(f"Destination node {destination} is {node.status}")
        if self.live and instance.state != "active":
            raise ActionFailed(
                f"Instance {self.instance_uuid} is {instance.state}: live migration needs it active"
            )

    @property
    def kind(self) -> str:
        return "live migration" if self.live else "cold migration"

    def snapshot(self) -> dict:
        """The server's migrations before the command: the new record is the one not here."""
        return {"migrations": [m.id for m in self.cloud.migrations(self.instance_uuid)]}

    def _left_source(self, instance) -> bool:
        return instance.host != self.parameters["source_node"]

    def _progress(self, known=None, since=None) -> Progress:
        return Progress(self, self.kind, self._left_source, known, since, confirm=not self.live)

    def execute(self) -> bool:
        if "migrations" in self.before:
            known = set(self.before["migrations"])
        else:
            known = {m.id for m in self.cloud.migrations(self.instance_uuid)}
        progress = self._progress(known=known)
        destination = self.parameters.get("destination_node") or None
        if self.live:
            self.cloud.live_migrate(self.instance_uuid, destination)
        else:
            self.cloud.cold_migrate(self.instance_uuid, destination)
        return self._complete(progress)

    def _complete(self, progress: Progress) -> bool:
        if progress.wait() is None:  # aborted: the abort's own result decides
            instance = self.cloud.get_instance(self.instance_uuid)
            return instance is not None and self._left_source(instance)
        return True

    def resume(self, started_at: datetime) -> bool:
        """The command may have been sent: look at the cloud before sending anything."""
        instance = self.cloud.get_instance(self.instance_uuid)
        if instance is None:
            raise ActionFailed(f"Instance {self.instance_uuid} disappeared during migration")
        traces = traces_since(self.cloud.migrations(self.instance_uuid), started_at)
        latest = traces[0] if traces else None
        busy = instance.task_state or instance.state == RESIZED
        if busy or (latest is not None and latest.status in IN_PROGRESS):
            return self._complete(self._progress(since=started_at))
        if self._left_source(instance):
            return True  # it landed (and was confirmed) before the worker died
        if latest is not None and latest.source == self.parameters["source_node"]:
            if latest.status in FAILED | UNDONE:  # sent and failed: do not send it again
                raise ActionFailed(failure_reason(self, self.kind, latest, instance))
        return self.execute()  # the cloud never received it

    def abort(self) -> bool:
        """Abort a live migration as soon as Nova allows it (not while ``accepted``) and wait
        for it to end; True if the server stayed on its source."""
        if not self.live:
            return False  # a cold migration runs to its end
        uuid = self.instance_uuid
        try:
            found = self.wait_until(f"the migration of {uuid} to be abortable", self._abortable)
            if found is not None and found is not True:
                self.cloud.abort_migration(uuid, found.id)
                self.wait_until(f"the migration of {uuid} to end", self._settled)
        finally:
            self._stop.set()
        instance = self.cloud.get_instance(uuid)
        return instance is None or instance.host == self.parameters["source_node"]

    def _ours(self):
        """The newest migration this action caused, if the cloud shows one (without a
        snapshot of the migrations before it: the newest)."""
        found = self.cloud.migrations(self.instance_uuid)
        if "migrations" not in self.before:
            return found[0] if found else None
        known = set(self.before["migrations"])
        return next((m for m in found if m.id not in known), None)

    def revert(self) -> str:
        """Decide from what the cloud shows, act, and verify the server is back.

        Still running: a live migration is aborted, a cold one waited for. VERIFY_RESIZE:
        the resize is reverted. Moved (and confirmed): migrated back to ``source_node``.
        On its source and idle: nothing to revert. Returns "reverted" only when a revert
        happened and the server is verified idle on its source.
        """
        uuid, source = self.instance_uuid, self.parameters["source_node"]
        self._stop.clear()
        instance = self.cloud.get_instance(uuid)
        if instance is None:
            LOG.warning("revert of the %s of %s: the instance is gone", self.kind, uuid)
            return "nothing to revert: the instance is gone"
        acted = False
        try:
            migration = self._ours()
            if instance.task_state or (migration is not None and migration.status in IN_PROGRESS):
                acted = self._stop_running(instance, migration)
                instance = self.cloud.get_instance(uuid)
                if instance is None:
                    return "nothing to revert: the instance is gone"
            if instance.state == RESIZED:
                LOG.warning(
                    "revert of the %s of %s: server in VERIFY_RESIZE on %s, reverting the resize",
                    self.kind, uuid, instance.host,
                )  # fmt: skip
                self.cloud.revert_resize(uuid)
                self._wait_back()
                return REVERTED
            if instance.host == source:
                if acted and idle(instance):
                    return REVERTED
                LOG.info("revert of the %s of %s: nothing to revert, server %s",
                         self.kind, uuid, server_state(instance))  # fmt: skip
                return f"nothing to revert: server {server_state(instance)}"
            LOG.warning("revert of the %s of %s: server %s, moving it back to %s",
                        self.kind, uuid, server_state(instance), source)  # fmt: skip
            known = {m.id for m in self.cloud.migrations(uuid)}
            if self.live and instance.state == "active":
                self.cloud.live_migrate(uuid, source)
            else:
                self.cloud.cold_migrate(uuid, source)
            back = Progress(self, f"{self.kind} back", lambda i: i.host == source, known)
            if back.wait() is None:
                raise ActionFailed("the move back was stopped")
            self._wait_back()
            return REVERTED
        except (ActionFailed, CloudError) as exc:
            left = server_state(self.cloud.get_instance(uuid))
            LOG.warning("revert of the %s of %s failed: %s; server %s", self.kind, uuid, exc, left)
            raise ActionFailed(f"{exc}; server left {left}") from exc

    def _stop_running(self, instance, migration) -> bool:
        """Abort a live migration (once Nova lets it: ``accepted`` cannot be aborted yet) or
        wait for a cold one to end; True if it was aborted."""
        uuid = self.instance_uuid
        aborted = False
        if self.live:
            abortable = self.wait_until(f"the migration of {uuid} to be abortable", self._abortable)
            if abortable is not None and abortable is not True:
                LOG.warning("revert of the %s of %s: aborting migration %s (%s)",
                            self.kind, uuid, abortable.id, abortable.status)  # fmt: skip
                try:
                    self.cloud.abort_migration(uuid, abortable.id)
                    aborted = True
                except CloudError as exc:
                    LOG.warning("could not abort migration %s of %s: %s", abortable.id, uuid, exc)
        else:
            LOG.warning("revert of the %s of %s: server %s, waiting for the migration to end",
                        self.kind, uuid, server_state(instance))  # fmt: skip
        self.wait_until(f"the migration of {uuid} to end", self._settled)
        return aborted

    def _abortable(self):
        """The migration once Nova can abort it; True when it is over anyway."""
        migration = self._ours()
        if migration is not None and migration.status in ABORTABLE:
            return migration
        return self._settled()

    def _settled(self) -> bool:
        now = self.cloud.get_instance(self.instance_uuid)
        running = self._ours()
        return now is None or (
            not now.task_state and (running is None or running.status not in IN_PROGRESS)
        )

    def _wait_back(self) -> None:
        """Verify the server is idle on its source (waits for a revert to finish)."""
        uuid, source = self.instance_uuid, self.parameters["source_node"]

        def back():
            now = self.cloud.get_instance(uuid)
            return now is not None and idle(now) and now.host == source

        if not self.wait_until(f"instance {uuid} idle on {source}", back):
            raise ActionFailed(f"instance {uuid} is not back on {source}")

"""``volume_migrate``: move a volume to another pool (migrate, swap) or change its type
(retype).

Skipped when the volume is gone, already on the destination pool or already of the destination
type; fails when that pool or type does not exist. Migrations are waited for. revert moves it
back to its original pool (migrate/swap) or type (retype).
"""

from __future__ import annotations

from datetime import datetime

from watcher_celery.applier.actions.base import REVERTED, BaseAction
from watcher_celery.applier.actions.schemas import OPTIONAL_NAME, UUID, schema
from watcher_celery.errors import ActionFailed, ActionSkipped


class VolumeMigrate(BaseAction):
    name = "volume_migrate"
    description = "Moving a volume to destination_node or destination_type"
    schema = schema(
        ["resource_id", "migration_type"],
        resource_id=UUID,
        migration_type={"type": "string", "enum": ["swap", "migrate", "retype"]},
        destination_node=OPTIONAL_NAME,
        destination_type=OPTIONAL_NAME,
        resource_name=OPTIONAL_NAME,
    )

    @property
    def retype(self) -> bool:
        return self.parameters["migration_type"] == "retype"

    def _volume(self):
        return self.cloud.get_volume(self.parameters["resource_id"])

    def pre_condition(self) -> None:
        volume, uuid = self._volume(), self.parameters["resource_id"]
        if volume is None:
            raise ActionSkipped(f"Volume {uuid} could not be found")
        pools = self.cloud.storage_pools()
        if self.retype:
            wanted = self.parameters.get("destination_type")
            if not wanted:
                raise ActionFailed("retype needs destination_type")
            if volume.volume_type == wanted:
                raise ActionSkipped(f"Volume {uuid} is already of type {wanted}")
            if not any(wanted in p.volume_types for p in pools):
                raise ActionFailed(f"Volume type {wanted} could not be found")
            return
        pool = self.parameters.get("destination_node")
        if not pool:
            raise ActionFailed(f"{self.parameters['migration_type']} needs destination_node")
        if volume.pool == pool:
            raise ActionSkipped(f"Volume {uuid} is already on pool {pool}")
        if not any(p.name == pool for p in pools):
            raise ActionFailed(f"Storage pool {pool} could not be found")

    def _move(self, pool: str | None, volume_type: str | None) -> bool:
        uuid = self.parameters["resource_id"]
        if volume_type is not None:
            self.cloud.retype_volume(uuid, volume_type)
            return self._volume().volume_type == volume_type
        self.cloud.migrate_volume(uuid, pool)
        return self._landed_on(pool)

    def _landed_on(self, pool: str) -> bool:
        uuid = self.parameters["resource_id"]
        return bool(
            self.wait_until(f"volume {uuid} on {pool}", lambda: self._volume().pool == pool)
        )

    def snapshot(self) -> dict:
        volume = self._volume()
        return {"pool": volume.pool, "volume_type": volume.volume_type}

    def execute(self) -> bool:
        if self.retype:
            return self._move(None, self.parameters["destination_type"])
        return self._move(self.parameters["destination_node"], None)

    def resume(self, started_at: datetime) -> bool:
        """The command may have been sent: wait for a migration in flight, accept one that
        landed, and send it only if the volume shows no trace of it."""
        volume, uuid = self._volume(), self.parameters["resource_id"]
        if volume is None:
            raise ActionFailed(f"Volume {uuid} disappeared during its migration")
        if self.retype:
            return volume.volume_type == self.parameters["destination_type"] or self.execute()
        pool = self.parameters["destination_node"]
        if volume.pool == pool:
            return True
        if volume.migration_status == "migrating":
            return self._landed_on(pool)
        if volume.migration_status == "error":
            return False  # it was sent and failed: do not send it again
        return self.execute()

    def abort(self) -> bool:
        return False  # Cinder migrations cannot be stopped

    def revert(self) -> str:
        volume = self._volume()
        if volume is None:
            return "nothing to revert: the volume is gone"
        if not self.before:
            return "nothing to revert: its state before the command is unknown"
        self._stop.clear()
        pool, volume_type = self.before["pool"], self.before["volume_type"]
        if self.retype and volume.volume_type != volume_type and volume_type:
            moved = self._move(None, volume_type)
        elif not self.retype and volume.pool != pool and pool:
            moved = self._move(pool, None)
        else:
            return f"nothing to revert: the volume is on {volume.pool} ({volume.volume_type})"
        if not moved:
            raise ActionFailed(f"the volume did not go back to {pool} ({volume_type})")
        return REVERTED

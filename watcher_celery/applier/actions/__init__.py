"""Built-in action types, one module each, registered through the plugin entry-point group."""

from watcher_celery.applier.actions.migrate import Migrate
from watcher_celery.applier.actions.node_power import ChangeNodePowerState
from watcher_celery.applier.actions.nop import Nop
from watcher_celery.applier.actions.nova_service import ChangeNovaServiceState
from watcher_celery.applier.actions.resize import Resize
from watcher_celery.applier.actions.sleep import Sleep
from watcher_celery.applier.actions.stop import Stop
from watcher_celery.applier.actions.volume_migrate import VolumeMigrate
from watcher_celery.plugins import ActionDefinition, hookimpl

BUILT_IN = (
    Nop,
    Sleep,
    Migrate,
    Resize,
    ChangeNovaServiceState,
    Stop,
    ChangeNodePowerState,
    VolumeMigrate,
)


@hookimpl
def watcher_actions() -> list[ActionDefinition]:
    return [cls.definition() for cls in BUILT_IN]

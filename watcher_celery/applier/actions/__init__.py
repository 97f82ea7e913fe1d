"""Built-in action types, one module each, registered through the plugin entry-point group."""

from watcher_celery.applier.actions.nop import Nop
from watcher_celery.applier.actions.sleep import Sleep
from watcher_celery.plugins import ActionDefinition, hookimpl

BUILT_IN = (Nop, Sleep)


@hookimpl
def watcher_actions() -> list[ActionDefinition]:
    return [cls.definition() for cls in BUILT_IN]

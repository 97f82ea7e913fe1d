"""The one plugin manager: hookspecs, then every entry point, then a strict check.

Built-in strategies, goals, planners and actions are registered through the same entry-point
groups a third-party package uses, so nothing distinguishes a built-in from an add-on.
"""

from __future__ import annotations

import functools

import pluggy

from watcher_celery.plugins import PROJECT, hookspecs

ENTRY_POINT_GROUPS = ("watcher_celery.plugins", "watcher_celery.strategies")


@functools.cache
def get_plugin_manager() -> pluggy.PluginManager:
    """Load every plugin once per process; a plugin with an unknown hook fails here."""
    pm = pluggy.PluginManager(PROJECT)
    pm.add_hookspecs(hookspecs)
    for group in ENTRY_POINT_GROUPS:
        pm.load_setuptools_entrypoints(group)
    pm.check_pending()
    return pm

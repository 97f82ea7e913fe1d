"""Planner settings: ``WATCHER_PLANNERS``, JSON keyed by planner name (reference §5).

Example: ``{"weight": {"weights": {"migrate": 80}, "parallelization": {"migrate": 4}},
"workload_stabilization": {"weights": {"volume_migrate": 6}}}``. Given entries override the
planner's defaults key by key; anything malformed is refused with a message naming the key.
"""

from __future__ import annotations

import json
from collections.abc import Mapping

from watcher_celery.config import get_settings
from watcher_celery.errors import PluginError


def planner_option(planner: str, option: str, defaults: Mapping[str, int]) -> dict[str, int]:
    """``defaults`` updated with the integers configured for ``planner``.``option``."""
    raw = get_settings().planners
    merged = dict(defaults)
    if not raw:
        return merged
    try:
        configured = json.loads(raw).get(planner, {}).get(option, {})
    except (ValueError, AttributeError):
        raise PluginError("WATCHER_PLANNERS must be a JSON object of objects") from None
    for key, value in configured.items():
        if not isinstance(value, int) or isinstance(value, bool) or value < 0:
            raise PluginError(
                f"WATCHER_PLANNERS: {planner}.{option}.{key} must be a non-negative integer"
            )
        merged[key] = value
    return merged

"""Efficacy: check a solution's indicator values against its goal and compute global efficacy."""

from __future__ import annotations

import json
from typing import Any

import jsonschema

from watcher_celery.errors import StrategyError
from watcher_celery.plugins import GoalDefinition


def specification(goal: GoalDefinition) -> list[dict[str, Any]]:
    """The goal's ``efficacy_specification`` as the API shows it (schema as a JSON string)."""
    return [
        {
            "name": spec.name,
            "description": spec.description,
            "unit": spec.unit,
            "schema": json.dumps(dict(spec.schema)),
        }
        for spec in goal.indicators
    ]


def indicators(goal: GoalDefinition, values: dict[str, Any]) -> list[dict[str, Any]]:
    """Validate ``values`` against the goal and return the indicator rows to store."""
    rows = []
    for spec in goal.indicators:
        if spec.name not in values:
            if spec.required:
                raise StrategyError(
                    f"Could not compute the global efficacy: indicator '{spec.name}' is missing"
                )
            continue
        value = values[spec.name]
        try:
            jsonschema.validate(value, dict(spec.schema))
        except jsonschema.ValidationError as exc:
            raise StrategyError(
                f"Could not compute the global efficacy: indicator '{spec.name}': {exc.message}"
            ) from None
        rows.append(
            {"name": spec.name, "description": spec.description, "unit": spec.unit, "value": value}
        )
    return rows


def global_efficacy(goal: GoalDefinition, values: dict[str, Any]) -> list[dict[str, Any]] | None:
    return goal.global_efficacy(values) if goal.global_efficacy else None

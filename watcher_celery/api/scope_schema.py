"""The audit scope format (reference §8.4) as a JSON schema, and its validation.

A scope is a list of per-model sections ``[{"compute": [rules]}, {"storage": [rules]},
{"baremetal": [rules]}]``; a bare list of rules is taken as the compute section.
"""

from __future__ import annotations

from typing import Any

import jsonschema

from watcher_celery.errors import Invalid


def _list_of(item: dict[str, Any]) -> dict[str, Any]:
    return {"type": "array", "items": item}


def _named(key: str = "name", extra: dict[str, Any] | None = None) -> dict[str, Any]:
    return {
        "type": "object",
        "properties": {key: {"type": "string"}, **(extra or {})},
        "required": [key],
        "additionalProperties": False,
    }


def _one_rule(properties: dict[str, Any]) -> dict[str, Any]:
    """A rule is an object with exactly one of ``properties`` as its key."""
    return {
        "type": "object",
        "properties": properties,
        "additionalProperties": False,
        "minProperties": 1,
        "maxProperties": 1,
    }


AGGREGATE = {
    "type": "object",
    "properties": {"id": {"type": ["integer", "string"]}, "name": {"type": "string"}},
    "additionalProperties": False,
    "minProperties": 1,
    "maxProperties": 1,
}
UUID_ITEMS = _list_of(_named("uuid"))
NAME_ITEMS = _list_of(_named("name"))

COMPUTE_EXCLUDE = _list_of(
    _one_rule(
        {
            "instances": UUID_ITEMS,
            "compute_nodes": NAME_ITEMS,
            "host_aggregates": _list_of(AGGREGATE),
            "instance_metadata": _list_of({"type": "object"}),
            "projects": UUID_ITEMS,
        }
    )
)
COMPUTE_RULES = _list_of(
    _one_rule(
        {
            "availability_zones": NAME_ITEMS,
            "host_aggregates": _list_of(AGGREGATE),
            "exclude": COMPUTE_EXCLUDE,
        }
    )
)
STORAGE_RULES = _list_of(
    _one_rule(
        {
            "availability_zones": NAME_ITEMS,
            "volume_types": NAME_ITEMS,
            "exclude": _list_of(
                _one_rule(
                    {"storage_pools": NAME_ITEMS, "volumes": UUID_ITEMS, "projects": UUID_ITEMS}
                )
            ),
        }
    )
)
BAREMETAL_RULES = _list_of(
    _one_rule({"exclude": _list_of(_one_rule({"ironic_nodes": UUID_ITEMS}))})
)

SCOPE_SCHEMA: dict[str, Any] = _list_of(
    _one_rule({"compute": COMPUTE_RULES, "storage": STORAGE_RULES, "baremetal": BAREMETAL_RULES})
)

SECTIONS = ("compute", "storage", "baremetal")


def normalise(scope: Any) -> list[Any]:
    """Wrap a bare compute rule list as ``[{"compute": scope}]`` (upstream does the same)."""
    if scope is None:
        return []
    if not isinstance(scope, list):
        raise Invalid("Audit scope must be a list")
    first = scope[0] if scope else None
    if isinstance(first, dict) and len(first) == 1 and next(iter(first)) in SECTIONS:
        return scope
    return [{"compute": scope}] if scope else []


def _aggregates(rules: list[dict[str, Any]]) -> tuple[bool, bool]:
    included = any("host_aggregates" in rule for rule in rules)
    excluded = any("host_aggregates" in item for rule in rules for item in rule.get("exclude", ()))
    return included, excluded


def _check_stars(rules: list[dict[str, Any]]) -> None:
    for rule in rules:
        for key, field in (("host_aggregates", "id"), ("availability_zones", "name")):
            items = rule.get(key) or []
            if len(items) > 1 and any(item.get(field) == "*" for item in items):
                raise Invalid(f"Audit scope: '*' must be the only entry of {key}")


def validate(scope: Any) -> list[Any]:
    """Return the normalised scope, or raise :class:`Invalid` saying what is wrong."""
    scope = normalise(scope)
    error = jsonschema.exceptions.best_match(
        jsonschema.Draft4Validator(SCOPE_SCHEMA).iter_errors(scope)
    )
    if error is not None:
        where = "/".join(str(p) for p in error.absolute_path)
        raise Invalid(f"Invalid audit scope{' at ' + where if where else ''}: {error.message}")
    for section in scope:
        rules = section.get("compute")
        if rules is None:
            continue
        if all(_aggregates(rules)):
            raise Invalid(
                "host_aggregates can't be included and excluded together in the same audit scope"
            )
        _check_stars(rules)
    return scope

"""Strategy parameter validation: draft-4 JSON schema, defaults filled in, unknown keys refused.

Part of the plugin contract: the registry checks a strategy's schema with it when the plugin
loads; the API validates an audit's or template's parameters with it, the decision engine before
a run.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

import jsonschema
from jsonschema import validators

from watcher_celery.errors import Invalid


def _fill_defaults_and_refuse_unknown(validator_class):
    validate_properties = validator_class.VALIDATORS["properties"]

    def properties(validator, props, instance, schema):
        if isinstance(instance, dict):
            for key in instance:
                if props and key not in props:
                    yield jsonschema.ValidationError(f"Audit parameter {key} not allowed")
            for name, subschema in props.items():
                if "default" in subschema and name not in instance:
                    instance[name] = copy.deepcopy(subschema["default"])
        yield from validate_properties(validator, props, instance, schema)

    return validators.extend(validator_class, {"properties": properties})


StrictDefaultValidator = _fill_defaults_and_refuse_unknown(jsonschema.Draft4Validator)


def validate(schema: Mapping[str, Any], parameters: Mapping[str, Any] | None) -> dict[str, Any]:
    """Return a copy of ``parameters`` with defaults filled; raise :class:`Invalid` if wrong."""
    filled = copy.deepcopy(dict(parameters or {}))
    if not schema:
        if filled:
            raise Invalid("This strategy takes no parameters")
        return filled
    full_schema = {"type": "object", **schema}
    error = jsonschema.exceptions.best_match(
        StrictDefaultValidator(full_schema).iter_errors(filled)
    )
    if error is not None:
        where = "/".join(str(p) for p in error.absolute_path)
        raise Invalid(f"Invalid parameters{' at ' + where if where else ''}: {error.message}")
    return filled


def check_schema(schema: Mapping[str, Any]) -> None:
    """Raise ``ValueError`` unless ``schema`` is a valid draft-4 schema whose defaults pass it.

    Run at plugin load time, so a strategy with a broken schema never reaches an audit.
    """
    if not schema:
        return
    full_schema = {"type": "object", **schema}
    try:
        jsonschema.Draft4Validator.check_schema(full_schema)
    except jsonschema.SchemaError as exc:
        raise ValueError(exc.message) from None
    # Defaults alone must be valid; required parameters without a default are the caller's.
    for error in StrictDefaultValidator(full_schema).iter_errors({}):
        if error.validator != "required":
            raise ValueError(f"its defaults do not validate: {error.message}")

"""JSON-patch (RFC 6902) for every PATCH endpoint, with Watcher's rules (reference §1.4).

A PATCH body is a list of ``{op, path, value}`` with ``op`` in add/replace/remove. The patch is
applied to a plain document of the object's patchable fields; the caller gets the changed
fields back and decides what they mean (a state change goes through ``states.py``).
"""

from __future__ import annotations

import copy
from collections.abc import Iterable, Mapping
from typing import Any

import jsonpatch
import jsonpointer
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from watcher_celery.errors import Invalid

INTERNAL = frozenset({"created_at", "id", "links", "updated_at", "deleted_at", "uuid"})
PATH_PATTERN = r"^(/[\w-]+)+$"


class PatchOperationSchema(Schema):
    """One operation of a JSON-patch body."""

    op = fields.String(required=True, validate=validate.OneOf(["add", "replace", "remove"]))
    path = fields.String(required=True, validate=validate.Regexp(PATH_PATTERN))
    value = fields.Raw(allow_none=True)

    @validates_schema
    def _value_given(self, data, **_kwargs):
        if data.get("op") in ("add", "replace") and "value" not in data:
            raise ValidationError(f"'{data['op']}' on {data.get('path')} needs a value", "value")


def expect_types(changes: Mapping[str, Any], types: Mapping[str, type | tuple]) -> None:
    """400 when a patched value has the wrong JSON type (e.g. a list where a name goes)."""
    for key, wanted in types.items():
        if key in changes and not isinstance(changes[key], wanted):
            raise Invalid(f"Invalid value for /{key}: {changes[key]!r}")


def apply(
    document: Mapping[str, Any],
    operations: Iterable[Mapping[str, Any]],
    refused: Iterable[str] = (),
) -> dict[str, Any]:
    """Apply ``operations`` to a copy of ``document``; return ``{field: new value}`` changed.

    A removed field comes back as ``None``. ``refused`` names fields this resource does not
    let clients touch (400), on top of the internal ones every resource protects.
    """
    operations = list(operations)
    blocked = INTERNAL | frozenset(refused)
    for operation in operations:
        top = operation["path"].split("/")[1]
        if top in blocked:
            raise Invalid(f"'{operation['path']}' is an internal attribute and can not be updated")
        if operation["op"] == "add" and top not in document:
            raise Invalid(f"Adding a new attribute ({operation['path']}) is not allowed")
    try:
        patched = jsonpatch.apply_patch(copy.deepcopy(dict(document)), operations)
    except (jsonpatch.JsonPatchException, jsonpointer.JsonPointerException) as exc:
        raise Invalid(f"Couldn't apply patch '{operations}'. Reason: {exc}") from None
    changes = {key: patched.get(key) for key in document if patched.get(key) != document[key]}
    changes.update({k: None for k in document if k not in patched and document[k] is not None})
    return changes

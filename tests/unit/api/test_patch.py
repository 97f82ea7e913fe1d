"""JSON-patch on a resource document: changes out, Watcher's refusals as Invalid."""

from __future__ import annotations

import pytest

from watcher_celery.api.patch import PatchOperationSchema, apply
from watcher_celery.errors import Invalid

DOC = {"name": "a", "state": "PENDING", "parameters": {"x": 1}, "interval": None}


def test_only_changed_fields_come_back_and_removed_ones_as_none():
    ops = [
        {"op": "replace", "path": "/name", "value": "a"},
        {"op": "add", "path": "/parameters/y", "value": 2},
        {"op": "remove", "path": "/state"},
    ]
    assert apply(DOC, ops) == {"parameters": {"x": 1, "y": 2}, "state": None}
    assert DOC["parameters"] == {"x": 1}  # the caller's document is untouched


@pytest.mark.parametrize(
    ("ops", "says"),
    [
        ([{"op": "replace", "path": "/uuid", "value": "x"}], "internal"),
        ([{"op": "replace", "path": "/audit_type", "value": "x"}], "internal"),
        ([{"op": "add", "path": "/colour", "value": "x"}], "new attribute"),
        ([{"op": "remove", "path": "/parameters/z"}], "Couldn't apply patch"),
        ([{"op": "replace", "path": "/missing", "value": 1}], "Couldn't apply patch"),
    ],
)
def test_refused_patches_raise_invalid(ops, says):
    with pytest.raises(Invalid, match=says):
        apply(DOC, ops, refused=("audit_type",))


@pytest.mark.parametrize(
    "op",
    [
        {"op": "move", "path": "/name"},
        {"op": "replace", "path": "name", "value": 1},
        {"op": "replace", "path": "/name"},
        {"op": "add", "path": "/a b", "value": 1},
    ],
)
def test_malformed_operations_fail_schema_validation(op):
    assert PatchOperationSchema().validate(op)

"""Request bodies: hostile JSON is the client's error (400), never a crash."""

from __future__ import annotations

import pytest

from watcher_celery.api.json_body import MAX_DEPTH, depth, loads
from watcher_celery.errors import Invalid


def _nested(levels: int) -> str:
    return "[" * levels + "]" * levels


def test_depth_counts_lists_and_objects_without_recursion():
    assert depth(1) == 0
    assert depth({"a": [1, {"b": []}]}) == 4
    assert depth(loads(_nested(MAX_DEPTH))) == MAX_DEPTH


@pytest.mark.parametrize(
    ("body", "says"),
    [
        (_nested(10_000), "nested deeper"),
        (_nested(MAX_DEPTH + 1), "nested deeper"),
        ('{"n": ' + "9" * 5_000 + "}", "digits"),
        ('{"a": ', "Invalid JSON body"),
        (b"\xff\xfe", "not UTF-8"),
    ],
)
def test_hostile_bodies_are_invalid(body, says):
    with pytest.raises(Invalid, match=says):
        loads(body)

"""Strategy parameters: defaults filled at every level, unknown keys refused."""

from __future__ import annotations

import pytest

from strategies.dummy import PARAMETERS
from watcher_celery.errors import Invalid
from watcher_celery.plugins.parameters import validate


def test_defaults_are_filled_without_touching_the_input():
    given = {"para2": "bye"}
    assert validate(PARAMETERS, given) == {"para1": 3.2, "para2": "bye"}
    assert given == {"para2": "bye"}


def test_unknown_parameter_is_refused():
    with pytest.raises(Invalid, match="Audit parameter para3 not allowed"):
        validate(PARAMETERS, {"para3": 1})


def test_out_of_range_value_is_refused_with_its_path():
    with pytest.raises(Invalid, match="para1"):
        validate(PARAMETERS, {"para1": 99})


def test_nested_defaults_are_filled():
    schema = {
        "properties": {
            "periods": {
                "type": "object",
                "properties": {"instance": {"type": "integer", "default": 720}},
                "default": {},
            }
        }
    }
    assert validate(schema, {}) == {"periods": {"instance": 720}}


def test_parameters_for_a_strategy_without_schema_are_refused():
    with pytest.raises(Invalid):
        validate({}, {"x": 1})

"""The audit scope format (reference §8.4): what is accepted, normalised and refused."""

from __future__ import annotations

import pytest

from watcher_celery.api.scope_schema import validate
from watcher_celery.errors import Invalid

COMPUTE = [
    {"availability_zones": [{"name": "az1"}]},
    {"host_aggregates": [{"id": 1}, {"name": "fast"}]},
    {
        "exclude": [
            {"instances": [{"uuid": "i-1"}]},
            {"compute_nodes": [{"name": "node-1"}]},
            {"instance_metadata": [{"optimize": False}]},
            {"projects": [{"uuid": "p-1"}]},
        ]
    },
]


def test_a_bare_rule_list_becomes_the_compute_section():
    assert validate(COMPUTE) == [{"compute": COMPUTE}]
    assert validate([]) == [] and validate(None) == []


def test_every_section_of_the_format_is_accepted():
    scope = [
        {"compute": COMPUTE},
        {
            "storage": [
                {"availability_zones": [{"name": "nova"}]},
                {"volume_types": [{"name": "ssd"}]},
                {"exclude": [{"storage_pools": [{"name": "p"}]}, {"volumes": [{"uuid": "v"}]}]},
            ]
        },
        {"baremetal": [{"exclude": [{"ironic_nodes": [{"uuid": "n"}]}]}]},
    ]
    assert validate(scope) == scope


@pytest.mark.parametrize(
    ("scope", "says"),
    [
        ({"compute": []}, "must be a list"),
        ([{"compute": [{"zones": []}]}], "zones"),
        ([{"compute": [{"availability_zones": [{"id": 1}]}]}], "name"),
        ([{"storage": [{"host_aggregates": [{"id": 1}]}]}], "host_aggregates"),
        ([{"compute": [{"exclude": [{"volumes": [{"uuid": "v"}]}]}]}], "volumes"),
        ([{"compute": [{"host_aggregates": [{"id": 1}], "exclude": []}]}], "too many"),
        (
            [{"host_aggregates": [{"id": 1}]}, {"exclude": [{"host_aggregates": [{"id": 2}]}]}],
            "included and excluded",
        ),
        ([{"host_aggregates": [{"id": "*"}, {"id": 2}]}], "'*'"),
        ([{"availability_zones": [{"name": "*"}, {"name": "az"}]}], "'*'"),
    ],
)
def test_malformed_scopes_are_refused_saying_what_is_wrong(scope, says):
    with pytest.raises(Invalid, match=says):
        validate(scope)

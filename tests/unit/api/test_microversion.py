"""``OpenStack-API-Version`` parsed as upstream parses it, with microversion-parse."""

from __future__ import annotations

import pytest
from werkzeug.datastructures import Headers

from watcher_celery.api.microversion import parse
from watcher_celery.errors import Invalid, NotAcceptable


def _headers(*values: str) -> Headers:
    return Headers([("OpenStack-API-Version", v) for v in values])


@pytest.mark.parametrize(
    ("values", "version"),
    [
        ((), (1, 0)),
        (("",), (1, 0)),
        (("infra-optim 1.3",), (1, 3)),
        (("compute 2.1, infra-optim 1.3",), (1, 3)),
        (("compute 2.1", "infra-optim 1.5"), (1, 5)),
        (("infra-optim 1",), (1, 0)),
        (("INFRA-OPTIM Latest",), (1, 7)),
        (("compute 2.90",), (1, 0)),
    ],
)
def test_versions_are_negotiated(values, version):
    assert parse(_headers(*values)) == version


@pytest.mark.parametrize(
    "value", ["infra-optim", "garbage", "infra-optim one.two", "infra-optim 1.x", "a 1, "]
)
def test_garbled_headers_are_invalid(value):
    with pytest.raises(Invalid, match="Invalid value for OpenStack-API-Version header"):
        parse(_headers(value))


@pytest.mark.parametrize("value", ["infra-optim 1.8", "infra-optim 2.0", "infra-optim 1.2.3"])
def test_versions_outside_the_range_are_not_acceptable(value):
    with pytest.raises(NotAcceptable, match=r"\[1.0, 1.7\]"):
        parse(_headers(value))

"""Parsing ``WATCHER_AUTH_TOKENS``: roles are admin, reader or service, anything else refused."""

from __future__ import annotations

import pytest

from watcher_celery.api.auth import parse_tokens


def test_tokens_and_roles_are_parsed_with_spaces_and_colons_in_tokens():
    assert parse_tokens(" a:admin , b:c:reader,") == (("a", "admin"), ("b:c", "reader"))


@pytest.mark.parametrize("raw", ["a:root", "a", ":admin", "a:admin,b"])
def test_malformed_settings_are_refused(raw):
    with pytest.raises(ValueError, match="<token>:reader or <token>:service"):
        parse_tokens(raw)

"""The operator's-view tests share one private deployment (tests/support/operator_stack.py)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest

from tests.conftest import REDIS_URL, RUN_ID, create_pg_database, drop_pg_database
from tests.support.operator_stack import OperatorStack, operator_stack


@pytest.fixture(scope="session")
def ops(service_env, log_dir) -> Iterator[OperatorStack]:
    name = f"wc_ops_{RUN_ID}_{uuid.uuid4().hex[:6]}"
    url = create_pg_database(name)
    try:
        with operator_stack(service_env, url, REDIS_URL, log_dir) as stack:
            yield stack
    finally:
        drop_pg_database(name)

"""The one log format: the bound request id and subject on every line, text or JSON."""

from __future__ import annotations

import io
import json
import logging
import uuid

import pytest

from watcher_celery import logcontext


@pytest.fixture()
def logger_to():
    def make(json_lines: bool) -> tuple[logging.Logger, io.StringIO]:
        stream = io.StringIO()
        logger = logging.getLogger(f"test.logcontext.{uuid.uuid4().hex}")
        logger.propagate = False
        logger.setLevel(logging.INFO)
        logger.addHandler(logging.StreamHandler(stream))
        logcontext.install(logger, json_lines)
        return logger, stream

    return make


def test_text_lines_carry_the_bound_fields_and_lose_them_when_reset(logger_to):
    logger, stream = logger_to(False)
    request_id, plan = logcontext.new_request_id(), str(uuid.uuid4())
    with logcontext.bound(request_id=request_id, plan=plan):
        logger.info("inside")
    logger.info("outside")
    inside, outside = stream.getvalue().splitlines()
    assert f"[request_id={request_id} plan={plan}] inside" in inside
    assert "request_id=" not in outside and outside.endswith(" outside")


def test_json_lines_are_one_object_each_with_the_fields(logger_to):
    logger, stream = logger_to(True)
    audit = str(uuid.uuid4())
    with logcontext.bound(audit=audit, task="run_audit[1234abcd]"):
        logger.warning("planned %d actions", 3)
    line = json.loads(stream.getvalue())
    assert line["message"] == "planned 3 actions" and line["level"] == "WARNING"
    assert line["audit"] == audit and line["task"] == "run_audit[1234abcd]"
    assert "plan" not in line and "request_id" not in line


@pytest.mark.parametrize(
    "value, valid",
    [
        (f"req-{uuid.uuid4()}", True),
        (str(uuid.uuid4()), False),
        (f"req-{uuid.uuid4()}".upper(), False),
        (f"req-{uuid.uuid4()}x", False),
        ("req-", False),
        (None, False),
    ],
)
def test_only_openstack_shaped_request_ids_are_kept(value, valid):
    assert logcontext.valid_request_id(value) is valid

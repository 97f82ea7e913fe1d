"""python-watcherclient, unchanged from PyPI, drives the live API (authentication off).

It builds URLs from the endpoint (``/v1/...``), sends ``OpenStack-API-Version: infra-optim
1.x`` and parses ``{"error_message": ...}`` bodies into its exceptions; no keystone needed.
"""

from __future__ import annotations

import uuid

import pytest
from watcherclient import exceptions
from watcherclient.v1.client import Client

from harness.processes import wait_for

pytestmark = pytest.mark.integration
TERMINAL = {"SUCCEEDED", "FAILED", "CANCELLED"}


@pytest.fixture()
def watcher(api, worker) -> Client:
    return Client(endpoint=api, os_infra_optim_api_version="1.7")


def _until(get, states):
    return wait_for(lambda: (obj := get()).state in states and obj, 60, f"state in {states}")


def test_audit_to_succeeded_plan_with_the_python_client(watcher):
    # Given the catalogue as the client sees it
    assert "dummy" in {g.name for g in watcher.goal.list()}
    strategy = watcher.strategy.get("dummy")
    assert strategy.goal_name == "dummy"
    assert "dummy_scorer" in {s.name for s in watcher.scoring_engine.list()}

    # When a template and an audit from it are created
    template = watcher.audit_template.create(
        name=f"wc-{uuid.uuid4().hex[:8]}", goal="dummy", strategy="dummy"
    )
    audit = watcher.audit.create(
        audit_type="ONESHOT", audit_template_uuid=template.uuid, parameters={"para1": 1.5}
    )
    assert audit.state == "PENDING"

    # Then the decision engine recommends a plan
    done = _until(lambda: watcher.audit.get(audit.uuid), TERMINAL)
    assert done.state == "SUCCEEDED"
    assert done.parameters == {"para1": 1.5, "para2": "hello"}
    (plan,) = watcher.action_plan.list(audit=audit.uuid)
    assert plan.state == "RECOMMENDED"
    actions = watcher.action.list(action_plan=plan.uuid, detail=True)
    assert [a.action_type for a in actions] == ["nop", "nop", "sleep"]

    # When the operator starts it, Then it runs to SUCCEEDED with every action
    started = watcher.action_plan.start(plan.uuid)
    assert started.state in {"PENDING", "ONGOING", "SUCCEEDED"}
    finished = _until(lambda: watcher.action_plan.get(plan.uuid), TERMINAL)
    assert finished.state == "SUCCEEDED"
    assert {a.state for a in watcher.action.list(action_plan=plan.uuid)} == {"SUCCEEDED"}

    # And the services that did the work report ACTIVE
    services = {s.name: s.status for s in watcher.service.list()}
    assert services.get("watcher-applier") == "ACTIVE"


def test_client_sorts_limits_and_raises_on_watcher_errors(watcher):
    every = watcher.goal.list()
    first_two = watcher.goal.list(limit=2, sort_key="name", sort_dir="desc")
    assert [g.name for g in first_two] == sorted((g.name for g in every), reverse=True)[:2]
    with pytest.raises(exceptions.HTTPNotFound, match="could not be found"):
        watcher.audit.get("no-such-audit")
    with pytest.raises(exceptions.HTTPBadRequest, match="Interval"):
        watcher.audit.create(audit_type="CONTINUOUS", goal="dummy")

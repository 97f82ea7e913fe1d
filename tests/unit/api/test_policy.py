"""Upstream Watcher's policy through oslo.policy: rule names per route, defaults per role, and
an operator's file on top."""

from __future__ import annotations

import pytest
from flask import request

from watcher_celery.api import create_app, policy
from watcher_celery.config import reset_settings


@pytest.fixture()
def fresh_enforcer():
    policy.enforcer.cache_clear()
    yield
    policy.enforcer.cache_clear()


@pytest.mark.parametrize(
    ("method", "path", "rule"),
    [
        ("GET", "/v1/goals", "goal:get_all"),
        ("GET", "/v1/goals/detail", "goal:detail"),
        ("GET", "/v1/goals/dummy", "goal:get"),
        ("GET", "/v1/strategies/dummy/state", "strategy:state"),
        ("POST", "/v1/audit_templates", "audit_template:create"),
        ("PATCH", "/v1/audits/x", "audit:update"),
        ("DELETE", "/v1/audits/x", "audit:delete"),
        ("POST", "/v1/action_plans/x/start", "action_plan:start"),
        ("PATCH", "/v1/actions/x", "action:update"),
        ("GET", "/v1/services/1", "service:get"),
        ("GET", "/v1/scoring_engines", "scoring_engine:get_all"),
        ("GET", "/v1/data_model", "data_model:get_all"),
        ("POST", "/v1/webhooks/x", "webhook:trigger"),
        ("GET", "/v1", None),
    ],
)
def test_each_route_has_upstreams_rule_name(method, path, rule):
    app = create_app(sync=False)
    with app.test_request_context(path, method=method):
        request.url_rule, request.view_args = app.url_map.bind("localhost").match(
            path, method=method, return_rule=True
        )
        assert policy.rule_for(request) == rule


@pytest.mark.parametrize(
    ("roles", "rule", "allowed"),
    [
        (["admin"], "audit:create", True),
        (["administrator"], "action_plan:start", True),
        (["reader"], "audit:get_all", True),
        (["reader"], "strategy:state", True),
        (["reader"], "audit:create", False),
        (["member"], "goal:get", False),
        (["service"], "webhook:trigger", True),
        (["service"], "audit:get", False),
        (["admin", "reader", "member"], "action_plan:delete", True),
    ],
)
def test_default_rules_by_role(fresh_enforcer, roles, rule, allowed):
    assert policy.allowed(rule, {"roles": roles}) is allowed


def test_an_operator_file_overrides_named_rules_only(fresh_enforcer, settings_env, tmp_path):
    path = tmp_path / "policy.yaml"
    path.write_text('"audit:create": "role:member"\n"admin_api": "role:cloud_admin"\n')
    settings_env.setenv("WATCHER_POLICY_FILE", str(path))
    reset_settings()
    assert policy.allowed("audit:create", {"roles": ["member"]})
    assert not policy.allowed("audit:delete", {"roles": ["admin"]})
    assert policy.allowed("audit:delete", {"roles": ["cloud_admin"]})


def test_a_missing_policy_file_is_refused(fresh_enforcer, settings_env, tmp_path):
    settings_env.setenv("WATCHER_POLICY_FILE", str(tmp_path / "nope.yaml"))
    reset_settings()
    with pytest.raises(ValueError, match="not a readable file"):
        policy.enforcer()

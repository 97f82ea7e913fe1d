"""Who may do what: upstream Watcher's policy, enforced with oslo.policy.

Every operation has upstream's rule name (``audit:create``, ``action_plan:start``,
``webhook:trigger``, ...) and upstream's default: ``rule:admin_api`` (role ``admin`` or
``administrator``), webhooks ``rule:admin_or_service_api`` (admin or role ``service``). One
addition: reads (``get``, ``get_all``, ``detail``, ``state``) default to ``rule:reader_api``,
which lets role ``reader`` look without changing anything. An operator overrides any rule with
a policy file in oslo.policy's YAML or JSON format (``WATCHER_POLICY_FILE``), exactly as for
upstream's ``policy.yaml``.

The rule of a request follows from its route: the blueprint names the resource, the URL rule
and method the action.
"""

from __future__ import annotations

import os
from functools import cache
from typing import Any

from flask import Request

from watcher_celery.config import get_settings

ADMIN_API = "rule:admin_api"
ADMIN_OR_SERVICE = "rule:admin_or_service_api"
READER_API = "rule:reader_api"

BASE_RULES = (
    ("admin_api", "role:admin or role:administrator"),
    ("admin_or_service_api", "rule:admin_api or role:service"),
    ("reader_api", "rule:admin_api or role:reader"),
)
READS = frozenset({"get", "get_all", "detail", "state"})
# blueprint name → upstream's policy prefix, and the actions upstream defines for it.
RESOURCES: dict[str, tuple[str, tuple[str, ...]]] = {
    "goals": ("goal", ("get_all", "detail", "get")),
    "strategies": ("strategy", ("get_all", "detail", "get", "state")),
    "audit_templates": (
        "audit_template",
        ("get_all", "detail", "get", "create", "update", "delete"),
    ),
    "audits": ("audit", ("get_all", "detail", "get", "create", "update", "delete")),
    "action_plans": (
        "action_plan",
        ("get_all", "detail", "get", "update", "start", "delete"),
    ),
    "actions": ("action", ("get_all", "detail", "get", "update")),
    "scoring_engines": ("scoring_engine", ("get_all", "detail", "get")),
    "services": ("service", ("get_all", "detail", "get")),
    "data_model": ("data_model", ("get_all",)),
    "webhooks": ("webhook", ("trigger",)),
}


def default_rules() -> list[tuple[str, str]]:
    """Every rule name with its default check string."""
    rules = list(BASE_RULES)
    for prefix, actions in RESOURCES.values():
        for action in actions:
            if prefix == "webhook":
                check = ADMIN_OR_SERVICE
            else:
                check = READER_API if action in READS else ADMIN_API
            rules.append((f"{prefix}:{action}", check))
    return rules


@cache
def enforcer():
    """The process's oslo.policy Enforcer: defaults registered, the operator's file on top.

    oslo.policy is imported here, when authentication is on, not by every process start."""
    from oslo_config import cfg
    from oslo_policy import policy

    conf = cfg.ConfigOpts()
    conf([], project="watcher", default_config_files=[], default_config_dirs=[])
    policy_file = get_settings().policy_file
    if policy_file and not os.path.isfile(policy_file):
        raise ValueError(f"WATCHER_POLICY_FILE {policy_file} is not a readable file")
    rules = policy.Enforcer(conf, policy_file=os.path.abspath(policy_file or os.devnull))
    conf.set_override("policy_dirs", [], "oslo_policy")
    rules.register_defaults([policy.RuleDefault(name, check) for name, check in default_rules()])
    rules.load_rules()  # a broken file stops start-up
    return rules


def rule_for(request: Request) -> str | None:
    """Upstream's rule name for the request's route, or None outside the v1 resources."""
    if request.url_rule is None or request.blueprint not in RESOURCES:
        return None
    prefix, _ = RESOURCES[request.blueprint]
    rule, method = request.url_rule.rule.rstrip("/"), request.method
    if prefix == "webhook":
        return "webhook:trigger"
    if prefix == "data_model":
        return "data_model:get_all"
    if rule.endswith("/detail"):
        return f"{prefix}:detail"
    if rule.endswith("/start"):
        return f"{prefix}:start"
    if rule.endswith("/state"):
        return f"{prefix}:state"
    if rule.endswith(">"):
        action = {"PATCH": "update", "DELETE": "delete"}.get(method, "get")
    else:
        action = "create" if method == "POST" else "get_all"
    return f"{prefix}:{action}"


def allowed(rule: str, credentials: dict[str, Any]) -> bool:
    """Does oslo.policy let ``credentials`` (``roles``, ``project_id``, ...) do ``rule``?"""
    return enforcer().authorize(rule, {}, credentials, do_raise=False)

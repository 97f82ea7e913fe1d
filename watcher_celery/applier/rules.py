"""The continuation rule of a plan: ALWAYS or ANY, per strategy.

ALWAYS: an action's children run whatever its outcome. ANY: its children run only if it failed,
so a success ends that branch ("try alternatives" chains). The strategy declares its rule; the
operator may override it per strategy with ``WATCHER_ACTION_EXECUTION_RULES`` (a JSON object
``{"strategy name": "ALWAYS"|"ANY"}``).
"""

from __future__ import annotations

import json
from enum import StrEnum

from watcher_celery.config import get_settings
from watcher_celery.errors import Invalid
from watcher_celery.plugins.registry import get_registry

SKIPPED_BY_RULE = "Action was skipped: the ANY rule runs it only when its parents failed."


class Rule(StrEnum):
    ALWAYS = "ALWAYS"
    ANY = "ANY"


def configured_rules() -> dict[str, Rule]:
    raw = get_settings().action_execution_rules.strip()
    if not raw:
        return {}
    try:
        return {name: Rule(value) for name, value in json.loads(raw).items()}
    except (ValueError, AttributeError) as exc:
        raise Invalid(f"WATCHER_ACTION_EXECUTION_RULES is not valid: {exc}") from None


def rule_for(strategy_name: str) -> Rule:
    override = configured_rules().get(strategy_name)
    if override is not None:
        return override
    strategy = get_registry().strategies.get(strategy_name)
    return Rule(strategy.action_execution_rule) if strategy else Rule.ALWAYS


def child_may_run(rule: Rule, parent_states: list[str]) -> bool:
    """Whether a child runs once all its parents are terminal."""
    if rule is Rule.ALWAYS:
        return True
    return all(state == "FAILED" for state in parent_states)

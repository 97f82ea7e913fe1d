"""The hooks a plugin may implement. This module is the only place hooks are declared.

Every hook is a registration hook: it returns a list of definitions (see
:mod:`watcher_celery.plugins.types`) and all implementations' lists are concatenated. A name
registered twice is refused when the registry is built (``plugins.registry``), so a broken
plugin fails at start-up, not in the middle of an audit.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from watcher_celery.plugins import hookspec

if TYPE_CHECKING:
    from watcher_celery.plugins.types import (
        ActionDefinition,
        GoalDefinition,
        PlannerDefinition,
        StrategyDefinition,
    )

# -------------------------------------------------------------------------------------------
# goal hooks
# -------------------------------------------------------------------------------------------


@hookspec
def watcher_goals() -> list[GoalDefinition]:
    """Register goals: what audits optimise for, with their efficacy specifications.

    :return: a list of :class:`GoalDefinition`; not ``firstresult``: every plugin's lists are
        gathered.

    Called from: service start-up (``decision_engine.sync``), which writes goals to the database,
    and ``run_audit`` step 4 (efficacy).
    """


# -------------------------------------------------------------------------------------------
# strategy hooks
# -------------------------------------------------------------------------------------------


@hookspec
def watcher_strategies() -> list[StrategyDefinition]:
    """Register strategies. Each names its goal, parameter schema, planner and metrics.

    :return: a list of :class:`StrategyDefinition`; not ``firstresult``.

    Called from: service start-up (``decision_engine.sync``) and ``run_audit`` step 3 (the
    strategy's ``execute(context)`` runs on the scoped model and returns a ``Solution``).
    """


# -------------------------------------------------------------------------------------------
# planner hooks
# -------------------------------------------------------------------------------------------


@hookspec
def watcher_planners() -> list[PlannerDefinition]:
    """Register planners, which order a solution's actions into a DAG of parents.

    :return: a list of :class:`PlannerDefinition`; not ``firstresult``.

    Called from: ``run_audit`` step 4, with the planner the strategy names.
    """


# -------------------------------------------------------------------------------------------
# action hooks
# -------------------------------------------------------------------------------------------


@hookspec
def watcher_actions() -> list[ActionDefinition]:
    """Register action types the applier can execute.

    :return: a list of :class:`ActionDefinition`; not ``firstresult``.

    Called from: ``execute_action`` (pre_condition, execute, post_condition) and
    ``on_action_error`` (revert); also by planners that check action types exist.
    """

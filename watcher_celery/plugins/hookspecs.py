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
        DatasourceDefinition,
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

    :return: a list of :class:`GoalDefinition` (name, display name, efficacy indicators with
        their JSON schemas, global-efficacy function); not ``firstresult``: every plugin's lists
        are gathered, and a goal name registered twice fails start-up.

    Called from: service start-up (``decision_engine.sync``), which writes goals to the database,
    and ``run_audit`` step 4 (efficacy).
    """


# -------------------------------------------------------------------------------------------
# strategy hooks
# -------------------------------------------------------------------------------------------


@hookspec
def watcher_strategies() -> list[StrategyDefinition]:
    """Register strategies. Each names its goal, parameter schema, planner and metrics.

    A strategy's ``execute(context)`` receives a :class:`StrategyContext`: ``context.model``
    (its own copy of the scoped :class:`~watcher_celery.model.ClusterModel`,
    or ``None`` when ``models`` is empty), ``context.metrics`` (a
    :class:`~watcher_celery.datasources.base.Datasource`, or ``None`` when ``metrics`` is
    empty) and ``context.parameters`` (validated against ``parameters_schema``, draft 4, with
    defaults filled and unknown keys refused). It returns a :class:`Solution` and must not
    reach for clients, Celery or the database.

    :return: a list of :class:`StrategyDefinition`; not ``firstresult``; the goal and planner
        each names must be registered too, else start-up fails.

    Called from: service start-up (``decision_engine.sync``) and ``run_audit`` step 3 (the
    strategy's ``execute(context)`` runs on the scoped model and returns a ``Solution``).
    """


# -------------------------------------------------------------------------------------------
# planner hooks
# -------------------------------------------------------------------------------------------


@hookspec
def watcher_planners() -> list[PlannerDefinition]:
    """Register planners, which order a solution's actions into a DAG of parents.

    A planner's ``plan(actions)`` receives the solution's actions in the strategy's order and
    returns :class:`PlannedAction` items whose ``parents`` index earlier items: the DAG the
    applier runs frontier by frontier. An action type the planner cannot place raises
    :class:`~watcher_celery.errors.PluginError` (the audit FAILS with that message).

    :return: a list of :class:`PlannerDefinition`; not ``firstresult``.

    Called from: ``run_audit`` step 4, with the planner the strategy names.
    """


# -------------------------------------------------------------------------------------------
# action hooks
# -------------------------------------------------------------------------------------------


@hookspec
def watcher_actions() -> list[ActionDefinition]:
    """Register action types the applier can execute.

    :return: a list of :class:`ActionDefinition` (type name, description shown by the API,
        factory of the action class, JSON schema of its input parameters); not
        ``firstresult``.

    Called from: ``execute_action`` (pre_condition, execute, post_condition) and
    ``on_action_error`` (revert); also by planners that check action types exist.
    """


# -------------------------------------------------------------------------------------------
# datasource hooks
# -------------------------------------------------------------------------------------------


@hookspec
def watcher_datasources() -> list[DatasourceDefinition]:
    """Register metric backends strategies read through (reference §9).

    Each definition names the backend and gives a ``factory(cloud, settings)`` returning a
    fresh :class:`~watcher_celery.datasources.base.Datasource` (one per audit run, so its cache
    is per audit), or ``None`` when the backend cannot serve this deployment. The backend's
    ``metrics()`` says which watcher metric names it serves; the first configured backend
    serving every metric a strategy declares is the one it gets. A backend implements
    ``query`` (one resource) and may override ``query_many`` (every resource of the audit at
    once, asked on the first read of a metric once the datasource is bound to the model).

    :return: a list of :class:`DatasourceDefinition`; not ``firstresult``; a name registered
        twice fails start-up.

    Called from: ``run_audit`` step 3, when the strategy context is built
    (``decision_engine.context.build_context``), and ``GET /v1/strategies/{name}/state``.
    """

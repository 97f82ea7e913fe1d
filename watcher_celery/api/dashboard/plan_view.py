"""A plan as the dashboard shows it: its actions, the cluster before and after, the estimates
and the ETA. Reads the database and asks the decision engine for the cluster's loads once;
the arithmetic is ``watcher_celery.forecast``."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import select

from watcher_celery.api.data_model.ask import ask
from watcher_celery.api.smorest import get_or_404
from watcher_celery.config import get_settings
from watcher_celery.db import Action, ActionPlan, session_scope
from watcher_celery.dispatch import CLUSTER_LOADS
from watcher_celery.errors import ServiceUnavailable
from watcher_celery.forecast import InstanceSize, estimate, predict, schedule
from watcher_celery.forecast.loads import host_table, hosts_from_table, sizes_from_table
from watcher_celery.forecast.progress import RUNNING, Progress, progress

LOG = logging.getLogger(__name__)


@dataclass(frozen=True, slots=True)
class PlanActions:
    uuid: str
    state: str
    actions: list[dict[str, Any]]  # uuid, action_type, input_parameters, parents, state


def _since(moment: datetime | None, now: datetime) -> float:
    if moment is None:
        return 0.0
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return max(0.0, (now - moment).total_seconds())


def load_plan(ident: str) -> PlanActions:
    """The plan and its actions, in creation order (404 when the plan does not exist)."""
    now = datetime.now(UTC)
    with session_scope() as session:
        plan = get_or_404(session, ActionPlan, ident, "Action plan", by_name=False)
        rows = session.scalars(
            select(Action)
            .where(Action.action_plan_id == plan.id, Action.deleted == 0)
            .order_by(Action.id)
        ).all()
        actions = [
            {
                "uuid": a.uuid,
                "action_type": a.action_type,
                "input_parameters": dict(a.input_parameters or {}),
                "parents": list(a.parents or []),
                "state": a.state,
                "status_message": a.status_message,
                "running_for": _since(a.updated_at, now) if a.state == RUNNING else 0.0,
            }
            for a in rows
        ]
        return PlanActions(plan.uuid, plan.state, actions)


def instance_uuids(actions: list[dict[str, Any]]) -> list[str]:
    return sorted(
        {
            a["input_parameters"]["resource_id"]
            for a in actions
            if a["action_type"] == "migrate" and a["input_parameters"].get("resource_id")
        }
    )


def cluster(instance_uuids: list[str]) -> dict[str, Any]:
    """The decision engine's answer: ``hosts`` (a table) and ``instances`` (size rows)."""
    return ask(CLUSTER_LOADS, instance_uuids, what="the cluster's loads")


def estimates(
    actions: list[dict[str, Any]], sizes: dict[str, InstanceSize]
) -> dict[str, dict[str, Any]]:
    settings = get_settings()
    out = {}
    for action in actions:
        found = estimate(
            action, sizes, settings.migration_bandwidth_mb, settings.action_overhead_seconds
        )
        out[action["uuid"]] = {
            "seconds": round(found.seconds, 2),
            "moves": found.moves,
            "moves_mb": found.moves_mb,
        }
    return out


def plan_progress(plan: PlanActions, seconds: dict[str, float]) -> Progress:
    running_for = {a["uuid"]: a["running_for"] for a in plan.actions}
    return progress(plan.actions, seconds, get_settings().applier_slots, running_for)


def estimated_seconds(plan: PlanActions) -> dict[str, float]:
    """Each action's estimate, from the sizes the decision engine reports now; when it cannot
    answer (busy with audits, say), every action costs the overhead alone: the live states
    matter more than the remaining time."""
    try:
        sizes = sizes_from_table(cluster(instance_uuids(plan.actions))["instances"])
    except ServiceUnavailable as exc:
        LOG.warning("plan %s: estimates without instance sizes: %s", plan.uuid, exc)
        sizes = {}
    return {uuid: e["seconds"] for uuid, e in estimates(plan.actions, sizes).items()}


def forecast(ident: str) -> dict[str, Any]:
    """Everything the plan page shows before (and while) the plan runs."""
    plan = load_plan(ident)
    answer = cluster(instance_uuids(plan.actions))
    sizes = sizes_from_table(answer["instances"])
    hosts = hosts_from_table(answer["hosts"])
    predicted = predict(hosts, sizes, plan.actions)
    per_action = estimates(plan.actions, sizes)
    seconds = {uuid: e["seconds"] for uuid, e in per_action.items()}
    settings = get_settings()
    planned = schedule(
        {a["uuid"]: a["parents"] for a in plan.actions}, seconds, settings.applier_slots
    )
    now = plan_progress(plan, seconds)
    return {
        "uuid": plan.uuid,
        "state": plan.state,
        "hosts_now": answer["hosts"],
        "hosts_after": host_table(predicted.hosts.values()),
        "moved": predicted.moved,
        "unplaced": predicted.unplaced,
        "unknown": predicted.unknown,
        "actions": [
            {
                **{k: v for k, v in a.items() if k != "running_for"},
                **per_action[a["uuid"]],
                "start": round(planned.starts.get(a["uuid"], 0.0), 2),
                "finish": round(planned.finishes.get(a["uuid"], 0.0), 2),
            }
            for a in plan.actions
        ],
        "eta": round(planned.eta, 2),
        "critical_path": round(planned.critical_path, 2),
        "slots": settings.applier_slots,
        "bandwidth_mb": settings.migration_bandwidth_mb,
        "overhead_seconds": settings.action_overhead_seconds,
        "progress": progress_body(now),
    }


def progress_body(found: Progress) -> dict[str, Any]:
    return {
        "done": found.done,
        "total": found.total,
        "fraction": found.fraction,
        "remaining": round(found.remaining, 1),
    }

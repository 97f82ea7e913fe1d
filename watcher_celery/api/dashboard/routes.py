"""``/dashboard``: the page (public, it holds no data) and the endpoints it reads (each
authenticated like the API by the app's ``auth.check``, and checked against upstream's policy
rule for what it shows)."""

from __future__ import annotations

from flask import Blueprint, Response, render_template, request, stream_with_context

from watcher_celery.api import auth, policy
from watcher_celery.api.dashboard import plan_view, stream
from watcher_celery.config import get_settings
from watcher_celery.errors import Forbidden, Invalid

blp = Blueprint(
    "dashboard",
    __name__,
    url_prefix="/dashboard",
    template_folder="templates",
    static_folder="static",
)
PAGE = "/dashboard"
STATIC = "/dashboard/static/"


def _allow(rule: str) -> None:
    """403 when the caller's roles do not pass ``rule`` (authentication is already checked)."""
    if not get_settings().auth_enabled:
        return
    caller = auth.credentials()
    if caller is None or not policy.allowed(rule, caller):
        raise Forbidden(f"Policy doesn't allow {rule} to be performed.")


@blp.get("")
def page():
    return render_template(
        "dashboard.html",
        auth_mode=get_settings().auth,
        token_header=auth.HEADER,
    )


@blp.get("/api/cluster")
def cluster():
    """Every host's load now: ``{"hosts": {"columns", "rows"}}``."""
    _allow("data_model:get_all")
    return {"hosts": plan_view.cluster([])["hosts"]}


@blp.get("/api/action_plans/<ident>/forecast")
def forecast(ident: str):
    """The plan's what-if map, per-action estimates, ETA and progress."""
    _allow("action_plan:get")
    return plan_view.forecast(ident)


@blp.get("/api/action_plans/<ident>/events")
def events(ident: str):
    """Server-sent events for the plan (``stream.follow``)."""
    _allow("action_plan:get")
    raw_after = request.args.get("after", "")
    if raw_after and not raw_after.isdigit():
        raise Invalid(f"after must be an event id (a whole number), not {raw_after!r}")
    plan = plan_view.load_plan(ident)
    after = int(raw_after) if raw_after else stream.last_event_id()
    seconds = plan_view.estimated_seconds(plan)
    body = stream_with_context(stream.follow(plan.uuid, seconds, after))
    return Response(
        body,
        mimetype="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )

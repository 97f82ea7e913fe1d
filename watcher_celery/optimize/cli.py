"""The ``watcher-optimize`` commands (click); output through rich, or JSON with ``--json``."""

from __future__ import annotations

import json
import sys
import time
from importlib.metadata import version as package_version

import click
from rich.console import Console

from watcher_celery.optimize import render
from watcher_celery.optimize.client import ApiError, WatcherApi
from watcher_celery.optimize.follow import PLAN_DONE, follow

AUDIT_DONE = frozenset({"SUCCEEDED", "FAILED", "CANCELLED", "SUSPENDED", "DELETED"})
CANCEL = [{"op": "replace", "path": "/state", "value": "CANCELLING"}]


class Context:
    def __init__(self, url: str, token: str | None, as_json: bool) -> None:
        self.api = WatcherApi(url, token)
        self.json = as_json
        self.out = Console(soft_wrap=True)
        self.err = Console(stderr=True)

    def show(self, value, *renderables) -> None:
        if self.json:
            render.emit_json(self.out, value)
        else:
            for renderable in renderables:
                self.out.print(renderable)


pass_context = click.make_pass_decorator(Context)


def _parameter(_ctx, _param, values: tuple[str, ...]) -> dict:
    """``-p name=value``: the value as JSON when it parses (numbers, lists), else a string."""
    parsed = {}
    for item in values:
        name, sep, raw = item.partition("=")
        if not sep or not name:
            raise click.BadParameter(f"{item!r} is not name=value")
        try:
            parsed[name] = json.loads(raw)
        except ValueError:
            parsed[name] = raw
    return parsed


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.option(
    "--os-url",
    envvar=["WATCHER_API_URL", "OS_INFRA_OPTIM_URL"],
    default="http://127.0.0.1:9322",
    show_default=True,
    help="The Watcher API (env WATCHER_API_URL).",
)
@click.option(
    "--token",
    envvar=["WATCHER_TOKEN", "OS_TOKEN"],
    help="X-Auth-Token: a static token or a Keystone token (env WATCHER_TOKEN, OS_TOKEN).",
)
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of tables and trees.")
@click.version_option(package_version("watcher-celery"), prog_name="watcher-optimize")
@click.pass_context
def main_group(ctx: click.Context, os_url: str, token: str | None, as_json: bool) -> None:
    """Audit an OpenStack cluster, review the plan, apply it and watch it run."""
    ctx.obj = Context(os_url, token, as_json)


# --- audits -----------------------------------------------------------------------------------


@main_group.group()
def audit() -> None:
    """Create, show and list audits."""


@audit.command("create")
@click.option("--template", help="Audit template UUID (its goal, strategy and parameters).")
@click.option("--goal", help="Goal name, e.g. server_consolidation.")
@click.option("--strategy", help="Strategy name; the goal's default when omitted.")
@click.option("-p", "--param", "params", multiple=True, callback=_parameter,
              help="Strategy parameter name=value (repeatable; JSON values parsed).")  # fmt: skip
@click.option("--name", help="Audit name.")
@click.option("--wait/--no-wait", default=True, show_default=True,
              help="Wait for the audit to end and show its plan.")  # fmt: skip
@click.option("--timeout", default=600.0, show_default=True, help="Seconds to wait.")
@pass_context
def audit_create(ctx: Context, template, goal, strategy, params, name, wait, timeout) -> None:
    """Create a ONESHOT audit and (by default) wait for its action plan."""
    if not (template or goal):
        raise click.UsageError("give --goal or --template")
    body = {"audit_type": "ONESHOT", "parameters": params}
    for key, value in (("audit_template_uuid", template), ("goal", goal),
                       ("strategy", strategy), ("name", name)):  # fmt: skip
        if value:
            body[key] = value
    created = ctx.api.post("/v1/audits", body)
    if not wait:
        ctx.show(created, f"audit {created['uuid']} {render.state(created['state'])}")
        return
    if not ctx.json:
        ctx.err.print(f"audit {created['uuid']} created, waiting for its plan…")
    ended = _wait_audit(ctx, created["uuid"], timeout)
    plans = ctx.api.plans_of(ended["uuid"])
    if ended["state"] != "SUCCEEDED" or not plans:
        ctx.show({"audit": ended, "action_plan": None},
                 f"audit {ended['uuid']} {render.state(ended['state'])}: "
                 f"{ended.get('status_message') or 'no plan'}")  # fmt: skip
        sys.exit(1)
    plan = ctx.api.plan(plans[0]["uuid"])
    actions = ctx.api.actions_of(plan["uuid"])
    ctx.show(
        {"audit": ended, "action_plan": plan, "actions": actions},
        render.plan_tree(plan, actions),
        render.efficacy_table(plan),
        f"start it with: watcher-optimize plan start {plan['uuid']}",
    )


def _wait_audit(ctx: Context, uuid: str, timeout: float) -> dict:
    deadline = time.monotonic() + timeout
    while True:
        current = ctx.api.audit(uuid)
        if current["state"] in AUDIT_DONE:
            return current
        if time.monotonic() > deadline:
            raise click.ClickException(f"audit {uuid} still {current['state']} after {timeout} s")
        time.sleep(1.0)


@audit.command("show")
@click.argument("ident")
@pass_context
def audit_show(ctx: Context, ident: str) -> None:
    """Show one audit."""
    found = ctx.api.audit(ident)
    columns = ("uuid", "name", "state", "goal_name", "strategy_name", "audit_type")
    ctx.show(found, render.objects_table("Audit", [found], columns))


@audit.command("list")
@pass_context
def audit_list(ctx: Context) -> None:
    """List audits."""
    rows = list(ctx.api.pages("/v1/audits/detail?limit=1000", "audits"))
    columns = ("uuid", "name", "state", "goal_name", "strategy_name")
    ctx.show(rows, render.objects_table("Audits", rows, columns))


# --- plans ------------------------------------------------------------------------------------


@main_group.group()
def plan() -> None:
    """Show, start, follow and cancel action plans."""


@plan.command("list")
@click.option("--audit", "audit_uuid", help="Only this audit's plans.")
@pass_context
def plan_list(ctx: Context, audit_uuid: str | None) -> None:
    """List action plans."""
    query = f"&audit_uuid={audit_uuid}" if audit_uuid else ""
    rows = list(ctx.api.pages(f"/v1/action_plans/detail?limit=1000{query}", "action_plans"))
    columns = ("uuid", "state", "audit_uuid", "strategy_name")
    ctx.show(rows, render.objects_table("Action plans", rows, columns))


@plan.command("show")
@click.argument("uuid")
@pass_context
def plan_show(ctx: Context, uuid: str) -> None:
    """The plan as a tree of its actions (by parents), with its efficacy."""
    found = ctx.api.plan(uuid)
    actions = ctx.api.actions_of(found["uuid"])
    ctx.show(
        {"action_plan": found, "actions": actions},
        render.plan_tree(found, actions),
        render.efficacy_table(found),
    )


@plan.command("start")
@click.argument("uuid")
@click.option("--follow/--no-follow", "following", default=True, show_default=True,
              help="Follow the plan until it ends.")  # fmt: skip
@click.option("--timeout", type=float, default=None, help="Stop following after this many s.")
@pass_context
def plan_start(ctx: Context, uuid: str, following: bool, timeout: float | None) -> None:
    """Start a RECOMMENDED plan; follow it with a progress bar and ETA."""
    started = ctx.api.post(f"/v1/action_plans/{uuid}/start")
    if not following:
        ctx.show(started, f"plan {uuid} {render.state(started['state'])}")
        return
    _follow(ctx, uuid, timeout)


@plan.command("follow")
@click.argument("uuid")
@click.option("--timeout", type=float, default=None, help="Stop following after this many s.")
@pass_context
def plan_follow(ctx: Context, uuid: str, timeout: float | None) -> None:
    """Follow a running plan until it ends (exit 1 unless it SUCCEEDED)."""
    _follow(ctx, uuid, timeout)


def _follow(ctx: Context, uuid: str, timeout: float | None) -> None:
    progress_console = Console(stderr=True, quiet=ctx.json)
    try:
        ended = follow(ctx.api, uuid, progress_console, timeout=timeout)
    except TimeoutError as exc:
        raise click.ClickException(str(exc)) from None
    ctx.show(ended, f"plan {uuid} {render.state(ended['state'])}")
    if ended["state"] != "SUCCEEDED":
        sys.exit(1)


@plan.command("cancel")
@click.argument("uuid")
@pass_context
def plan_cancel(ctx: Context, uuid: str) -> None:
    """Cancel a plan: a running one winds down (CANCELLING), a waiting one ends CANCELLED."""
    found = ctx.api.plan(uuid)
    if found["state"] in PLAN_DONE:
        raise click.ClickException(f"plan {uuid} already ended {found['state']}")
    body = CANCEL if found["state"] == "ONGOING" else [{**CANCEL[0], "value": "CANCELLED"}]
    changed = ctx.api.patch(f"/v1/action_plans/{uuid}", body)
    ctx.show(changed, f"plan {uuid} {render.state(changed['state'])}")


def main() -> None:
    """Entry point: API errors become one line on stderr and exit status 1."""
    try:
        main_group(standalone_mode=False)
    except ApiError as exc:
        Console(stderr=True).print(f"[red]error[/red] {exc}", highlight=False)
        sys.exit(1)
    except click.exceptions.Abort:
        sys.exit(130)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)


if __name__ == "__main__":
    main()

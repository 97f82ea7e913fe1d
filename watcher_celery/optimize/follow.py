"""Follow a running plan: poll its actions, print each change, show progress and an ETA.

The ETA is the remaining actions over the rate the finished ones took, and with no action
finished yet, unknown. Polling keeps the command usable against any API that answers; the
applier's events are not reachable from an operator's machine.
"""

from __future__ import annotations

import time
from collections.abc import Callable

from rich.console import Console
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

from watcher_celery.optimize.client import WatcherApi
from watcher_celery.optimize.render import action_label

ACTION_DONE = frozenset({"SUCCEEDED", "FAILED", "CANCELLED", "SKIPPED"})
PLAN_DONE = frozenset({"SUCCEEDED", "FAILED", "CANCELLED", "SUPERSEDED", "DELETED"})


def follow(
    api: WatcherApi,
    plan_uuid: str,
    console: Console,
    interval: float = 1.0,
    timeout: float | None = None,
    sleep: Callable[[float], None] = time.sleep,
) -> dict:
    """Until the plan ends (or ``timeout``): a line per action state change, a progress bar.
    Returns the plan as it ended."""
    deadline = None if timeout is None else time.monotonic() + timeout
    seen: dict[str, str] = {}
    columns = (
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("elapsed"),
        TimeElapsedColumn(),
        TextColumn("ETA"),
        TimeRemainingColumn(),
    )
    with Progress(*columns, console=console, transient=False) as progress:
        bar = progress.add_task("actions", total=None)
        while True:
            plan = api.plan(plan_uuid)
            actions = api.actions_of(plan_uuid)
            for action in actions:
                if seen.get(action["uuid"]) != action["state"]:
                    seen[action["uuid"]] = action["state"]
                    progress.console.print(action_label(action), highlight=False)
            done = sum(1 for a in actions if a["state"] in ACTION_DONE)
            progress.update(
                bar, total=len(actions), completed=done, description=f"plan {plan['state']}"
            )
            if plan["state"] in PLAN_DONE:
                return plan
            if deadline is not None and time.monotonic() > deadline:
                raise TimeoutError(f"plan {plan_uuid} still {plan['state']} after {timeout} s")
            sleep(interval)

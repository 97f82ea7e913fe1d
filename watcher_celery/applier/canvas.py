"""The Celery canvas for what an advance claimed.

A linear run of actions becomes one chain ``execute_action(a1) | ... | execute_action(an) |
advance_plan(plan)``: one message per hop, no advance in between. Runs that may proceed side by
side are sent as a group, so the planned parallelism is kept; each run advances the plan when
it ends, which lets a branch's children start without waiting for the other branches (a chord
would make them wait for the whole frontier, and its body never runs after a failure). Each
execute_action carries ``link_error`` → ``on_action_error``, so a failure reverts that action,
frees the actions claimed after it and advances.

The errback takes ONE small argument on purpose. Celery runs an errback task of more than one
parameter inline, inside the failing worker (or its main process after a SIGKILL), whereas this
one is queued as a task. And every message of a chain carries the rest of the chain, so
anything per step that grew with the run would make a long run quadratic.
"""

from __future__ import annotations

from celery import chain, group
from celery.canvas import Signature


def run_signature(plan_uuid: str, run: list[tuple[str, str]], tasks, leaf: bool) -> Signature:
    """One run as a chain ending in an advance of the plan (a quick one after a leaf)."""
    steps = [
        tasks.execute_action.si(action_uuid)
        .set(task_id=task_id)
        .on_error(tasks.on_action_error.si({"action": action_uuid}))
        for action_uuid, task_id in run
    ]
    steps.append(tasks.advance_plan_task.si(plan_uuid, leaf))
    return chain(steps)


def plan_canvas(
    plan_uuid: str, runs: list[list[tuple[str, str]]], tasks, leaves: set[str] = frozenset()
) -> Signature | None:
    """A chain for one run, a group of chains for several, None when nothing is to be sent."""
    if not runs:
        return None
    chains = [run_signature(plan_uuid, run, tasks, run[-1][0] in leaves) for run in runs]
    return chains[0] if len(chains) == 1 else group(chains)

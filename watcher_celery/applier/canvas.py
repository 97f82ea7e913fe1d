"""The Celery canvas for what an advance claimed.

A linear run of actions becomes one chain ``execute_action(a1) | ... | execute_action(an,
advance)``: one message per hop, no advance in between, and the last step advances the plan
itself once its action is done (a separate advance task would cost one more broker hop and
task start on every hand-off between actions: ~40 ms each, measured in
``bench/action_latency.py``). Runs that may proceed side by side are sent as a group, so the
planned parallelism is kept; each run advances the plan when it ends, which lets a branch's
children start without waiting for the other branches (a chord would make them wait for the
whole frontier, and its body never runs after a failure). Each execute_action carries
``link_error`` → ``on_action_error``, so a failure reverts that action, frees the actions
claimed after it and advances.

The errback takes ONE small argument on purpose. Celery runs an errback task of more than one
parameter inline, inside the failing worker (or its main process after a SIGKILL), whereas this
one is queued as a task. And every message of a chain carries the rest of the chain, so
anything per step that grew with the run would make a long run quadratic.
"""

from __future__ import annotations

from celery import chain, group
from celery.canvas import Signature

from watcher_celery.applier.progress import Advance
from watcher_celery.celery_app import app

# The tasks a canvas names; they are defined in ``applier/tasks.py`` and referenced by name, so
# building a canvas needs no task module.
EXECUTE_ACTION = "watcher.applier.execute_action"
ON_ACTION_ERROR = "watcher.applier.on_action_error"
ADVANCE = "advance"  # the last step of a run advances the plan
ADVANCE_AFTER_LEAF = "advance-after-leaf"  # ... quickly: its action has no children


def run_signature(run: list[tuple[str, str]], leaf: bool) -> Signature:
    """One run as a chain whose last step advances the plan (a quick advance after a leaf)."""
    last = len(run) - 1
    steps = [
        app.signature(
            EXECUTE_ACTION,
            args=(action_uuid, *([ADVANCE_AFTER_LEAF if leaf else ADVANCE] if i == last else [])),
            immutable=True,
        )
        .set(task_id=task_id)
        .on_error(app.signature(ON_ACTION_ERROR, args=({"action": action_uuid},), immutable=True))
        for i, (action_uuid, task_id) in enumerate(run)
    ]
    return chain(steps) if len(steps) > 1 else steps[0]


def plan_canvas(
    runs: list[list[tuple[str, str]]], leaves: set[str] = frozenset()
) -> Signature | None:
    """A chain for one run, a group of chains for several, None when nothing is to be sent."""
    if not runs:
        return None
    chains = [run_signature(run, run[-1][0] in leaves) for run in runs]
    return chains[0] if len(chains) == 1 else group(chains)


def send(advance: Advance) -> None:
    """Send what an advance claimed, and revoke what it cancelled."""
    if advance.revoked:
        app.control.revoke(advance.revoked)
    canvas = plan_canvas(advance.runs, advance.leaves)
    if canvas is not None:
        canvas.apply_async()

"""The steps a simulated operation goes through, as real Nova shows them.

Measured on Nova 34 (``docs/cloud.md``): a cold migration or resize is answered 202 *before*
its migration record exists; the record then shows ``pre-migrating``, ``migrating``,
``post-migrating`` and ``finished`` (server ``VERIFY_RESIZE``) while the server's task_state
goes ``resize_prep``, ``resize_migrating``, ``resize_migrated``, ``resize_finish``. Nothing
confirms it but a client: ``confirming`` → ``confirmed`` or ``reverting`` → ``reverted``. A
live migration asked at microversion ≥ 2.34 starts ``accepted`` (before: ``preparing``), then
``running`` → ``completed``. Stop and start take a moment too (task_state ``powering-off`` /
``powering-on``).

Each step lasts a fraction of the cloud's ``op_seconds``, so a whole migration takes
``op_seconds`` and the pauses Nova shows (no record yet, confirming) scale with it.
"""

from __future__ import annotations

from typing import NamedTuple


class Step(NamedTuple):
    share: float  # of op_seconds this status lasts
    following: str  # the status after it
    task_state: str | None  # the server's task_state during it


# "requested" is the moment between Nova's 202 and its migration record: not listed.
HIDDEN = "requested"
# Shown as post-migrating; the server has moved to its destination and finishes there.
FINISHING = "finishing"
SHOWN_AS = {FINISHING: "post-migrating"}

COLD = {
    HIDDEN: Step(0.15, "pre-migrating", "resize_prep"),
    "pre-migrating": Step(0.15, "migrating", "resize_prep"),
    "migrating": Step(0.45, "post-migrating", "resize_migrating"),
    "post-migrating": Step(0.15, FINISHING, "resize_migrated"),
    FINISHING: Step(0.10, "finished", "resize_finish"),
    "confirming": Step(0.10, "confirmed", None),
    "reverting": Step(0.15, "reverted", "resize_reverting"),
}
LIVE = {
    "accepted": Step(0.10, "preparing", "migrating"),
    "preparing": Step(0.10, "running", "migrating"),
    "running": Step(0.80, "completed", "migrating"),
}
POWER = {
    "powering-off": Step(0.10, "stopped", "powering-off"),
    "powering-on": Step(0.10, "active", "powering-on"),
}
STEPS = {"migration": COLD, "resize": COLD, "live-migration": LIVE, "power": POWER}

# Where an injected "complete" failure ends the operation: the status it fails in instead of
# moving on (a cold migration or resize no host can take fails before anything moves).
FAILS_LEAVING = {"migration": "pre-migrating", "resize": "pre-migrating",
                 "live-migration": "running"}  # fmt: skip

# Statuses during which the operation holds resources on both hosts (Placement allocations
# of the instance on one, of the migration on the other).
HOLDING = frozenset(
    {HIDDEN, "pre-migrating", "migrating", "post-migrating", FINISHING, "finished",
     "confirming", "reverting", "accepted", "preparing", "running"}
)  # fmt: skip
MIGRATION_KINDS = ("live-migration", "migration", "resize")
# Real Nova marks a failed migration "error" before it writes the server's fault and the
# failed instance-action event: the reason shows up this share of op_seconds later.
REASON_LATE = 0.10


def first_status(kind: str, live_accepted: bool = True) -> str:
    """The status an operation starts in."""
    if kind == "live-migration":
        return "accepted" if live_accepted else "preparing"
    return HIDDEN


def shown(status: str) -> str:
    return SHOWN_AS.get(status, status)

"""Advancing a plan on both databases: claims, linear runs, rules, finishing, the outbox."""

from __future__ import annotations

from sqlalchemy import select, update

from harness.rows import make_dag_plan, plan_state
from tests.integration.applier.conftest import actions_of
from watcher_celery.applier.launch import launch
from watcher_celery.applier.progress import MAX_RUN, advance_plan, others_unfinished
from watcher_celery.db import Action, Event, session_scope


def nop(*parents: int):
    return ("nop", {"message": "x"}, list(parents))


def finish(uuids: list[str], state: str = "SUCCEEDED") -> None:
    with session_scope() as session:
        session.execute(update(Action).where(Action.uuid.in_(uuids)).values(state=state))


def test_advance_claims_each_linear_run_in_one_piece(database):
    # Given a → b → c, and d on its own
    made = make_dag_plan([nop(), nop(0), nop(1), nop()])
    a, b, c, d = made["actions"]
    assert launch(made["plan"])
    # When the plan is advanced
    advance = advance_plan(made["plan"])
    # Then two runs are claimed: the whole sequence, and d
    assert [[uuid for uuid, _ in run] for run in advance.runs] == [[a, b, c], [d]]
    claimed = {x.uuid: x.task_id for x in actions_of(made["actions"])}
    assert [task for _, task in advance.runs[0]] == [claimed[a], claimed[b], claimed[c]]
    # And both runs end in a leaf, so their closing advance may be the quick one
    assert advance.leaves == {c, d}
    # And advancing again claims nothing twice
    assert advance_plan(made["plan"]).runs == []


def test_a_long_sequence_is_sent_in_runs_of_bounded_length(database):
    made = make_dag_plan([nop(*([i - 1] if i else [])) for i in range(MAX_RUN + 5)])
    launch(made["plan"])
    (run,) = advance_plan(made["plan"]).runs
    assert [u for u, _ in run] == made["actions"][:MAX_RUN]
    finish(made["actions"][:MAX_RUN])
    (run,) = advance_plan(made["plan"]).runs
    assert [u for u, _ in run] == made["actions"][MAX_RUN:]


def test_a_fork_or_a_join_ends_a_run(database):
    # Given a → (b, c) → e
    made = make_dag_plan([nop(), nop(0), nop(0), nop(1, 2)])
    a, b, c, e = made["actions"]
    launch(made["plan"])
    first = advance_plan(made["plan"])
    assert [[u for u, _ in r] for r in first.runs] == [[a]]
    assert first.leaves == set()  # a has children: its chain must end in a full advance
    assert others_unfinished(made["plan"])
    finish([a])
    assert [[u for u, _ in r] for r in advance_plan(made["plan"]).runs] == [[b], [c]]
    finish([b])
    assert advance_plan(made["plan"]).runs == []  # e still waits for c
    finish([c])
    assert [[u for u, _ in r] for r in advance_plan(made["plan"]).runs] == [[e]]
    finish([e])
    assert not others_unfinished(made["plan"])


def test_last_advance_finishes_the_plan_and_records_its_events(database):
    made = make_dag_plan([nop(), nop()])
    launch(made["plan"])
    advance_plan(made["plan"])
    finish(made["actions"][:1])
    finish(made["actions"][1:], "SKIPPED")
    assert advance_plan(made["plan"]).plan_state == "SUCCEEDED"
    assert plan_state(made["plan"]) == ("SUCCEEDED", "One or more actions were skipped.")
    with session_scope() as session:
        types = [
            e.payload["event_type"]
            for e in session.scalars(select(Event).order_by(Event.id))
            if e.payload["payload"]["watcher_object.data"]["uuid"] == made["plan"]
        ]
    assert types == [
        "action_plan.update",
        "action_plan.execution.start",
        "action_plan.update",
        "action_plan.execution.end",
    ]


def test_a_failed_action_fails_the_plan(database):
    made = make_dag_plan([nop(), nop()])
    launch(made["plan"])
    advance_plan(made["plan"])
    finish(made["actions"][:1], "FAILED")
    finish(made["actions"][1:])
    assert advance_plan(made["plan"]).plan_state == "FAILED"
    assert plan_state(made["plan"]) == ("FAILED", "One or more actions failed.")

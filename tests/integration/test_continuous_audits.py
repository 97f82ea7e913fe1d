"""CONTINUOUS audits driven by a real celery beat process and a real worker.

Beat ticks every second (``WATCHER_CONTINUOUS_AUDIT_INTERVAL=1``); the audits run every 2 s.
Suspend and resume go through ``states.transition`` as the operator (the API's PATCH calls
the same function).
"""

from __future__ import annotations

import time

import pytest
from sqlalchemy import select

from harness.processes import Service, wait_for
from tests.support.client import ApiClient
from watcher_celery.db import ActionPlan, Audit, session_scope
from watcher_celery.states import Actor, AuditState, transition

pytestmark = pytest.mark.integration


@pytest.fixture()
def beat(service_env, log_dir, worker):
    env = {**service_env, "WATCHER_CONTINUOUS_AUDIT_INTERVAL": "1"}
    started = [Service("beat", env, log_dir)]

    class Beat:
        def restart(self) -> None:
            started[-1].stop()
            started.append(Service("beat", env, log_dir))

        def log(self) -> str:
            return started[-1].log()

    yield Beat()
    started[-1].stop()


def _plans(audit_uuid: str) -> list[tuple[str, str]]:
    with session_scope() as session:
        audit = session.scalars(select(Audit).where(Audit.uuid == audit_uuid)).one()
        rows = session.scalars(
            select(ActionPlan).where(ActionPlan.audit_id == audit.id).order_by(ActionPlan.id)
        )
        return [(p.uuid, p.state) for p in rows]


def _audit(audit_uuid: str) -> Audit:
    with session_scope() as session:
        return session.scalars(select(Audit).where(Audit.uuid == audit_uuid)).one()


def _set_state(audit_uuid: str, state: str) -> None:
    with session_scope() as session:
        transition(session, Audit, audit_uuid, state, Actor.OPERATOR)


def test_beat_runs_a_continuous_audit_until_suspended_and_again_after_resume(api, beat):
    client = ApiClient(api)
    created = client.post(
        "/v1/audits",
        {"audit_type": "CONTINUOUS", "goal": "dummy", "interval": "2", "force": True},
    )
    assert created.status_code == 201, created.text
    uuid = created.json()["uuid"]

    # Then runs follow each other: the newest plan RECOMMENDED, every older one CANCELLED
    try:
        wait_for(lambda: len(_plans(uuid)) >= 3, 60, "three runs")
    except TimeoutError:
        row = _audit(uuid)
        raise AssertionError(
            f"audit {row.state} {row.status_message!r} next {row.next_run_time} "
            f"running {row.run_started_at}; plans {_plans(uuid)}\n{beat.log()[-3000:]}"
        ) from None
    plans = _plans(uuid)
    states = [state for _, state in plans]
    assert states[-1] == "RECOMMENDED"
    assert set(states[:-1]) == {"CANCELLED"}
    audit = _audit(uuid)
    assert audit.state == "ONGOING"
    assert audit.next_run_time is not None

    # When the operator suspends it, Then no further run happens
    _set_state(uuid, AuditState.SUSPENDED)
    # a run claimed just before the suspension may still finish; a queued one will skip
    wait_for(lambda: _audit(uuid).run_started_at is None, 60, "the run in progress to end")
    count = len(_plans(uuid))
    time.sleep(4)
    assert len(_plans(uuid)) == count
    assert _audit(uuid).state == "SUSPENDED"

    # When beat restarts and the audit is resumed, Then runs start again from the table
    beat.restart()
    _set_state(uuid, AuditState.ONGOING)
    wait_for(lambda: len(_plans(uuid)) > count, 60, "a run after resume")
    assert [s for _, s in _plans(uuid)].count("RECOMMENDED") == 1

"""Fixtures for the applier on real workers: a private queue, a short lease, plans by DAG
(``harness.rows.make_dag_plan``).

Plans are written straight to the database (the planner's output), launched with the real
``launch_action_plan`` task on Redis, and observed through the database and the events the
applier publishes.
"""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field

import pytest
import redis
from sqlalchemy import select

from harness.processes import start_worker, wait_for
from harness.rows import plan_state
from tests.conftest import REDIS_URL, RUN_ID
from watcher_celery.db import (
    Action,
    ActionExecution,
    session_scope,
)
from watcher_celery.queues import APPLIER, queue_name

LEASE = 2
ANY_STRATEGY = "test-any-rule"


@pytest.fixture(scope="module")
def applier_env(service_env) -> dict[str, str]:
    suffix = uuid.uuid4().hex[:6]
    return {
        **service_env,
        "WATCHER_TASK_QUEUE": f"watcher-applier-{RUN_ID}-{suffix}",
        "WATCHER_APPLIER_LEASE": str(LEASE),
        "WATCHER_EVENTS_CHANNEL": f"watcher.events.{RUN_ID}.{suffix}",
        "WATCHER_ACTION_EXECUTION_RULES": json.dumps({ANY_STRATEGY: "ANY"}),
        "WATCHER_ROLLBACK_WHEN_PLAN_FAILED": "true",
    }


@pytest.fixture(scope="module")
def applier_worker(applier_env, log_dir):
    service = start_worker(applier_env, log_dir)
    yield service
    service.stop()


@dataclass
class EventTap:
    """Collects the events published on the channel, from a background subscriber."""

    channel: str
    received: list[dict] = field(default_factory=list)

    def start(self) -> None:
        self._client = redis.Redis.from_url(REDIS_URL)  # kept: its pool backs the pubsub
        self._pubsub = self._client.pubsub()
        self._pubsub.subscribe(self.channel)
        self._pubsub.get_message(timeout=5)  # the subscribe confirmation
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._thread.start()

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                message = self._pubsub.get_message(timeout=0.2)
            except redis.ConnectionError:
                return  # closed while stopping
            if message and message["type"] == "message":
                self.received.append(json.loads(message["data"]))

    def stop(self) -> None:
        self._stop.set()
        self._thread.join(5)
        self._pubsub.close()

    def for_object(self, uuid_: str) -> list[str]:
        return [
            e["event_type"]
            for e in self.received
            if e["payload"]["watcher_object.data"]["uuid"] == uuid_
        ]


@pytest.fixture()
def events(applier_env) -> Iterator[EventTap]:
    tap = EventTap(applier_env["WATCHER_EVENTS_CHANNEL"])
    tap.start()
    yield tap
    tap.stop()


def send(env: dict[str, str], task, *args) -> None:
    """Send a task to the workers of ``env`` on their broker, whatever broker this process's
    Celery app read from the environment when something first touched it."""
    with task.app.connection_for_write(env["WATCHER_BROKER_URL"]) as connection:
        queue = queue_name(env["WATCHER_TASK_QUEUE"], APPLIER)
        task.apply_async(args, queue=queue, connection=connection)


def launch(env: dict[str, str], plan_uuid: str) -> None:
    from watcher_celery.applier.tasks import launch_action_plan

    send(env, launch_action_plan, plan_uuid)


def actions_of(uuids: list[str]) -> list[Action]:
    with session_scope() as session:
        rows = {a.uuid: a for a in session.scalars(select(Action).where(Action.uuid.in_(uuids)))}
        return [rows[u] for u in uuids]


def executions(uuids: list[str]) -> dict[str, ActionExecution]:
    with session_scope() as session:
        rows = session.scalars(
            select(ActionExecution).where(ActionExecution.action_uuid.in_(uuids))
        )
        return {r.action_uuid: r for r in rows}


def wait_plan(plan_uuid: str, states=("SUCCEEDED", "FAILED", "CANCELLED"), timeout=60) -> str:
    return wait_for(
        lambda: plan_state(plan_uuid)[0] in states and plan_state(plan_uuid)[0],
        timeout,
        f"plan {plan_uuid} to reach {states}",
    )


def wait_rolled_back(plan_uuid: str, timeout: float = 30) -> str:
    """A failed plan's rollback runs after it turned FAILED; it ends by saying so."""
    return wait_for(
        lambda: "were reverted" in (plan_state(plan_uuid)[1] or "") and plan_state(plan_uuid)[1],
        timeout,
        f"plan {plan_uuid} to be rolled back",
    )


def wait_action(action_uuid: str, state: str, timeout: float = 30) -> None:
    wait_for(
        lambda: actions_of([action_uuid])[0].state == state,
        timeout,
        f"action {action_uuid} to be {state}",
        interval=0.05,
    )


def settle(seconds: float = 0.3) -> None:
    """Let events published just after the final commit reach the subscriber."""
    time.sleep(seconds)

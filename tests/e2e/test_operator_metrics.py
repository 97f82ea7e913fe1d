"""/healthz, /readyz and /metrics on a real API, worker and beat; the Grafana dashboard asks
only for metrics /metrics serves."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest
from prometheus_client.parser import text_string_to_metric_families

from alembic import command
from harness.processes import ROOT, free_port, start_api, wait_for
from tests.support.client import ApiClient
from tests.support.operator_stack import ONE_PROCESS
from watcher_celery.api.health import head_revisions
from watcher_celery.db.session import make_engine
from watcher_celery.migrate import alembic_config

pytestmark = pytest.mark.integration
DASHBOARD = ROOT / "docs" / "grafana" / "watcher-celery.json"


def scrape(client: ApiClient) -> dict[tuple, float]:
    """``{(sample name, sorted labels): value}`` from the text exposition."""
    answer = client.get("/metrics")
    assert answer.status_code == 200, answer.text
    assert answer.headers["Content-Type"].startswith("text/plain")
    samples = {}
    for family in text_string_to_metric_families(answer.text):
        for sample in family.samples:
            samples[(sample.name, tuple(sorted(sample.labels.items())))] = sample.value
    return samples


def value(samples: dict, name: str, **labels: str) -> float:
    return samples.get((name, tuple(sorted(labels.items()))), 0.0)


def quietest_host(client: ApiClient) -> str:
    """The enabled host holding the fewest instances (at least one): the others take them."""
    rows = client.get("/v1/data_model", headers={"OpenStack-API-Version": "infra-optim 1.3"})
    counts: dict[str, int] = {}
    for row in rows.json()["context"]:
        if row.get("server_uuid") and row.get("node_status", "enabled") == "enabled":
            counts[row["node_hostname"]] = counts.get(row["node_hostname"], 0) + 1
    return min(counts, key=counts.get)


def _run_plan(client: ApiClient) -> tuple[str, list[dict]]:
    created = client.post(
        "/v1/audits",
        {
            "audit_type": "ONESHOT",
            "goal": "cluster_maintaining",
            "strategy": "host_maintenance",
            "parameters": {"maintenance_node": quietest_host(client)},
        },
    )
    assert created.status_code == 201, created.text
    audit = created.json()["uuid"]
    client.wait_state(f"/v1/audits/{audit}", {"SUCCEEDED"}, timeout=120)
    plan = client.get(f"/v1/action_plans?audit_uuid={audit}").json()["action_plans"][0]["uuid"]
    actions = client.get(f"/v1/actions/detail?action_plan_uuid={plan}").json()["actions"]
    return plan, actions


def test_health_and_readiness_answer_without_credentials(ops):
    client = ApiClient(ops.api)
    assert client.get("/healthz").json() == {"status": "ok"}
    ready = client.get("/readyz")
    assert ready.status_code == 200 and ready.json() == {"status": "ready"}


def test_metrics_count_what_a_plan_did_and_the_dashboard_uses_only_served_metrics(ops):
    client = ApiClient(ops.api)
    before = scrape(client)

    # When an audit runs and its plan is applied
    plan, actions = _run_plan(client)
    migrations = [a for a in actions if a["action_type"] == "migrate"]
    assert migrations
    assert client.post(f"/v1/action_plans/{plan}/start").status_code == 200
    ended = client.wait_state(f"/v1/action_plans/{plan}", {"SUCCEEDED", "FAILED"}, timeout=180)
    assert ended["state"] == "SUCCEEDED", ended

    def observed():
        now = scrape(client)
        done = value(now, "watcher_action_plan_duration_seconds_count", state="SUCCEEDED")
        return now if done > value(before, "watcher_action_plan_duration_seconds_count",
                                   state="SUCCEEDED") else None  # fmt: skip

    after = wait_for(observed, 30, "the plan's duration to be observed", interval=0.5)

    def grew(name: str, **labels: str) -> float:
        return value(after, name, **labels) - value(before, name, **labels)

    # Then every migration was timed, counted by type and state, and none is in flight
    ok = {"action_type": "migrate", "outcome": "SUCCEEDED"}
    assert grew("watcher_action_duration_seconds_count", **ok) == len(migrations)
    assert grew("watcher_actions", action_type="migrate", state="SUCCEEDED") == len(migrations)
    assert value(after, "watcher_migrations_in_flight") == 0
    # And the audit and its strategy were timed, and counted by state and strategy
    audit_ok = {"strategy": "host_maintenance", "state": "SUCCEEDED"}
    assert grew("watcher_audit_duration_seconds_count", **audit_ok) == 1
    assert grew("watcher_strategy_duration_seconds_count", strategy="host_maintenance") == 1
    assert grew("watcher_audits", **audit_ok) == 1
    # And the queues and the heartbeats are there
    queues = {dict(labels)["queue"] for name, labels in after if name == "watcher_queue_depth"}
    assert {q.rsplit(".", 1)[1] for q in queues} == {"decision-engine", "applier", "housekeeping"}
    beating = {dict(labels)["service"] for name, labels in after
               if name == "watcher_heartbeat_age_seconds"}  # fmt: skip
    assert {"watcher-applier", "watcher-decision-engine", "watcher-beat"} <= beating

    # And every metric the Grafana dashboard queries is one /metrics serves
    served = {name for name, _ in after}
    exprs = [t["expr"] for p in json.loads(DASHBOARD.read_text())["panels"] for t in p["targets"]]
    asked = {m for e in exprs for m in re.findall(r"\bwatcher_[a-z_]+\b", e)}
    assert asked and asked <= served, sorted(asked - served)
    families = {n for n in served if n.startswith("watcher_")}
    stems = {re.sub(r"_(bucket|count|sum)$", "", n) for n in asked}
    assert {re.sub(r"_(bucket|count|sum|created)$", "", n) for n in families} <= stems


def test_readiness_says_why_when_the_broker_is_down(ops):
    # Given an API of the same deployment whose broker URL points at a closed port
    env = {**ops.env, **ONE_PROCESS, "WATCHER_BROKER_URL": f"redis://127.0.0.1:{free_port()}/0"}
    service, base = start_api(env, Path(ops.worker.log_path).parent)
    try:
        answer = ApiClient(base).get("/readyz")
        # Then it is alive but not ready, and says what is missing
        assert ApiClient(base).get("/healthz").status_code == 200
        assert answer.status_code == 503
        assert "broker unreachable" in answer.json()["reason"], answer.json()
    finally:
        service.stop()


def test_readiness_says_why_when_the_schema_is_behind(ops, tmp_path):
    # Given an API on a database migrated only to the revision before the newest
    url = f"sqlite:///{tmp_path}/behind.sqlite"
    engine = make_engine(url)
    with engine.begin() as connection:
        config = alembic_config()
        config.attributes["connection"] = connection
        command.upgrade(config, "0006_outbox")
    engine.dispose()
    env = {**ops.env, **ONE_PROCESS, "WATCHER_DATABASE_URL": url}
    service, base = start_api(env, Path(ops.worker.log_path).parent)
    try:
        answer = ApiClient(base).get("/readyz")
        # Then it is not ready, and says which revision it has and which it needs
        assert answer.status_code == 503
        reason = answer.json()["reason"]
        assert "database schema at 0006_outbox" in reason and "watcher-celery migrate" in reason
        assert sorted(head_revisions())[0] in reason
    finally:
        service.stop()

"""build_context: the configured cloud and datasource reach strategies, failures read clearly."""

from __future__ import annotations

from types import SimpleNamespace

import pytest

from harness.processes import free_port
from watcher_celery.cloud.factory import reset_cloud
from watcher_celery.config import reset_settings
from watcher_celery.datasources.simulated import SimulatedDatasource
from watcher_celery.decision_engine.context import build_context
from watcher_celery.errors import CloudError, DatasourceError
from watcher_celery.plugins import Solution, StrategyDefinition

AUDIT = SimpleNamespace(uuid="a-1", audit_type="ONESHOT", scope=[])


def strategy(models=(), metrics=()):
    return StrategyDefinition(
        name="probe", display_name="Probe", goal="dummy", execute=lambda ctx: Solution(),
        models=models, metrics=metrics,
    )  # fmt: skip


@pytest.fixture(autouse=True)
def env(monkeypatch, tmp_path):
    monkeypatch.setenv("WATCHER_SIM_PATH", str(tmp_path / "cloud.sqlite"))
    monkeypatch.setenv("WATCHER_SIM_HOSTS", "6")
    monkeypatch.setenv("WATCHER_SIM_INSTANCES", "30")
    for name in ("WATCHER_CLOUD", "WATCHER_DATASOURCES", "WATCHER_PROMETHEUS_URL"):
        monkeypatch.delenv(name, raising=False)
    reset_settings()
    reset_cloud()
    yield monkeypatch
    reset_settings()
    reset_cloud()


def test_dummy_strategies_get_no_cluster_data():
    ctx = build_context(AUDIT, strategy(), {})
    assert ctx.model is None and ctx.metrics is None


def test_strategy_needing_data_gets_the_scoped_model_and_simulated_metrics():
    audit = SimpleNamespace(**{**vars(AUDIT), "scope": [
        {"availability_zones": [{"name": "az1"}]}]})  # fmt: skip
    ctx = build_context(audit, strategy(("compute",), ("host_cpu_usage",)), {"x": 1})
    assert len(ctx.model.nodes) == 6 and len(ctx.model.instances) == 30
    assert isinstance(ctx.metrics, SimulatedDatasource)
    node = next(iter(ctx.model.nodes.values()))
    assert 0.0 < ctx.metrics.host_metric(node, "host_cpu_usage") <= 100.0
    assert ctx.parameters == {"x": 1}


def test_metrics_only_strategy_gets_the_compute_model():
    ctx = build_context(AUDIT, strategy((), ("instance_cpu_usage",)), {})
    assert len(ctx.model.instances) == 30


def test_unreachable_prometheus_fails_with_its_url(env):
    port = free_port()
    env.setenv("WATCHER_DATASOURCES", "prometheus")
    env.setenv("WATCHER_PROMETHEUS_URL", f"http://127.0.0.1:{port}")
    reset_settings()
    with pytest.raises(DatasourceError, match=f"127.0.0.1:{port} cannot be reached"):
        build_context(AUDIT, strategy(("compute",), ("host_cpu_usage",)), {})


def test_no_datasource_for_the_metrics_says_which(env):
    env.setenv("WATCHER_DATASOURCES", "prometheus")
    reset_settings()
    with pytest.raises(DatasourceError, match="No datasource provides the metrics host_power"):
        build_context(AUDIT, strategy(("compute",), ("host_power",)), {})


def test_unknown_cloud_fails_clearly(env):
    env.setenv("WATCHER_CLOUD", "nowhere")
    reset_settings()
    # Refused when the settings are read, before any cloud is opened.
    with pytest.raises(CloudError, match="WATCHER_CLOUD='nowhere': expected one of simulated"):
        build_context(AUDIT, strategy(("compute",)), {})


def test_failed_migration_sources_come_from_earlier_plans_of_a_continuous_audit(database):
    # Given a continuous audit whose earlier plan has a FAILED and a SUCCEEDED migration
    from sqlalchemy import select

    from harness.rows import make_plan
    from watcher_celery.db import Action, ActionPlan, Audit, session_scope
    from watcher_celery.decision_engine.context import failed_migration_sources

    audit_uuid, plan_uuid, _ = make_plan(action_states=())
    with session_scope() as session:
        audit = session.scalars(select(Audit).where(Audit.uuid == audit_uuid)).one()
        audit.audit_type = "CONTINUOUS"
        plan_id = session.scalar(select(ActionPlan.id).where(ActionPlan.uuid == plan_uuid))
        for state, source in (("FAILED", "host-a"), ("SUCCEEDED", "host-b")):
            session.add(
                Action(
                    action_plan_id=plan_id,
                    action_type="migrate",
                    state=state,
                    input_parameters={"source_node": source, "migration_type": "live"},
                )
            )
        session.flush()
        continuous = SimpleNamespace(id=audit.id, audit_type="CONTINUOUS")
        oneshot = SimpleNamespace(id=audit.id, audit_type="ONESHOT")
    # Then only the failed migration's source is reported, and only for continuous audits
    assert failed_migration_sources(continuous) == {"host-a"}
    assert failed_migration_sources(oneshot) == frozenset()

"""Plugin loading: every built-in validates, and broken declarations fail at load time."""

from __future__ import annotations

import pytest

from watcher_celery.errors import PluginError
from watcher_celery.plugins import StrategyDefinition, hookspecs
from watcher_celery.plugins.manager import get_plugin_manager
from watcher_celery.plugins.parameters import validate
from watcher_celery.plugins.registry import Registry, get_registry

BUILT_IN_STRATEGIES = {
    "dummy",
    "dummy_with_resize",
    "dummy_with_scorer",
    "actuator",
    "basic",
    "vm_workload_consolidation",
    "workload_stabilization",
    "node_resource_consolidation",
    "host_maintenance",
    "workload_balance",
    "storage_capacity_balance",
    "uniform_airflow",
    "outlet_temperature",
    "saving_energy",
    "noisy_neighbor",
    "zone_migration",
}


def test_every_built_in_validates():
    registry = get_registry()
    registry.validate()
    assert BUILT_IN_STRATEGIES <= set(registry.strategies)
    assert len(registry.goals) == 10
    assert {"weight", "workload_stabilization", "node_resource_consolidation"} <= set(
        registry.planners
    )
    assert {"simulated", "prometheus"} <= set(registry.datasources)
    for strategy in registry.strategies.values():
        # defaults alone make a valid parameter set (actuator/host_maintenance need input)
        if strategy.name not in {"actuator", "host_maintenance"}:
            validate(strategy.parameters_schema, {})


def test_every_hookspec_is_documented_with_params_return_and_caller():
    for name in ("goals", "strategies", "planners", "actions", "datasources"):
        doc = getattr(hookspecs, f"watcher_{name}").__doc__
        assert ":return:" in doc and "firstresult" in doc and "Called from:" in doc, name
        assert get_plugin_manager().hook.__dict__.get(f"watcher_{name}") is not None


def _registry_with(strategy: StrategyDefinition) -> Registry:
    base = get_registry()
    return Registry(
        goals=base.goals,
        strategies={strategy.name: strategy},
        planners=base.planners,
        actions=base.actions,
        datasources=base.datasources,
    )


@pytest.mark.parametrize(
    "change, message",
    [
        ({"goal": "nope"}, "unknown goal"),
        ({"planner": "nope"}, "unknown planner"),
        ({"metrics": ("cpu_flux",)}, "unknown models"),
        ({"models": ("network",)}, "unknown models"),
        ({"parameters_schema": {"properties": {"x": {"type": "bogus"}}}}, "bad parameter"),
        (
            {"parameters_schema": {"properties": {"x": {"type": "integer", "default": "a"}}}},
            "defaults do not validate",
        ),
    ],
)
def test_a_broken_strategy_is_refused_at_load_time(change, message):
    fields = {"name": "broken", "display_name": "Broken", "goal": "dummy", "execute": print}
    with pytest.raises(PluginError, match=message):
        _registry_with(StrategyDefinition(**{**fields, **change})).validate()


def test_datasources_are_chosen_among_the_registered_plugins(tmp_path):
    # Given the simulated cloud and a configuration naming a datasource nobody registered
    from watcher_celery.cloud.simulated import SimulatedCloud
    from watcher_celery.config import Settings
    from watcher_celery.datasources.manager import build, configured_names
    from watcher_celery.datasources.simulated import SimulatedDatasource
    from watcher_celery.errors import DatasourceError

    with pytest.raises(DatasourceError, match="known: \\['prometheus', 'simulated'\\]"):
        configured_names(Settings(datasources="gnocchi,simulated"))
    # When the registered plugins build backends for this deployment
    cloud = SimulatedCloud.create(str(tmp_path / "cloud.sqlite"), hosts=2, instances=4)
    try:
        # Then the simulated plugin serves the simulated cloud and Prometheus, unconfigured, none
        assert isinstance(build("simulated", cloud, Settings()), SimulatedDatasource)
        assert build("prometheus", cloud, Settings(prometheus_url="")) is None
    finally:
        cloud.close()

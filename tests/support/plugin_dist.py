"""A third-party strategy plugin installed for test processes only, through ``PYTHONPATH``.

Writes a module and its ``.dist-info`` (metadata and entry points) into a directory; a process
with that directory on ``PYTHONPATH`` discovers the plugin exactly as it would a package
installed with pip, through the ``watcher_celery.strategies`` entry-point group.
"""

from __future__ import annotations

from pathlib import Path

MODULE = '''
"""Test plugin: a strategy declaring metrics and models, which solves nothing."""

from watcher_celery.plugins import Solution, StrategyDefinition, hookimpl


@hookimpl
def watcher_strategies():
    return [
        StrategyDefinition(
            name={name!r},
            display_name="Metrics probe",
            goal={goal!r},
            execute=lambda context: Solution(),
            models=("compute",),
            metrics={metrics!r},
        )
    ]
'''


def write_strategy_plugin(
    directory: Path, name: str, metrics: tuple[str, ...], goal: str = "dummy"
) -> Path:
    """Make ``directory`` hold an installed plugin registering strategy ``name``."""
    module = f"wc_plugin_{name}"
    directory.mkdir(parents=True, exist_ok=True)
    (directory / f"{module}.py").write_text(MODULE.format(name=name, goal=goal, metrics=metrics))
    info = directory / f"{module}-1.0.dist-info"
    info.mkdir(exist_ok=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {module}\nVersion: 1.0\n")
    (info / "entry_points.txt").write_text(f"[watcher_celery.strategies]\n{name} = {module}\n")
    return directory

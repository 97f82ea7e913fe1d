"""The shape of the house: no import loop, every import runs down the layers.

The layers are declared here, top first, and drawn in docs/architecture.md. Names on one line
are independent of each other: neither imports the other. Every import counts, including those
inside functions and under ``TYPE_CHECKING``. A module that takes part in an import must be
placed, so a new package is put somewhere on purpose.
"""

from __future__ import annotations

import textwrap
from pathlib import Path

from tests.support.import_graph import import_graph, imported_names, loops, unplaced, violations
from tests.support.import_graph import modules_under as modules

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ["watcher_celery", "strategies", "celeryconfig"]

LAYERS = [
    # entry points
    ["watcher_celery.cli", "watcher_celery.optimize"],
    ["watcher_celery.wsgi", "watcher_celery.devserver"],
    # services
    ["watcher_celery.api"],
    ["watcher_celery.housekeeping"],
    ["watcher_celery.applier", "watcher_celery.decision_engine"],
    # what the services stand on
    ["watcher_celery.celery_app", "celeryconfig", "strategies"],
    [
        "watcher_celery.datasources",
        "watcher_celery.heartbeat",
        "watcher_celery.dispatch",
        "watcher_celery.states",
        "watcher_celery.exposure",
        "watcher_celery.migrate",
        "watcher_celery.task_context",
    ],
    ["watcher_celery.metrics"],
    ["watcher_celery.events"],
    [
        "watcher_celery.cloud",
        "watcher_celery.plugins",
        "watcher_celery.outbox",
        "watcher_celery.forecast",
    ],
    ["watcher_celery.event_payloads", "watcher_celery.model", "watcher_celery.broker"],
    ["watcher_celery.db", "watcher_celery.settings_table"],
    ["watcher_celery.config", "watcher_celery.errors"],
    ["watcher_celery.settings_file", "watcher_celery.settings_types"],
    ["watcher_celery.queues", "watcher_celery.logcontext", "watcher_celery.subjects"],
]


def _listing(edges) -> str:
    return "\n".join(f"  {edge}" for edge in edges)


def test_the_house_has_no_import_loop():
    found = loops(import_graph(ROOT, PACKAGES))
    assert not found, "import loops:\n" + "\n\n".join(_listing(loop) for loop in found)


def test_every_module_that_imports_or_is_imported_has_a_layer():
    assert unplaced(import_graph(ROOT, PACKAGES), LAYERS) == []


def test_every_import_runs_down_the_layers():
    found = violations(import_graph(ROOT, PACKAGES), LAYERS)
    assert not found, "imports against the layers (see docs/architecture.md):\n" + _listing(found)


def test_benchmarks_and_their_harness_import_no_test_module():
    """Importing a test module may change the environment (tests/conftest.py fixes the test
    run's database and broker): what the benchmarks share with the tests is in harness/."""
    found = [
        f"{module} imports {name} ({path}:{line})"
        for module, path in modules(ROOT, ["bench", "harness"]).items()
        for name, line in imported_names(module, path)
        if name == "tests" or name.startswith("tests.")
    ]
    assert not found, "\n".join(found)


# --- the checker itself, on small packages written for the purpose ---------------------------


def _package(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text))
    return root


def test_a_loop_hidden_in_a_function_is_found(tmp_path):
    root = _package(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/a.py": "from pkg.b import B\n",
            "pkg/b.py": "def later():\n    from pkg import a\n",
            "pkg/c.py": "import pkg.a\n",
        },
    )
    found = loops(import_graph(root, ["pkg"]))
    assert [[str(e) for e in loop] for loop in found] == [
        [
            f"pkg.a -> pkg.b ({root / 'pkg/a.py'}:1)",
            f"pkg.b -> pkg.a ({root / 'pkg/b.py'}:2)",
        ]
    ]


def test_a_longer_loop_through_relative_imports_is_found(tmp_path):
    root = _package(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/sub/__init__.py": "from . import x\n",
            "pkg/sub/x.py": "from ..y import thing\n",
            "pkg/y.py": "from .z import other\n",
            "pkg/z.py": "from pkg.sub import x\n",
        },
    )
    (loop,) = loops(import_graph(root, ["pkg"]))
    assert {(e.importer, e.imported) for e in loop} == {
        ("pkg.sub.x", "pkg.y"),
        ("pkg.y", "pkg.z"),
        ("pkg.z", "pkg.sub.x"),
    }


def test_an_upward_import_under_type_checking_is_a_violation(tmp_path):
    root = _package(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/top.py": "from pkg.low import f\n",
            "pkg/low.py": (
                "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from pkg.top import T\n"
            ),
        },
    )
    layers = [["pkg.top"], ["pkg.low"]]
    assert [
        (e.importer, e.imported, e.line) for e in violations(import_graph(root, ["pkg"]), layers)
    ] == [("pkg.low", "pkg.top", 3)]


def test_names_of_one_layer_are_independent_but_a_package_may_import_itself(tmp_path):
    root = _package(
        tmp_path,
        {
            "pkg/__init__.py": "",
            "pkg/left/__init__.py": "from pkg.left import inner\n",
            "pkg/left/inner.py": "from pkg import right\n",
            "pkg/right.py": "",
        },
    )
    layers = [["pkg.left", "pkg.right"]]
    assert [(e.importer, e.imported) for e in violations(import_graph(root, ["pkg"]), layers)] == [
        ("pkg.left.inner", "pkg.right")
    ]


def test_a_module_outside_every_layer_is_reported(tmp_path):
    root = _package(
        tmp_path,
        {"pkg/__init__.py": "", "pkg/placed.py": "import pkg.stray\n", "pkg/stray.py": ""},
    )
    assert unplaced(import_graph(root, ["pkg"]), [["pkg.placed"]]) == ["pkg.stray"]

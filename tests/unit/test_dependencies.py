"""Every third-party package the code imports is declared in pyproject.toml.

An undeclared import works only while some other dependency happens to pull the package in;
the next release of that dependency breaks the install. Import names are mapped to their
distributions by the installed metadata (``packages_distributions``).
"""

from __future__ import annotations

import ast
import re
import sys
import tomllib
from importlib.metadata import packages_distributions
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
FIRST_PARTY = {"watcher_celery", "strategies", "celeryconfig", "tests", "bench", "harness"}
# Imported only inside the function that uses it, from the extra that provides it.
OPTIONAL = {"highspy": "test"}
# Run by the real-OpenStack tier's own venv (harness/realcloud/requirements.txt), not the suite's.
OTHER_VENV = {"harness/realcloud/serve_wsgi.py", "harness/realcloud/nova_virt/sized_fake.py"}
PROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]


def _name(requirement: str) -> str:
    """``celery[redis]>=5.7`` is the distribution ``celery``."""
    return re.sub(r"[-_.]+", "-", re.match(r"[A-Za-z0-9._-]+", requirement).group()).lower()


def _imports(paths: list[Path]) -> dict[str, str]:
    """Top-level module of every absolute import, with one place it is imported from."""
    found: dict[str, str] = {}
    for path in paths:
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                names = [node.module]
            else:
                continue
            for name in names:
                found.setdefault(name.split(".")[0], f"{path.relative_to(ROOT)}:{node.lineno}")
    return found


def _undeclared(paths: list[Path], declared: set[str]) -> list[str]:
    distributions = packages_distributions()
    missing = []
    for module, where in sorted(_imports(paths).items()):
        if module in sys.stdlib_module_names or module in FIRST_PARTY or module in OPTIONAL:
            continue
        providers = {_name(d) for d in distributions.get(module, [])}
        if not providers & declared:
            missing.append(f"{module} ({where}; distributions: {sorted(providers) or 'none'})")
    return missing


def _sources(*folders: str) -> list[Path]:
    found = (p for folder in folders for p in (ROOT / folder).rglob("*.py"))
    return sorted(p for p in found if str(p.relative_to(ROOT)) not in OTHER_VENV)


DEPENDENCIES = {_name(r) for r in PROJECT["dependencies"]}
TEST_DEPENDENCIES = DEPENDENCIES | {_name(r) for r in PROJECT["optional-dependencies"]["test"]}


@pytest.mark.parametrize(
    ("sources", "declared"),
    [
        (_sources("watcher_celery", "strategies") + [ROOT / "celeryconfig.py"], DEPENDENCIES),
        (_sources("alembic"), DEPENDENCIES),
        (_sources("tests", "bench", "harness"), TEST_DEPENDENCIES),
    ],
    ids=["service", "migrations", "tests-and-bench"],
)
def test_every_imported_package_is_declared(sources, declared):
    assert sources
    assert _undeclared(sources, declared) == []


def test_optional_imports_come_from_their_extra():
    for module, extra in OPTIONAL.items():
        extras = {_name(r) for r in PROJECT["optional-dependencies"][extra]}
        assert {_name(d) for d in packages_distributions()[module]} & extras


def test_an_undeclared_import_is_found():
    # The check itself: a module importing a package outside the declared set is reported.
    module = ROOT / "tests" / "unit" / "test_dependencies.py"
    assert _undeclared([module], {"pytest"}) == []
    assert _undeclared([ROOT / "watcher_celery" / "config.py"], {"pytest"}) != []

"""Only the state layer writes a state column: a scan of the source, so the rule stays.

``states.py`` owns every change of an audit's, an action plan's or an action's state (with its
event). Anywhere else in ``watcher_celery``, these are refused: an ``UPDATE`` (Core
``update(...)`` or ``query(...).update``) that sets ``state``; ``<object>.state = ...`` or
``setattr(<object>, "state", ...)`` in a module that uses the database models (the ORM would
flush it as an UPDATE); and SQL text that updates a state column.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import watcher_celery

PACKAGE = Path(watcher_celery.__file__).parent
STATE_LAYER = {PACKAGE / "states.py"}
UPDATE_SQL = re.compile(
    r"\bUPDATE\s+(audits|action_plans|actions)\b.*\bSET\b.*\bstate\b", re.I | re.S
)


def _sets_state(call: ast.Call) -> bool:
    if any(keyword.arg == "state" for keyword in call.keywords):
        return True
    return any(
        isinstance(arg, ast.Dict)
        and any(isinstance(k, ast.Constant) and k.value == "state" for k in arg.keys)
        for arg in call.args
    )


def _chain_calls(node: ast.AST) -> list[str]:
    """The names of the calls a method chain is built on: ``update(T).where(...)`` gives
    ``["where", "update"]``."""
    names = []
    while isinstance(node, ast.Call | ast.Attribute):
        if isinstance(node, ast.Call):
            func = node.func
            names.append(func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", ""))
            node = func.value if isinstance(func, ast.Attribute) else func
        else:
            node = node.value
    return names


def _uses_models(tree: ast.Module) -> bool:
    return any(
        isinstance(node, ast.ImportFrom) and (node.module or "").startswith("watcher_celery.db")
        for node in ast.walk(tree)
    )


def state_writes(source: str) -> list[int]:
    """The lines of ``source`` that write a state column directly."""
    tree = ast.parse(source)
    models = _uses_models(tree)
    lines = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute):
            method, below = node.func.attr, _chain_calls(node.func.value)
            if method == "values" and "update" in below and _sets_state(node):
                lines.append(node.lineno)
            elif method == "update" and "query" in below and _sets_state(node):
                lines.append(node.lineno)
        elif isinstance(node, ast.Call) and getattr(node.func, "id", "") == "setattr":
            name = node.args[1] if len(node.args) > 1 else None
            if models and isinstance(name, ast.Constant) and name.value == "state":
                lines.append(node.lineno)
        elif isinstance(node, ast.Assign | ast.AugAssign | ast.AnnAssign) and models:
            targets = node.targets if isinstance(node, ast.Assign) else [node.target]
            if any(isinstance(t, ast.Attribute) and t.attr == "state" for t in targets):
                lines.append(node.lineno)
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            if UPDATE_SQL.search(node.value):
                lines.append(node.lineno)
    return sorted(lines)


def test_no_module_outside_the_state_layer_writes_a_state_column():
    offenders = [
        f"{path.relative_to(PACKAGE.parent)}:{line}"
        for path in sorted(PACKAGE.rglob("*.py"))
        if path not in STATE_LAYER
        for line in state_writes(path.read_text())
    ]
    assert offenders == []


def test_the_scan_finds_the_state_layers_own_writes():
    # The state layer's UPDATEs are exactly what the scan must see elsewhere.
    assert len(state_writes((PACKAGE / "states.py").read_text())) == 2


def test_the_scan_finds_each_way_of_writing_a_state():
    imports = "from watcher_celery.db import Audit\n"
    written = [
        "session.execute(update(Audit).where(Audit.id == 1).values(state='FAILED'))",
        "session.execute(update(t).values({'state': 'FAILED', 'x': 1}))",
        "session.query(Audit).filter_by(id=1).update({'state': 'FAILED'})",
        "audit.state = 'FAILED'",
        "setattr(audit, 'state', 'FAILED')",
        "session.execute(text('UPDATE audits SET name = 1, state = 2'))",
    ]
    for statement in written:
        assert state_writes(imports + statement) == [2], statement
    untouched = [
        "session.execute(update(Audit).values(status_message='x'))",
        "data.update({'state': 'FAILED'})",
        "session.execute(select(Audit).where(Audit.state == 'FAILED'))",
        "session.add(Audit(state='PENDING'))",
    ]
    for statement in untouched:
        assert state_writes(imports + statement) == [], statement
    # A module without the database models may keep a state of its own (the cluster model)
    assert state_writes("node.state = 'down'") == []

"""How the commands show things: rich tables and trees for people, plain JSON for scripts."""

from __future__ import annotations

import json
from typing import Any

from rich.console import Console
from rich.table import Table
from rich.tree import Tree

STATE_STYLES = {
    "SUCCEEDED": "green",
    "FAILED": "red",
    "CANCELLED": "yellow",
    "ONGOING": "cyan",
    "CANCELLING": "yellow",
    "PENDING": "white",
    "RECOMMENDED": "blue",
    "SKIPPED": "dim",
}


def state(value: str | None) -> str:
    style = STATE_STYLES.get(value or "", "white")
    return f"[{style}]{value}[/{style}]"


def emit_json(console: Console, value: Any) -> None:
    console.print_json(json.dumps(value, default=str))


def action_label(action: dict) -> str:
    """``migrate instance=… compute-1 → compute-2`` with its state and short uuid."""
    params = action.get("input_parameters") or {}
    parts = [f"[bold]{action['action_type']}[/bold]"]
    if params.get("resource_id"):
        parts.append(f"{params['resource_id']}")
    source, destination = params.get("source_node"), params.get("destination_node")
    if source or destination:
        parts.append(f"{source or '?'} → {destination or '(scheduler)'}")
    elif params.get("resource_name"):
        parts.append(params["resource_name"])
    if params.get("state"):
        parts.append(f"to {params['state']}")
    return f"{state(action.get('state'))} {' '.join(parts)} [dim]{action['uuid'][:8]}[/dim]"


def plan_tree(plan: dict, actions: list[dict]) -> Tree:
    """The plan's DAG as a tree: each action under its first parent; an action with more
    parents says which others it waits for."""
    title = (
        f"Action plan [bold]{plan['uuid']}[/bold] {state(plan.get('state'))} "
        f"(audit {plan.get('audit_uuid', '?')[:8]}, strategy {plan.get('strategy_name', '?')})"
    )
    tree = Tree(title)
    by_uuid = {a["uuid"]: a for a in actions}
    children: dict[str, list[dict]] = {}
    roots = []
    for action in actions:
        parents = [p for p in action.get("parents") or [] if p in by_uuid]
        if parents:
            children.setdefault(parents[0], []).append(action)
        else:
            roots.append(action)

    def add(node: Tree, action: dict) -> None:
        extra = [p[:8] for p in (action.get("parents") or [])[1:]]
        note = f" [dim](also after {', '.join(extra)})[/dim]" if extra else ""
        branch = node.add(action_label(action) + note)
        for child in children.get(action["uuid"], []):
            add(branch, child)

    for root in roots:
        add(tree, root)
    return tree


def efficacy_table(plan: dict) -> Table:
    table = Table(title="Efficacy", show_edge=False)
    for column in ("indicator", "value", "unit"):
        table.add_column(column)
    for indicator in plan.get("efficacy_indicators") or []:
        table.add_row(
            indicator.get("description") or indicator.get("name", ""),
            f"{indicator.get('value')}",
            indicator.get("unit") or "",
        )
    for overall in plan.get("global_efficacy") or []:
        table.add_row(
            f"[bold]{overall.get('description') or overall.get('name')}[/bold]",
            f"{overall.get('value')}",
            overall.get("unit") or "",
        )
    return table


def objects_table(title: str, rows: list[dict], columns: tuple[str, ...]) -> Table:
    table = Table(title=title, show_edge=False)
    for column in columns:
        table.add_column(column)
    for row in rows:
        table.add_row(
            *(state(row.get(c)) if c == "state" else str(row.get(c) or "") for c in columns)
        )
    return table

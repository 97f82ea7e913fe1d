"""Every python-watcherclient command, in every output format, through a whole life-cycle.

Goals, strategies (list, show, state), scoring engines, services, the data model; an audit
template created, updated and deleted; ONESHOT audits of every built-in strategy, from a goal
or a template, and a CONTINUOUS one; every plan listed and shown with its actions; the dummy
plan started and run to SUCCEEDED, another cancelled; plans and audits deleted, after which
the plan's actions list is empty (upstream's life-cycle). An action is skipped (``action
update``) and a plan cancelled by ``actionplan update``. The ``dummy`` plan is shown in every
format, every other strategy's in table and JSON.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass, field

from tests.support.watcher_cli import LIST_FORMATS, SHOW_FORMATS, TERMINAL, WatcherCli

TABLE_AND_JSON = ("table", "json")


def _host(cli: WatcherCli) -> str:
    rows = cli.json("datamodel", "list")
    return rows[0]["Node Host Name"]


def strategy_audits(cli: WatcherCli) -> dict[str, list[str]]:
    """``audit create`` arguments for each built-in strategy."""
    nop = [{"action_type": "nop", "input_parameters": {"message": "from the CLI"}}]
    return {
        "dummy": ["-g", "dummy", "-s", "dummy"],
        "dummy_with_resize": ["-g", "dummy", "-s", "dummy_with_resize"],
        "dummy_with_scorer": ["-g", "dummy", "-s", "dummy_with_scorer"],
        "actuator": ["-g", "unclassified", "-s", "actuator", "-p", f"actions={json.dumps(nop)}"],
        "basic": ["-g", "server_consolidation", "-s", "basic"],
        "vm_workload_consolidation": [
            "-g",
            "server_consolidation",
            "-s",
            "vm_workload_consolidation",
        ],
        "node_resource_consolidation": [
            "-g",
            "server_consolidation",
            "-s",
            "node_resource_consolidation",
        ],
        "workload_stabilization": [
            "-g",
            "workload_balancing",
            "-s",
            "workload_stabilization",
            "-p",
            'thresholds={"instance_cpu_usage": 0.01}',
        ],
        "host_maintenance": [
            "-g",
            "cluster_maintaining",
            "-s",
            "host_maintenance",
            "-p",
            f"maintenance_node={_host(cli)}",
        ],
    }


@dataclass
class SweepRecord:
    """What the sweep saw: plans per strategy, and the commands it ran."""

    plans: dict[str, str] = field(default_factory=dict)
    actions: dict[str, int] = field(default_factory=dict)


def _catalogue(cli: WatcherCli) -> None:
    cli.every_format(LIST_FORMATS, "goal", "list")
    cli.every_format(SHOW_FORMATS, "goal", "show", "dummy")
    cli.every_format(LIST_FORMATS, "strategy", "list")
    cli.every_format(LIST_FORMATS, "strategy", "list", "--goal", "dummy")
    cli.every_format(SHOW_FORMATS, "strategy", "show", "dummy")
    cli.every_format(LIST_FORMATS, "strategy", "state", "dummy")
    engines = cli.every_format(LIST_FORMATS, "scoringengine", "list")
    assert "dummy_scorer" in engines["table"]
    cli.every_format(SHOW_FORMATS, "scoringengine", "show", "dummy_scorer")
    services = cli.json("service", "list")
    assert services, "the worker heartbeats"
    cli.every_format(LIST_FORMATS, "service", "list")
    cli.every_format(SHOW_FORMATS, "service", "show", str(services[0]["ID"]))
    cli.every_format(LIST_FORMATS, "datamodel", "list")


def _template(cli: WatcherCli, tag: str) -> dict:
    name = f"sweep-{tag}"
    created = cli.json("audittemplate", "create", name, "dummy", "-s", "dummy", "-d", "swept")
    assert created["Name"] == name and created["Audit Scope"] == []
    cli.every_format(LIST_FORMATS, "audittemplate", "list")
    cli.every_format(LIST_FORMATS, "audittemplate", "list", "--detail", "--goal", "dummy")
    cli.every_format(SHOW_FORMATS, "audittemplate", "show", name)
    updated = cli.json("audittemplate", "update", name, "replace", "description=updated")
    assert updated["Description"] == "updated"
    return created


def _plan_of(cli: WatcherCli, audit_uuid: str) -> dict:
    (plan,) = cli.json("actionplan", "list", "--audit", audit_uuid)
    return plan


def _show_plan(cli: WatcherCli, plan_uuid: str, list_formats, show_formats) -> list[dict]:
    cli.every_format(show_formats, "actionplan", "show", plan_uuid)
    cli.every_format(list_formats, "action", "list", "--action-plan", plan_uuid)
    cli.every_format(list_formats, "action", "list", "--action-plan", plan_uuid, "--detail")
    actions = cli.json("action", "list", "--action-plan", plan_uuid)
    for action in actions[:2]:
        cli.every_format(show_formats, "action", "show", action["UUID"])
    return actions


def sweep(cli: WatcherCli) -> SweepRecord:
    tag = uuid.uuid4().hex[:8]
    record = SweepRecord()
    _catalogue(cli)
    template = _template(cli, tag)

    # ONESHOT audits of every strategy (created together, then awaited)
    audits = {}
    for strategy, args in strategy_audits(cli).items():
        created = cli.json("audit", "create", "-t", "ONESHOT", "--force", *args)
        assert created["State"] == "PENDING" and created["Parameters"] is not None
        audits[strategy] = created["UUID"]
    from_template = cli.json("audit", "create", "-a", template["UUID"], "--name", f"tpl-{tag}")
    audits["template"] = from_template["UUID"]
    for strategy, audit_uuid in audits.items():
        done = cli.wait_state("audit", audit_uuid, TERMINAL, timeout=300)
        assert done["State"] == "SUCCEEDED", (strategy, done)
        cli.every_format(
            SHOW_FORMATS if strategy == "dummy" else TABLE_AND_JSON, "audit", "show", audit_uuid
        )
        plan = _plan_of(cli, audit_uuid)
        assert isinstance(plan["Global efficacy"], list)
        full = strategy in ("dummy", "template")
        cli.every_format(
            LIST_FORMATS if full else TABLE_AND_JSON, "actionplan", "list", "--audit", audit_uuid
        )
        actions = _show_plan(
            cli,
            plan["UUID"],
            LIST_FORMATS if full else TABLE_AND_JSON,
            SHOW_FORMATS if full else TABLE_AND_JSON,
        )
        record.plans[strategy] = plan["UUID"]
        record.actions[strategy] = len(actions)
    cli.every_format(LIST_FORMATS, "audit", "list")
    cli.every_format(LIST_FORMATS, "audit", "list", "--detail", "--goal", "dummy")
    cli.every_format(LIST_FORMATS, "actionplan", "list", "--detail")

    # CONTINUOUS: runs, recommends a plan, is suspended and deleted
    continuous = cli.json(
        "audit",
        "create",
        "-t",
        "CONTINUOUS",
        "-i",
        "3600",
        "-g",
        "dummy",
        "-s",
        "dummy",
        "--name",
        f"cont-{tag}",
    )
    cli.wait_state("audit", continuous["UUID"], {"ONGOING"})
    _plan_of(cli, continuous["UUID"])
    suspended = cli.json("audit", "update", continuous["UUID"], "replace", "state=SUSPENDED")
    assert suspended["State"] == "SUSPENDED"
    cli.run("audit", "delete", continuous["UUID"])

    # Start the dummy plan and run it; cancel the template's plan
    dummy_plan = record.plans["dummy"]
    started = cli.json("actionplan", "start", dummy_plan)
    assert started["State"] in {"PENDING", "ONGOING", "SUCCEEDED"}
    assert cli.wait_state("actionplan", dummy_plan, TERMINAL)["State"] == "SUCCEEDED"
    assert {a["State"] for a in cli.json("action", "list", "--action-plan", dummy_plan)} == {
        "SUCCEEDED"
    }
    cli.run("actionplan", "cancel", record.plans["template"])
    assert cli.json("actionplan", "show", record.plans["template"])["State"] == "CANCELLED"

    # Skip an action of a plan not started (microversion 1.5), then cancel that plan by PATCH
    resize_plan = record.plans["dummy_with_resize"]
    first = cli.json("action", "list", "--action-plan", resize_plan)[0]["UUID"]
    skipped = cli.json("action", "update", first, "--state", "SKIPPED", "--reason", "swept")
    assert skipped["State"] == "SKIPPED"
    assert skipped["Status Message"] == "Action skipped by user. Reason: swept"
    updated = cli.json("actionplan", "update", resize_plan, "replace", "state=CANCELLED")
    assert updated["State"] == "CANCELLED"

    # Deletes: plans, then their audits; a deleted plan's actions are an empty list
    for strategy in ("dummy", "template", "basic"):
        cli.run("actionplan", "delete", record.plans[strategy])
    assert cli.json("action", "list", "--action-plan", dummy_plan) == []
    for audit_uuid in audits.values():
        cli.run("audit", "delete", audit_uuid)
    cli.run("audittemplate", "delete", template["UUID"])
    return record

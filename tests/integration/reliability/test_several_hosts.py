"""Several hosts: the API, beat and four workers of mixed roles, each in a Linux network
namespace of its own, reach PostgreSQL and the broker over veth links the test makes.

50 audits (40 of the dummy goal, 10 host maintenances) and the 10 maintenance plans run
spread over the workers; the link of an applier host is cut while it runs a migration. Its
actions are taken over by another applier once their lease runs out, every plan ends
SUCCEEDED, and the simulated cloud (one SQLite file: a network namespace does not separate
files, so every host sees the same cloud) holds exactly one migration per migrated server.
Needs root; the counts are printed with the fault suite's (docs/reliability.md).
"""

from __future__ import annotations

import os
import time
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from functools import partial

import pytest
import requests

from harness.processes import wait_for
from tests.integration.reliability.checks import AUDIT, FORCE_VERSION, TERMINAL, tally
from tests.integration.reliability.hosts import Site
from tests.support.netns import Lab
from watcher_celery.cloud.simulated import SimulatedCloud

pytestmark = pytest.mark.timeout(600)

PREFIX = "wcnet"  # namespaces wcnet-<host>, links wcnet<n>h / wcnet<n>n
SUBNET = "10.213.77.0/24"  # one /30 per host, assigned here and used by nothing else
WORKERS = {
    "engine-1": "decision-engine",
    "applier-1": "applier",
    "applier-2": "applier",
    "all-1": "all",
}
CUT_CANDIDATES = ("applier-1", "applier-2")
CLOUD = {"seed": 11, "hosts": 24, "instances": 48, "op_seconds": 3.0}
PLANS = 10


@pytest.fixture()
def site(deployment, broker) -> Iterator[Site]:
    if os.geteuid() != 0:
        pytest.fail("the several-hosts test creates network namespaces: run it as root (CI does)")
    lab = Lab(PREFIX, SUBNET)
    lab.remove_leftovers()
    site = Site(deployment, lab, broker.port)
    try:
        yield site
    finally:
        deployment.stop()  # the processes first, then their hosts and links
        lab.remove()
        site.stop()


def _maintenance_pairs(cloud: SimulatedCloud) -> list[tuple[str, str]]:
    """(node to empty, backup node) for each plan: the busiest nodes whose servers are all
    active (each live-migrates) are emptied, each into one of the least loaded other nodes,
    all twenty distinct so no two plans touch the same node."""
    servers = cloud.instances()
    load = Counter(i.host for i in servers if i.host)
    other = {i.host for i in servers if i.state != "active"}
    nodes = sorted((n.hostname for n in cloud.compute_nodes()), key=lambda h: load[h])
    busy = [h for h in reversed(nodes) if load[h] and h not in other][:PLANS]
    spare = [h for h in nodes if h not in busy][:PLANS]
    return list(zip(busy, spare, strict=True))


def _post(base: str, headers: dict[str, str], path: str, body: dict | None = None):
    """One POST on a connection of its own: concurrent callers share no pooled connection."""
    return requests.post(f"{base}{path}", json=body, headers=headers, timeout=30)


def _audit(base: str, headers: dict[str, str], body: dict) -> str:
    response = _post(base, headers, "/v1/audits", body)
    assert response.status_code == 201, response.text
    return response.json()["uuid"]


def _running_migration_on(deploy, hosts: tuple[str, ...]) -> str | None:
    """An applier host running a migration now (ONGOING, its execution record unfinished)."""
    rows = deploy.rows(
        "SELECT split_part(e.worker, ':', 1) FROM actions a "
        "JOIN action_executions e ON e.action_uuid = a.uuid "
        "WHERE a.state = 'ONGOING' AND e.finished_at IS NULL AND a.action_type = 'migrate'"
    )
    return next((host for (host,) in rows if host in hosts), None)


def _held_by(deploy, host: str) -> list[str]:
    """Actions whose execution record names ``host`` and is not finished."""
    return [
        row[0]
        for row in deploy.rows(
            "SELECT action_uuid FROM action_executions WHERE finished_at IS NULL "
            "AND split_part(worker, ':', 1) = :h",
            h=host,
        )
    ]


def _workers(deploy, actions: list[str]) -> dict[str, str]:
    """Action → the host its execution record names (the last to run or take it over)."""
    return dict(
        deploy.rows(
            "SELECT action_uuid, split_part(worker, ':', 1) FROM action_executions "
            "WHERE action_uuid = ANY(:u)",
            u=actions,
        )
    )


def _failures(deploy, plans: list[str]) -> list:
    """What went wrong in plans that did not succeed: their actions' states and messages."""
    return deploy.rows(
        "SELECT p.uuid, p.state, a.action_type, a.state, a.input_parameters, a.status_message "
        "FROM actions a JOIN action_plans p ON p.id = a.action_plan_id "
        "WHERE p.uuid = ANY(:p) AND p.state != 'SUCCEEDED' ORDER BY p.id, a.id",
        p=plans,
    )


def _start_hosts(site: Site) -> tuple[str, dict[str, str]]:
    """API, beat and the workers, each on a host of its own; the API's URL and headers."""
    for name in ("api", "beat", *WORKERS):
        site.add_host(name)
    base, admin = site.api("api")
    beat = site.start("beat", "beat")
    workers = [site.start(name, "worker", WATCHER_WORKER_ROLE=r) for name, r in WORKERS.items()]
    beat.wait_for_log("beat: Starting", timeout=90)
    for worker in workers:
        worker.wait_for_log("ready.", timeout=90)
    return base, {**FORCE_VERSION, **admin}


def _count(deploy, sql: str, **params) -> dict[str, int]:
    """How many rows of a one-column query name each host."""
    return dict(Counter(row[0] for row in deploy.rows(sql, **params)))


def _waits(deploy) -> list:
    """The deployment's database sessions in a transaction or waiting for a lock."""
    return deploy.rows(
        "SELECT pid, state, wait_event_type, wait_event, now() - xact_start, left(query, 200) "
        "FROM pg_stat_activity WHERE datname = current_database() AND pid != pg_backend_pid() "
        "AND (xact_start IS NOT NULL OR wait_event_type = 'Lock')"
    )


def test_service_on_several_hosts_survives_a_cut_link(site, deployment):
    # Given one simulated cloud file, shared by every host
    cloud = SimulatedCloud.create(deployment.env["WATCHER_SIM_PATH"], **CLOUD)
    pairs = _maintenance_pairs(cloud)
    # And the API, beat and four workers, each on a host of its own
    base, headers = _start_hosts(site)

    # When 50 audits are POSTed at once: 40 of the dummy goal, 10 host maintenances
    maintenance = [
        {**AUDIT, "goal": "cluster_maintaining", "strategy": "host_maintenance",
         "parameters": {"maintenance_node": node, "backup_node": backup}}
        for node, backup in pairs
    ]  # fmt: skip
    bodies = [{**b, "name": f"audit-{n}"} for n, b in enumerate([AUDIT] * 40 + maintenance)]
    with ThreadPoolExecutor(10) as pool:
        audits = list(pool.map(lambda body: _audit(base, headers, body), bodies))
    deployment.wait_all_terminal("audits", audits, {"SUCCEEDED"}, timeout=180)
    audit_hosts = _count(deployment, "SELECT hostname FROM audits WHERE uuid = ANY(:u)", u=audits)
    plans = [
        row[0]
        for row in deployment.rows(
            "SELECT p.uuid FROM action_plans p JOIN audits a ON a.id = p.audit_id "
            "WHERE a.uuid = ANY(:u) AND p.state = 'RECOMMENDED'",
            u=audits[40:],
        )
    ]
    assert len(plans) == PLANS
    # And the 10 maintenance plans start together
    with ThreadPoolExecutor(PLANS) as pool:
        answers = pool.map(lambda p: _post(base, headers, f"/v1/action_plans/{p}/start"), plans)
        codes = [answer.status_code for answer in answers]
    assert codes == [200] * PLANS
    # And the link of an applier host is cut while it runs a migration
    running = partial(_running_migration_on, deployment, CUT_CANDIDATES)
    cut_host = wait_for(running, 90, "a migration on an applier host", interval=0.05)
    site.lab.cut(site.hosts[cut_host])
    cut_at = time.monotonic()
    time.sleep(1)  # a commit on its way when the link went down has landed by now
    held = _held_by(deployment, cut_host)
    assert held, f"{cut_host} finished its migration before the cut landed"

    # Then another host takes the held actions over once their lease has run out
    wait_for(lambda: cut_host not in _workers(deployment, held).values(), 120, "the takeover")
    taken_after = time.monotonic() - cut_at
    # And every plan ends, SUCCEEDED
    try:
        states = deployment.wait_all_terminal("action_plans", plans, TERMINAL, timeout=240)
    except AssertionError as stuck:
        raise AssertionError(f"{stuck}\nwaiting in PostgreSQL: {_waits(deployment)}") from None
    settled_after = time.monotonic() - cut_at
    # And the actions the cut host held were finished by the hosts that took them over
    finishers = _workers(deployment, held)
    held_states = [
        row[0] for row in deployment.rows("SELECT state FROM actions WHERE uuid = ANY(:u)", u=held)
    ]
    # And the simulated cloud ran each migration once
    moves = {
        server: (source, destination)
        for server, source, destination in deployment.rows(
            "SELECT a.input_parameters ->> 'resource_id', a.input_parameters ->> 'source_node', "
            "a.input_parameters ->> 'destination_node' FROM actions a "
            "JOIN action_plans p ON p.id = a.action_plan_id "
            "WHERE p.uuid = ANY(:p) AND a.action_type = 'migrate'",
            p=plans,
        )
    }
    cloud.wait_idle()
    in_cloud = Counter({uuid: len(cloud.migrations(uuid)) for uuid in moves})
    plan_hosts = _count(
        deployment, "SELECT hostname FROM action_plans WHERE uuid = ANY(:p)", p=plans
    )
    action_hosts = _count(
        deployment,
        "SELECT split_part(e.worker, ':', 1) FROM action_executions e JOIN actions a "
        "ON a.uuid = e.action_uuid JOIN action_plans p ON p.id = a.action_plan_id "
        "WHERE p.uuid = ANY(:p)",
        p=plans,
    )
    row = tally(deployment, "several hosts, an applier's link cut mid-plan", 1, audits, plans)
    row.update(
        {
            "audits by host": audit_hosts,
            "plans by host": plan_hosts,
            "actions finished by host": action_hosts,
            "cut host": cut_host,
            "actions it held": len(held),
            "taken over": sum(1 for uuid in held if finishers.get(uuid) != cut_host),
            "migrations": len(moves),
            "migrations in the cloud": sum(in_cloud.values()),
            "taken over after the cut (s)": round(taken_after, 1),
            "all ended after the cut (s)": round(settled_after, 1),
        }
    )
    print(row)
    assert (row["stuck"], row["sent twice"], row["half-written"]) == (0, 0, 0), row
    assert set(states.values()) == {"SUCCEEDED"}, _failures(deployment, plans)
    assert held_states == ["SUCCEEDED"] * len(held)
    assert row["taken over"] == len(held), finishers
    assert moves and set(in_cloud.values()) == {1}, in_cloud
    # And the work was spread: audits on both decision-engine hosts, plans and actions on
    # several appliers, nothing on a host without the role
    assert set(audit_hosts) == {"engine-1", "all-1"}, audit_hosts
    assert len(plan_hosts) >= 2 and set(plan_hosts) <= {"applier-1", "applier-2", "all-1"}
    assert len(action_hosts) >= 2 and set(action_hosts) <= {"applier-1", "applier-2", "all-1"}
    # And the cloud every host changed is the one this process reads: each server left its
    # node (for its backup node when the plan named one), each maintenance node is disabled
    now = {uuid: cloud.get_instance(uuid).host for uuid in moves}
    assert all(now[uuid] not in (source, None) for uuid, (source, _) in moves.items()), now
    assert all(now[uuid] == to for uuid, (_, to) in moves.items() if to), now
    disabled = {n.hostname for n in cloud.compute_nodes() if n.status == "disabled"}
    assert disabled == {node for node, _ in pairs}
    cloud.close()

"""Nova server groups on real Nova: what the service reads of them, and consolidation plans
that keep their rules, which real Nova's group filters then accept.

Groups are made through Nova's API (microversion 2.64) and their members booted with the
scheduler hint ``group``; a second project (a member's account) owns a group too, so the
adapter's ``all_projects`` read is shown. The audits run through the service's API and the
session's worker, and their plans are applied to real Nova, whose scheduler runs
``ServerGroupAntiAffinityFilter`` and ``ServerGroupAffinityFilter`` (Nova's defaults) on
every migration to a named host as well.
"""

from __future__ import annotations

import uuid
from types import SimpleNamespace

import pytest

from harness.plan_validator import problems
from harness.realcloud.view import CloudView
from tests.realcloud.actions import assert_settled, migrate, run_plan
from tests.realcloud.audits import apply_plan, audit_plan
from watcher_celery.decision_engine.collector import collect

NO_HOST = "No valid host was found. There are not enough hosts available."
# What Nova shows of a group from microversion 2.64 (``policies`` and ``metadata`` are gone).
FIELDS_2_64 = {"id", "name", "policy", "rules", "members", "project_id", "user_id"}


@pytest.fixture(scope="module")
def other_project(real_cloud, view) -> CloudView:
    """Nova as a member of another project (``sg-other``)."""
    account = real_cloud.keystone.create_user(f"sg-{uuid.uuid4().hex[:6]}", "sg-other")
    other = view.as_account(account)
    yield other
    other.close()


@pytest.fixture
def make_group(clean_cloud):
    """``make_group(owner, name, policy, rules=None)``: a server group, deleted after the test."""
    made = []

    def make(owner: CloudView, name: str, policy: str, rules: dict | None = None) -> dict:
        group = owner.create_server_group(name, policy, rules)
        made.append(group["id"])
        return group

    yield make
    for group_id in made:
        clean_cloud.delete_server_group(group_id)


def boot(owner: CloudView, group: dict, count: int, hosts=()) -> list[str]:
    """Boot ``count`` m1.small members of ``group``, one after the other (so each is scheduled
    seeing the ones before), on the given hosts when named."""
    hosts = list(hosts) or [None] * count
    return [
        owner.create_server(f"{group['name']}-{n}", "m1.small", host=hosts[n], group=group["id"])
        for n in range(count)
    ]


def host_of(view: CloudView, server_id: str) -> str:
    return view.server(server_id)["OS-EXT-SRV-ATTR:host"]


def test_groups_of_every_project_are_read_with_their_policy_and_members(
    clean_cloud, adapter, make_group, other_project
):
    # Given groups of each policy, members booted into them by Nova's scheduler, one group
    # owned by another project and one anti-affinity group with a rule and no member
    view = clean_cloud
    anti = make_group(view, "sg-anti", "anti-affinity")
    affinity = make_group(view, "sg-affinity", "affinity")
    soft_anti = make_group(view, "sg-soft-anti", "soft-anti-affinity")
    capped = make_group(view, "sg-capped", "anti-affinity", {"max_server_per_host": 2})
    theirs = make_group(other_project, "sg-theirs", "soft-affinity")
    members = {
        anti["id"]: boot(view, anti, 3),
        affinity["id"]: boot(view, affinity, 2),
        soft_anti["id"]: boot(view, soft_anti, 2),
        capped["id"]: [],
        theirs["id"]: boot(other_project, theirs, 2),
    }
    # Nova's scheduler kept the hard rules: three anti-affinity members on three hosts, the
    # affinity pair on one
    assert len({host_of(view, s) for s in members[anti["id"]]}) == 3
    assert len({host_of(view, s) for s in members[affinity["id"]]}) == 1

    # Nova's own answer at 2.64: one policy string, rules only where given (an int), members
    nova = view.server_groups()
    for group_id, booted in members.items():
        assert set(nova[group_id]) == FIELDS_2_64, nova[group_id]
        assert sorted(nova[group_id]["members"]) == sorted(booted)
    assert nova[capped["id"]]["rules"] == {"max_server_per_host": 2}
    assert nova[anti["id"]]["rules"] == nova[theirs["id"]]["rules"] == {}
    assert nova[theirs["id"]]["project_id"] != nova[anti["id"]]["project_id"]

    # When the service's adapter builds the model
    model = collect(adapter)

    # Then every group is there, every project's, with Nova's policy, members and project
    for group in (anti, affinity, soft_anti, capped, theirs):
        read = model.server_groups[group["id"]]
        assert (read.name, read.policy, read.project_id) == (
            group["name"],
            group["policy"],
            nova[group["id"]]["project_id"],
        )
        assert sorted(read.members) == sorted(members[group["id"]])
        for member in read.members:
            assert model.group_of(member) is read
            assert model.instances[member].project_id == read.project_id


# A cloud whose best consolidation breaks anti-affinity: seven m1.small would all fit on
# compute-2 or compute-3 alone, releasing two hosts, but the anti-affinity pair lives on
# compute-1 and compute-3 and the affinity pair pins compute-2. The best plan keeping the
# rules releases one host.
LAYOUT = {
    "anti": ["compute-1", "compute-3"],
    "affinity": ["compute-2", "compute-2"],
    "loose": ["compute-1", "compute-2", "compute-3"],
}
STRATEGIES = {
    "solver_consolidation": {"time_budget": 10},
    "basic": {},
}


def _layout(view: CloudView, make_group) -> dict[str, list[str]]:
    anti = make_group(view, "sg-audit-anti", "anti-affinity")
    affinity = make_group(view, "sg-audit-affinity", "affinity")
    servers = {
        "anti": boot(view, anti, 2, LAYOUT["anti"]),
        "affinity": boot(view, affinity, 2, LAYOUT["affinity"]),
        "loose": [view.create_server(f"sg-loose-{h}", "m1.small", host=h, wait=False)
                  for h in LAYOUT["loose"]],
    }  # fmt: skip
    for server in servers["loose"]:
        view.wait_server(server, "ACTIVE")
    return servers


def _fits_on_one_host(model, host: str) -> bool:
    free, used = model.free(host), model.used(host)
    kinds = ("vcpus", "memory", "disk")
    need = [sum(getattr(i, k) for i in model.instances.values()) for k in kinds]
    have = [free[0] + used.vcpus, free[1] + used.memory, free[2] + used.disk]
    return all(h >= n for h, n in zip(have, need, strict=True))


@pytest.mark.parametrize("strategy", sorted(STRATEGIES))
def test_a_consolidation_keeps_the_groups_and_real_nova_accepts_every_move(
    client, clean_cloud, adapter, make_group, strategy
):
    # Given the layout, and the model the service builds of it
    view = clean_cloud
    servers = _layout(view, make_group)
    model = collect(adapter)
    assert _fits_on_one_host(model, "compute-2") and _fits_on_one_host(model, "compute-3")

    # When the strategy plans a consolidation
    plan, actions = audit_plan(
        client,
        {"goal": "server_consolidation", "strategy": strategy,
         "parameters": STRATEGIES[strategy]},
    )  # fmt: skip

    # Then the plan releases one host, keeps the affinity pair where it is and passes the
    # independent plan check, server groups included
    migrations = [a["input_parameters"] for a in actions if a["action_type"] == "migrate"]
    released = {
        a["input_parameters"]["resource_name"]
        for a in actions
        if a["action_type"] == "change_nova_service_state"
        and a["input_parameters"]["state"] == "disabled"
    }
    indicators = {i["name"]: i["value"] for i in plan["efficacy_indicators"]}
    assert len(released) == indicators["released_compute_nodes_count"] == 1, actions
    assert not {m["resource_id"] for m in migrations} & set(servers["affinity"])
    replayed = SimpleNamespace(
        actions=[SimpleNamespace(action_type=a["action_type"],
                                 input_parameters=a["input_parameters"]) for a in actions]
    )  # fmt: skip
    assert problems(model, replayed) == []

    # and applied, real Nova accepts every migration: the plan succeeds, the released host
    # holds no server, the anti-affinity pair is on two hosts and the affinity pair unmoved
    apply_plan(client, plan)
    on = {s: host_of(view, s) for group in servers.values() for s in group}
    left = [s["id"] for s in view.servers() if s["OS-EXT-SRV-ATTR:host"] in released]
    assert left == [], on
    providers = view.providers()
    assert {view.usages(providers[host])["MEMORY_MB"] for host in released} == {0}
    assert len({on[s] for s in servers["anti"]}) == 2
    assert {on[s] for s in servers["affinity"]} == {"compute-2"}
    for params in migrations:
        assert_settled(view, params["resource_id"], f"!{params['source_node']}", "ACTIVE")
    assert {view.services()[host]["status"] for host in released} == {"disabled"}


def test_real_nova_refuses_moves_that_break_a_group(env, clean_cloud, make_group):
    # Given an anti-affinity pair on compute-1 and compute-2 and an affinity pair on compute-3
    view = clean_cloud
    anti_group = make_group(view, "sg-no-anti", "anti-affinity")
    anti = boot(view, anti_group, 2, ["compute-1", "compute-2"])
    affinity = boot(view, make_group(view, "sg-no-aff", "affinity"), 2, ["compute-3"] * 2)

    # When plans move an anti-affinity member onto the other's host (live, then cold), and an
    # affinity member anywhere Nova's scheduler likes
    cases = {
        "live onto the anti-affinity partner": migrate(anti[0], "compute-1", "live", "compute-2"),
        "cold onto the anti-affinity partner": migrate(anti[0], "compute-1", "cold", "compute-2"),
        "live away from the affinity partner": migrate(affinity[0], "compute-3", "live"),
    }
    said = {}
    for case, step in cases.items():
        made = run_plan(env, [step], f"refused: {case}")
        action = made["actions_rows"][0]
        # Then each action fails with Nova's reason and the server stays where it was, idle
        assert (made["state"], action.state) == ("FAILED", "FAILED"), case
        said[case] = action.status_message
        assert_settled(view, step[1]["resource_id"], step[1]["source_node"], "ACTIVE")
    # Nova's scheduler refuses a live migration before answering (400); it accepts the cold
    # one (202) and its conductor ends the migration in error
    assert NO_HOST in said["live onto the anti-affinity partner"], said
    assert NO_HOST in said["live away from the affinity partner"], said
    late = "ended error: No valid host was found. No valid host found for cold migrate"
    assert late in said["cold onto the anti-affinity partner"], said
    newest = view.migrations(anti[0])[-1]
    assert (newest["migration_type"], newest["status"]) == ("migration", "error")

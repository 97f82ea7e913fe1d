"""Server groups in the simulated cloud: seeded, read back, kept through JSON, and enforced by
its scheduler as Nova's filters enforce them."""

from __future__ import annotations

import pytest

from watcher_celery.cloud.sim.generate import generate
from watcher_celery.cloud.simulated import SimulatedCloud
from watcher_celery.decision_engine.collector import collect
from watcher_celery.errors import CloudError
from watcher_celery.model import ServerGroup


@pytest.fixture
def seeded(tmp_path):
    sim = SimulatedCloud.create(tmp_path / "g.sqlite", seed=5, hosts=60, instances=1200)
    sim.set_op_seconds(0.05)
    yield sim
    sim.close()


def test_generated_groups_follow_their_policy(seeded):
    groups = seeded.server_groups()
    instances = {i.uuid: i for i in seeded.instances()}
    assert len(groups) >= 10  # about one per 100 instances
    assert {g.policy for g in groups} == {
        "affinity", "anti-affinity", "soft-affinity", "soft-anti-affinity"
    }  # fmt: skip
    seen: set[str] = set()
    for group in groups:
        members = [instances[m] for m in group.members]
        assert members and {m.project_id for m in members} == {group.project_id}
        hosts = [m.host for m in members]
        if group.policy.endswith("anti-affinity"):
            assert len(set(hosts)) == len(hosts), group
        else:
            assert len(set(hosts)) == 1, group
        assert not seen & set(group.members)  # an instance is in one group at most
        seen |= set(group.members)
    assert any(len(g.members) > 1 for g in groups if g.policy == "anti-affinity")


def test_groups_are_drawn_from_the_seed():
    cluster = generate(5, 60, 1200)
    assert cluster.server_groups and cluster.server_group_members
    again, other = generate(5, 60, 1200), generate(6, 60, 1200)
    assert again.server_groups == cluster.server_groups
    assert again.server_group_members == cluster.server_group_members
    assert other.server_group_members != cluster.server_group_members


def test_the_collector_puts_the_groups_in_the_model(seeded):
    model = collect(seeded, [], ("compute",))
    groups = seeded.server_groups()
    assert set(model.server_groups) == {g.uuid for g in groups}
    member = groups[0].members[0]
    assert model.group_of(member).uuid == groups[0].uuid


def _two_hosts_apart(cloud: SimulatedCloud):
    active = [i for i in cloud.instances() if i.state == "active" and i.host]
    first = active[0]
    second = next(i for i in active if i.host != first.host)
    third = next(
        n.hostname for n in cloud.compute_nodes()
        if n.available and n.hostname not in (first.host, second.host)
    )  # fmt: skip
    return first, second, third


def test_the_scheduler_refuses_what_nova_filters_refuse(tmp_path):
    cloud = SimulatedCloud.create(tmp_path / "f.sqlite", seed=7, hosts=12, instances=60)
    cloud.set_op_seconds(0.05)
    first, second, third = _two_hosts_apart(cloud)
    cloud.add_server_group(
        ServerGroup("g-anti", "spread", "anti-affinity", (first.uuid, second.uuid))
    )
    # anti-affinity: not to the other member's host, anywhere else yes
    with pytest.raises(CloudError, match="server group policy"):
        cloud.live_migrate(first.uuid, second.host)
    cloud.live_migrate(first.uuid, third)
    cloud.wait_idle()
    assert cloud.get_instance(first.uuid).host == third
    # without a destination the scheduler never picks the other member's host
    cloud.live_migrate(second.uuid)
    cloud.wait_idle()
    assert cloud.get_instance(second.uuid).host != third
    cloud.close()


def test_an_affinity_member_cannot_leave_its_group_and_a_soft_one_can(tmp_path):
    cloud = SimulatedCloud.create(tmp_path / "a.sqlite", seed=7, hosts=12, instances=60)
    cloud.set_op_seconds(0.05)
    first, second, third = _two_hosts_apart(cloud)
    cloud.add_server_group(ServerGroup("g-aff", "pair", "affinity", (first.uuid,)))
    cloud.add_server_group(ServerGroup("g-soft", "pair", "soft-affinity", (second.uuid,)))
    with pytest.raises(CloudError, match="server group policy"):
        cloud.live_migrate(first.uuid, third)
    with pytest.raises(CloudError, match="No valid host"):
        cloud.live_migrate(first.uuid)
    cloud.live_migrate(second.uuid, third)  # a soft policy is a preference only
    cloud.wait_idle()
    assert cloud.get_instance(second.uuid).host == third
    cloud.close()


def test_groups_round_trip_through_json(seeded, tmp_path):
    exported = seeded.export_json()
    assert exported["server_groups"]
    replay = SimulatedCloud.from_json(tmp_path / "replay.sqlite", exported)
    assert replay.server_groups() == seeded.server_groups()
    replay.close()

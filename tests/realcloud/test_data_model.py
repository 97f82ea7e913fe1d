"""The service's openstacksdk adapter, logged in through Keystone, reads what Nova shows."""

from __future__ import annotations

from harness.realcloud.cloud import HOSTS
from watcher_celery.decision_engine.collector import collect


def test_openstacksdk_sees_three_hypervisors_of_different_sizes(view):
    hypervisors = {h["hypervisor_hostname"]: h for h in view.hypervisors()}
    assert set(hypervisors) >= {h.host for h in HOSTS}
    for host in HOSTS:
        assert hypervisors[host.host]["vcpus"] == host.vcpus
        assert hypervisors[host.host]["memory_mb"] == host.memory_mb
        assert hypervisors[host.host]["local_gb"] == host.local_gb
    assert len({h.memory_mb for h in HOSTS}) == len(HOSTS)


def test_data_model_matches_nova_and_placement(clean_cloud, adapter):
    # Given servers of three flavors on three hosts, one of them stopped, one host disabled
    view = clean_cloud
    small = view.create_server("dm-small", "m1.small", host="compute-1")
    medium = view.create_server("dm-medium", "m1.medium", host="compute-2")
    large = view.create_server("dm-large", "m1.large", host="compute-3")
    view.stop_server(large)
    view.set_service("compute-2", enabled=False)

    # When the service's adapter builds the compute model
    model = collect(adapter)

    # Then every hypervisor is a node with Placement's inventory and os-services' status
    providers = view.providers()
    services = view.services()
    hypervisors = {h["hypervisor_hostname"]: h for h in view.hypervisors()}
    assert set(model.nodes) == set(hypervisors)
    for name, node in model.nodes.items():
        inventory = view.inventories(providers[name])
        assert node.uuid == hypervisors[name]["id"]
        assert (node.vcpus, node.memory, node.disk) == (
            inventory["VCPU"]["total"],
            inventory["MEMORY_MB"]["total"],
            inventory["DISK_GB"]["total"],
        )
        assert (node.vcpu_reserved, node.memory_mb_reserved, node.disk_gb_reserved) == (
            inventory["VCPU"]["reserved"],
            inventory["MEMORY_MB"]["reserved"],
            inventory["DISK_GB"]["reserved"],
        )
        assert (node.vcpu_ratio, node.memory_ratio, node.disk_ratio) == (
            inventory["VCPU"]["allocation_ratio"],
            inventory["MEMORY_MB"]["allocation_ratio"],
            inventory["DISK_GB"]["allocation_ratio"],
        )
        assert (node.status, node.state) == (services[name]["status"], services[name]["state"])
        # and what the model counts as used is what Placement has allocated there
        usages = view.usages(providers[name])
        used = model.used(name)
        assert (used.vcpus, used.memory, used.disk) == (
            usages["VCPU"],
            usages["MEMORY_MB"],
            usages["DISK_GB"],
        )
    assert model.nodes["compute-2"].status == "disabled"
    assert model.nodes["compute-2"].disabled_reason == "set by a test"

    # and every server is an instance on its Nova host with its flavor and state
    expected = {small: ("compute-1", "m1.small"), medium: ("compute-2", "m1.medium")}
    expected[large] = ("compute-3", "m1.large")
    assert set(model.instances) == set(expected)
    for server_id, (host, flavor) in expected.items():
        server = view.server(server_id)
        instance = model.instances[server_id]
        assert instance.host == server["OS-EXT-SRV-ATTR:host"] == host
        assert instance.flavor_name == flavor
        assert (instance.vcpus, instance.memory, instance.disk) == (
            server["flavor"]["vcpus"],
            server["flavor"]["ram"],
            server["flavor"]["disk"],
        )
        assert instance.state == server["OS-EXT-STS:vm_state"]
        assert instance.project_id == server["tenant_id"]
    assert model.instances[large].state == "stopped"

"""A fake Nova hypervisor whose size each compute host sets in its own configuration.

Installed into ``nova/virt/`` of ``.venv-openstack`` by ``make openstack-venv`` (Nova loads
``compute_driver = sized_fake.SizedFakeDriver`` as ``nova.virt.sized_fake``); never imported
by the suite. Nova's ``FakeDriver`` claims 1000 vCPUs and 800 GB of RAM on every host; a
consolidation or a no-valid-host failure needs hosts of different, realistic sizes::

    [sized_fake]
    vcpus = 8
    memory_mb = 16384
    local_gb = 200

It builds on ``FakeDriverWithoutFakeNodes``: one node named after the host with a stable
node uuid in ``state_path``, so a compute restarts on the same database.
"""

from nova.virt import fake
from oslo_config import cfg

CONF = cfg.CONF
CONF.register_opts(
    [
        cfg.IntOpt("vcpus", default=8, min=1),
        cfg.IntOpt("memory_mb", default=16384, min=1),
        cfg.IntOpt("local_gb", default=200, min=1),
    ],
    group="sized_fake",
)


class SizedFakeDriver(fake.FakeDriverWithoutFakeNodes):
    """``FakeDriverWithoutFakeNodes`` with the ``[sized_fake]`` capacities."""

    def __init__(self, virtapi, read_only=False):
        # FakeDriver sizes its resources from these attributes in __init__.
        self.vcpus = CONF.sized_fake.vcpus
        self.memory_mb = CONF.sized_fake.memory_mb
        self.local_gb = CONF.sized_fake.local_gb
        super().__init__(virtapi, read_only)

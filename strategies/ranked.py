"""Placing instances on hosts in an order of preference (coolest, least airflow, least loaded).

The threshold strategies (outlet_temperature, uniform_airflow, workload_balance, noisy_neighbor)
send instances to the *most preferred* host that can take them. A :class:`Packer` keyed on the
host's rank does that without a scan per instance: the ``probe`` best-ranked hosts are checked
first, then windows further down the ranking, so a placement costs O(log n + probe) and
follows the preference closely (exactly among the best ``probe``). Capacity (vCPU, memory,
disk) is tracked by the packer; zones are asked of pinned instances
(``strategies.feasibility``). Tentative placements can be rolled back (all-or-nothing).
"""

from __future__ import annotations

from collections.abc import Iterable

from strategies.feasibility import accepts
from strategies.packing import Packer
from watcher_celery.decision_engine.model import ClusterModel, Instance


def ranked_packer(model: ClusterModel, preferred: Iterable[str]) -> Packer:
    """Candidate hosts, best first; only up and enabled ones are kept."""
    free = {}
    for rank, hostname in enumerate(preferred):
        if model.nodes[hostname].available:
            free[hostname] = (float(rank), *model.free(hostname))
    return Packer(free, key=0)


def demand(instance: Instance) -> tuple[float, float, float, float]:
    return (0.0, float(instance.vcpus), float(instance.memory), float(instance.disk))


def place(model: ClusterModel, packer: Packer, instance: Instance) -> str | None:
    """Tentatively place ``instance`` on the best-ranked host that can take it."""
    accept = accepts(model, instance) if instance.pinned_az else None
    return packer.place(demand(instance), exclude=instance.host, accept=accept)

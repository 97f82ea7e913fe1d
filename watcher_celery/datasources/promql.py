"""PromQL for watcher metrics: upstream's query per resource and the same query for many.

Each Prometheus-served watcher metric is one :class:`MetricQuery`: the label naming its
resource (the host's fqdn label or the instance label) and a template filled with a label
*selector*. Upstream's query for one resource is the template with ``label='value'``; the
batched query is the same template with ``label=~"v1|v2|..."``, and since every template
keeps the resource label in its result (``by (label)`` or a label-preserving function), one
answer holds one sample per resource. Only what upstream computes from the model per resource
(``100/<vcpus>`` for instance CPU) moves out of PromQL into :attr:`MetricQuery.finish`, with
the same floating-point operations in the same order, so both give the same number.

A new metric plugs in by adding an entry to :data:`QUERIES`; nothing else names metrics.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote_plus

PROMQL_AGGREGATE = {"mean": "avg", "max": "max", "min": "min", "count": "avg"}
INVERTED = {"max": "min", "min": "max"}
# Characters RE2 gives a meaning to; everything else in a label value is literal.
REGEX_META = set("\\.+*?()|[]{}^$")


@dataclass(frozen=True)
class MetricQuery:
    """How one watcher metric is asked of Prometheus.

    ``label``: ``host`` (the fqdn label) or ``instance`` (the instance label).
    ``template(selector, agg, period, label)``: PromQL whose result keeps ``label``.
    ``inverted``: the series measures the complement (idle, available), so a watcher max is a
    PromQL min. ``finish(value, resource)``: the per-resource step applied to the answer.
    ``single``: upstream's exact text for one resource, when it differs from the template
    filled with one value (it then does :attr:`finish` itself).
    """

    label: str
    template: Callable[[str, str, int, str], str]
    inverted: bool = False
    finish: Callable[[float, Any], float] = lambda value, _resource: value
    single: Callable[[str, str, int, str, Any], str] | None = None

    def aggregate(self, aggregate: str) -> str:
        if self.inverted:
            aggregate = INVERTED.get(aggregate, aggregate)
        return PROMQL_AGGREGATE.get(aggregate, "avg")

    def one(self, label: str, value: str, aggregate: str, period: int, resource: Any) -> str:
        """Upstream's query for one resource."""
        selector = f"{label}='{value}'"
        agg = self.aggregate(aggregate)
        if self.single is not None:
            return self.single(selector, agg, period, label, resource)
        return self.template(selector, agg, period, label)

    def many(self, label: str, values: list[str] | None, aggregate: str, period: int) -> str:
        """The same question for every value of ``label`` in ``values`` (None: every value)."""
        selector = f'{label}!=""' if values is None else f'{label}=~"{set_regex(values)}"'
        return self.template(selector, self.aggregate(aggregate), period, label)


def _vcpus(resource: Any) -> int:
    return getattr(resource, "vcpus", None) or 1


def _instance_cpu_finish(value: float, resource: Any) -> float:
    value = value * (100 / _vcpus(resource))
    return 100.0 if value > 100 else value  # clamp_max: NaN stays NaN


QUERIES: dict[str, MetricQuery] = {
    "host_cpu_usage": MetricQuery(
        "host",
        lambda s, a, p, f: (
            f"100 - ({a} by ({f})(rate(node_cpu_seconds_total{{mode='idle',{s}}}[{p}s])) * 100)"
        ),
        inverted=True,
    ),
    "host_ram_usage": MetricQuery(
        "host",
        lambda s, a, p, f: (
            f"(node_memory_MemTotal_bytes{{{s}}} - {a}_over_time("
            f"node_memory_MemAvailable_bytes{{{s}}}[{p}s])) / 1024"
        ),
        inverted=True,
    ),
    "instance_ram_usage": MetricQuery(
        "instance", lambda s, a, p, u: f"{a}_over_time(ceilometer_memory_usage{{{s}}}[{p}s])"
    ),
    "instance_cpu_usage": MetricQuery(
        "instance",
        lambda s, a, p, u: f"{a} by ({u})(rate(ceilometer_cpu{{{s}}}[{p}s]))/10e+8",
        finish=_instance_cpu_finish,
        single=lambda s, a, p, u, r: (
            f"clamp_max(({a} by ({u})(rate(ceilometer_cpu{{{s}}}[{p}s]))/10e+8)"
            f" *(100/{_vcpus(r)}), 100)"
        ),
    ),
}


def regex_escape(value: str) -> str:
    """``value`` as a literal RE2 pattern."""
    return "".join("\\" + c if c in REGEX_META else c for c in value)


def set_regex(values: list[str]) -> str:
    """An alternation matching exactly ``values``, quoted for a PromQL double-quoted string.

    Prometheus anchors label regexes and looks a plain alternation up in its index as a set.
    """
    regex = "|".join(regex_escape(v) for v in values)
    return regex.replace("\\", "\\\\").replace('"', '\\"')


def chunks(values: list[str], budget: int) -> Iterator[list[str]]:
    """``values`` split so each chunk's alternation, form-encoded, stays under ``budget`` bytes.

    The budget is the room a request body has for label values (a proxy's or the server's
    limit, minus the query around them); a single value larger than it is sent alone.
    """
    chunk: list[str] = []
    size = 0
    for value in values:
        cost = len(quote_plus(set_regex([value]))) + 3  # "|" form-encodes as %7C
        if chunk and size + cost > budget:
            yield chunk
            chunk, size = [], 0
        chunk.append(value)
        size += cost
    if chunk:
        yield chunk
